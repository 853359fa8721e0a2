import { z } from 'zod';
import type { AwsContext, FleetInventory, Publisher } from '../../aws/index.js';
import { type Clock, ConfigError, type Logger } from '../../core/index.js';
import { complianceStatus, ID_PATTERNS, type InstanceCompliance, patchCountsOf, type PatchEvent, resolutionFor, type ResolutionSource, type ResolveRequest, type SnapshotRecord } from '../../domain/index.js';
import { arnScope } from '../../events/index.js';
import type { CorrelationRecord, CorrelationStore, OutboxWriter } from '../../store/index.js';
import { IncidentError } from './errors.js';

/** Outbox kind of resolve requests waiting for the listener (standalone). */
export const INCIDENT_RESOLVE_KIND = 'incident-resolve';

/**
 * Where resolve requests go to be applied by the listener, through the same
 * durable path and ServiceNow pacing as drafts: the store's outbox
 * (standalone) or the monitoring topic (AWS). Submitting a request twice is
 * harmless: the listener applies a request only to the record version it names.
 */
export interface ResolveQueue {
  submit(request: ResolveRequest): Promise<void>;
}

/** Standalone: one outbox item per (incident, record version), so a second snapshot queues nothing new. */
export function outboxResolveQueue(options: { store: OutboxWriter; wake?: () => void }): ResolveQueue {
  return {
    async submit(request) {
      if (await options.store.enqueue({ id: `resolve:${request.correlationId}:${request.version}`, kind: INCIDENT_RESOLVE_KIND, payload: request })) options.wake?.();
    },
  };
}

/** AWS: the monitoring topic, which the listener's queue subscribes to. */
export function snsResolveQueue(options: { publisher: Publisher; topicArn: string }): ResolveQueue {
  const scope = arnScope(options.topicArn);
  if (!scope) throw new ConfigError('PATCHBRIDGE_MONITORING_TOPIC_ARN', 'an SNS topic ARN with account and region');
  return {
    async submit(request) {
      await options.publisher.publish(scope, options.topicArn, 'patchbridge: resolve incident', JSON.stringify(request), { correlationId: request.correlationId });
    },
  };
}

const instanceCompliance = z.object({
  instanceId: z.string().regex(ID_PATTERNS.instanceId),
  compliant: z.boolean(),
  operation: z.string().max(20).nullable(),
  operationAt: z.string().max(40).nullable(),
});

const resolveRequestSchema = z.object({
  schema: z.literal('patchbridge.incident-resolve/1'),
  correlationId: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/),
  version: z.number().int().min(1),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('snapshot'), key: z.string().min(1).max(1024) }),
    z.object({ kind: z.literal('run'), ref: z.string().min(1).max(300) }),
  ]),
  seenAt: z.iso.datetime(),
  total: z.number().int().min(1),
  compliantAt: z.iso.datetime(),
  listed: z.array(instanceCompliance).max(1000),
}) satisfies z.ZodType<ResolveRequest>;

/** True when `body` claims to be a resolve request (so the listener parses it as one, not as a draft). */
export function isResolveRequestShape(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>)['schema'] === 'patchbridge.incident-resolve/1';
}

/** Validates a resolve request from a queue; `INVALID_DRAFT` (not retryable) otherwise. */
export function parseResolveRequest(body: unknown): ResolveRequest {
  const parsed = resolveRequestSchema.safeParse(body);
  if (!parsed.success) throw new IncidentError('INVALID_DRAFT', 'resolve request has an unexpected shape', { cause: parsed.error });
  return parsed.data;
}

/** One account and region's compliance snapshot, as the snapshot flow collected it. */
export interface SnapshotEvidence {
  readonly accountId: string;
  readonly region: string;
  /** Blob key the snapshot is (about to be) written under. */
  readonly key: string;
  readonly capturedAt: string;
  readonly records: Iterable<SnapshotRecord>;
}

export interface ResolutionPlannerDeps {
  readonly store: CorrelationStore;
  readonly queue: ResolveQueue;
  /** Patch states read after a successful run. */
  readonly inventory: Pick<FleetInventory, 'describePatchStates'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `PATCHBRIDGE_INCIDENT_AUTO_RESOLVE`: off, nothing is planned. */
  readonly enabled: boolean;
}

export interface ResolutionPlanner {
  /** Queues a resolve request for every open incident of this account and region the snapshot shows compliant. Returns how many. */
  fromSnapshot(snapshot: SnapshotEvidence): Promise<number>;
  /**
   * After successful runs: reads the current patch state of every instance of
   * each open incident the runs may concern (same account and region, and an
   * instance in common when the event names instances) and queues a resolve
   * request for those now compliant after their last failure. Returns how many.
   */
  afterRuns(events: readonly PatchEvent[]): Promise<number>;
}

const PAGE = 500;

/** Instance ids a succeeded event names; `undefined` when it names none (a window, an automation, a command by tags). */
function namedInstances(event: PatchEvent): readonly string[] | undefined {
  if (event.kind === 'invocation') return [event.instanceId];
  if (event.kind === 'command' && event.instanceIds.length > 0) return event.instanceIds;
  return undefined;
}

function runRef(event: PatchEvent): string {
  switch (event.kind) {
    case 'command':
    case 'invocation':
      return `Run Command ${event.commandId}`;
    case 'automation':
      return `Automation execution ${event.executionId}`;
    default:
      return `maintenance window execution ${event.windowExecutionId}`;
  }
}

const ctxKey = (ctx: AwsContext) => `${ctx.accountId}/${ctx.region}`;

/** Creates the planner that turns compliance evidence into resolve requests. */
export function createResolutionPlanner(deps: ResolutionPlannerDeps): ResolutionPlanner {
  const { logger } = deps;

  async function* openIncidents(): AsyncIterable<CorrelationRecord> {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listOpenCorrelations({ limit: PAGE, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Records from another account or region are not this evidence's business; older records without them are matched by instance. */
  const inScope = (record: CorrelationRecord, ctx: AwsContext) =>
    (record.accountId === undefined || record.accountId === ctx.accountId) && (record.region === undefined || record.region === ctx.region);

  async function submitAll(requests: readonly ResolveRequest[]): Promise<number> {
    for (const request of requests) await deps.queue.submit(request);
    return requests.length;
  }

  return {
    async fromSnapshot(snapshot) {
      if (!deps.enabled) return 0;
      const candidates: CorrelationRecord[] = [];
      for await (const record of openIncidents()) if (inScope(record, snapshot)) candidates.push(record);
      if (candidates.length === 0) return 0;
      const wanted = new Set(candidates.flatMap((r) => r.reportedInstances));
      const evidence = new Map<string, InstanceCompliance>();
      for (const r of snapshot.records) {
        if (!wanted.has(r.instance_id)) continue;
        evidence.set(r.instance_id, { instanceId: r.instance_id, compliant: r.status === 'COMPLIANT', operation: r.last_operation, operationAt: r.last_operation_at });
      }
      const source: ResolutionSource = { kind: 'snapshot', key: snapshot.key };
      const requests = candidates.flatMap((record) => resolutionFor(record, (id) => evidence.get(id), source, snapshot.capturedAt) ?? []);
      const submitted = await submitAll(requests);
      logger.info({ accountId: snapshot.accountId, region: snapshot.region, open: candidates.length, resolving: submitted }, 'auto-resolve checked the snapshot');
      return submitted;
    },

    async afterRuns(events) {
      if (!deps.enabled) return 0;
      // Per account and region: the instances the succeeded events name (`all` when one names none) and a run to cite.
      const runs = new Map<string, { ctx: AwsContext; instances: Set<string> | 'all'; ref: string }>();
      for (const event of events) {
        if (event.phase !== 'succeeded') continue;
        const ctx = { accountId: event.accountId, region: event.region };
        const named = namedInstances(event);
        const run = runs.get(ctxKey(ctx)) ?? { ctx, instances: new Set<string>(), ref: runRef(event) };
        if (named === undefined) run.instances = 'all';
        else if (run.instances !== 'all') for (const id of named) run.instances.add(id);
        runs.set(ctxKey(ctx), run);
      }
      if (runs.size === 0) return 0;
      const candidates = new Map<string, CorrelationRecord[]>();
      for await (const record of openIncidents()) {
        for (const run of runs.values()) {
          if (!inScope(record, run.ctx)) continue;
          const { instances } = run;
          if (instances !== 'all' && !record.reportedInstances.some((id) => instances.has(id))) continue;
          candidates.set(ctxKey(run.ctx), [...(candidates.get(ctxKey(run.ctx)) ?? []), record]);
          break;
        }
      }
      let submitted = 0;
      for (const [key, records] of candidates) {
        const run = runs.get(key);
        if (!run) continue;
        const seenAt = deps.clock.now().toISOString();
        const states = await deps.inventory.describePatchStates(run.ctx, [...new Set(records.flatMap((r) => r.reportedInstances))]);
        const evidence = new Map<string, InstanceCompliance>(
          states.map((s) => [
            s.instanceId,
            {
              instanceId: s.instanceId,
              compliant: complianceStatus(patchCountsOf(s)) === 'COMPLIANT',
              operation: s.operation,
              operationAt: s.operationEndAt.toISOString(),
            },
          ]),
        );
        const source: ResolutionSource = { kind: 'run', ref: run.ref };
        submitted += await submitAll(records.flatMap((record) => resolutionFor(record, (id) => evidence.get(id), source, seenAt) ?? []));
        logger.info({ ...run.ctx, open: records.length, resolving: submitted }, 'auto-resolve checked patch states after a successful run');
      }
      return submitted;
    },
  };
}
