import { performance } from 'node:perf_hooks';
import type { AwsContext } from '../../src/aws/index.js';
import { loadConfig } from '../../src/config/index.js';
import { randomIds, systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildIncidentDraft, isFailureEvent, NO_PATCH_GROUP, type PatchEvent } from '../../src/domain/index.js';
import { normaliseMessage } from '../../src/events/index.js';
import { createIncidentFlows, incidentPolicyFromConfig } from '../../src/flows/incidents/index.js';
import { createOutboxWorker, type OutboxHandler } from '../../src/flows/outbox/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { ACCOUNT, createServiceNow, type Delivery, PATCH_RESULTS_TOPIC, PRODUCTION_CERT_URL, REGION, type Storm, type StormOptions } from './environment.js';

export interface RunResult {
  readonly incidents: number;
  /** Incidents beyond one per failing patch group. */
  readonly duplicates: number;
  /** Failing patch groups without exactly one incident. */
  readonly groupsWrong: number;
  readonly serviceNowCalls: number;
  readonly awsCalls: number;
  readonly wallMs: number;
  /** Time until every event was delivered (patchbridge: answered 202). */
  readonly deliveredMs: number;
  readonly awsByOperation: Readonly<Record<string, number>>;
  readonly serviceNowByCall: Readonly<Record<string, number>>;
  /** Where the wall time went: when each kind of call was made, in ms from the start. */
  readonly timeline: Timeline;
}

export interface Timeline {
  /** AWS calls by operation: first and last call, and how many, from the start. */
  readonly aws: Readonly<Record<string, { readonly first: number; readonly last: number; readonly calls: number }>>;
  /** ServiceNow calls: when each started and ended, in order. */
  readonly serviceNow: readonly { readonly at: number; readonly end: number; readonly call: string }[];
  /** Outbox batches patchbridge handled: kind, items, when (absent for the baseline). */
  readonly batches: readonly { readonly kind: string; readonly items: number; readonly at: number; readonly end: number }[];
}

const EVENTS_API_KEY = 'storm-events-key-0123456789abcdef';

async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      // Each delivery its own turn of the event loop, as each HTTP request is: the intake's
      // SQLite writes complete synchronously, so without this the deliveries chain as
      // microtasks and the outbox worker's timers cannot fire until the storm is over.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function count(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function timeline(storm: Storm, sn: Awaited<ReturnType<typeof createServiceNow>>, startedAt: number, batches: Timeline['batches'] = []): Timeline {
  const aws: Record<string, { first: number; last: number; calls: number }> = {};
  for (const e of storm.aws.requestLog) {
    const t = e.at - startedAt;
    const o = aws[e.operation];
    if (o) {
      o.first = Math.min(o.first, t);
      o.last = Math.max(o.last, t);
      o.calls++;
    } else aws[e.operation] = { first: t, last: t, calls: 1 };
  }
  const serviceNow = sn.sim.requests.map((r) => ({ at: Date.parse(r.at) - startedAt, end: Date.parse(r.at) - startedAt + r.durationMs, call: `${r.key} ${r.status}` }));
  return { aws, serviceNow, batches: batches.map((b) => ({ ...b, at: b.at - startedAt, end: b.end - startedAt })) };
}

function outcome(
  storm: Storm,
  sn: Awaited<ReturnType<typeof createServiceNow>>,
  wallMs: number,
  deliveredMs: number,
  startedAt: number,
  batches?: Timeline['batches'],
): RunResult {
  const incidents = sn.sim.state.records('incident');
  const perGroup = new Map<string, number>();
  for (const i of incidents) {
    const group = /patch group (\S+)/.exec(i['short_description'] ?? '')?.[1] ?? '?';
    perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
  }
  const groupsWrong = Math.abs(storm.failingGroups - [...perGroup.values()].filter((n) => n === 1).length);
  return {
    incidents: incidents.length,
    duplicates: Math.max(0, incidents.length - storm.failingGroups),
    groupsWrong,
    serviceNowCalls: sn.sim.requests.length,
    awsCalls: storm.aws.requestLog.length,
    wallMs,
    deliveredMs,
    awsByOperation: count(storm.aws.requestLog.map((e) => e.operation)),
    serviceNowByCall: count(sn.sim.requests.map((r) => `${r.key} ${r.status}`)),
    timeline: timeline(storm, sn, startedAt, batches),
  };
}

/** patchbridge as `patchbridge serve` runs it: event receiver → outbox → batched enrichment → outbox → ServiceNow. */
export async function runPatchbridge(storm: Storm, options: StormOptions): Promise<RunResult> {
  const logger = silentLogger();
  const sn = await createServiceNow(options);
  const store = createSqliteStore({ path: ':memory:', clock: systemClock, logger });
  const config = loadConfig({
    PATCHBRIDGE_SERVICENOW_MODE: 'import-set',
    PATCHBRIDGE_EVENTS_API_KEY: EVENTS_API_KEY,
    PATCHBRIDGE_SNS_TOPIC_ARNS: PATCH_RESULTS_TOPIC,
    PATCHBRIDGE_AWS_REGIONS: REGION,
  });
  let wakeAll = () => {};
  const flows = createIncidentFlows(
    { config, logger, clock: systemClock, ids: randomIds, store, aws: storm.awsPorts, servicenow: sn.client },
    {
      // As `serve` wires it: enqueues and a batch that is due nudge the workers instead of waiting for their poll.
      wake: () => wakeAll(),
      snsFetcher: async (url) => {
        if (url === PRODUCTION_CERT_URL) return storm.aws.signingCertPem;
        throw new Error(`no such certificate: ${url}`);
      },
      eventBatchWindowMs: 1_000,
      eventBatchSize: 1_000,
    },
  );
  // Each batch the worker hands a handler is timed for the timeline.
  const batches: { kind: string; items: number; at: number; end: number }[] = [];
  const timed = (h: OutboxHandler): OutboxHandler => ({
    ...h,
    handle: async (items) => {
      const at = Date.now();
      try {
        return await h.handle(items);
      } finally {
        batches.push({ kind: h.kind, items: items.length, at, end: Date.now() });
      }
    },
  });
  // The lanes `patchbridge serve` runs, each on a worker of its own.
  const workers = [[...flows.outboxLanes.enrichment], [...flows.outboxLanes.servicenow], [...flows.guardLaneHandlers]].map((handlers) =>
    createOutboxWorker({ store, clock: systemClock, logger, handlers: handlers.map(timed), pollMs: 100 }),
  );
  wakeAll = () => {
    for (const w of workers) w.wake();
  };
  storm.aws.resetLog();
  for (const w of workers) w.start();
  const started = performance.now();
  const startedAt = Date.now();
  // What POST /v1/events hands each delivery to (signature check, normalising, durable intake),
  // called in-process so both runs receive the stream the same way; 16 deliveries at a time.
  await inParallel(storm.stream, 16, async (d: Delivery) => {
    const result = d.kind === 'sns' ? await flows.receiver.receiveSns(d.body) : await flows.receiver.receiveEventBridge(JSON.parse(d.body) as unknown);
    if (result.kind !== 'accepted') throw new Error(`delivery not accepted: ${result.kind}`);
  });
  const deliveredMs = performance.now() - started;
  while ((await store.outboxDepth()) > 0) await new Promise((r) => setTimeout(r, 20));
  const wallMs = performance.now() - started;
  for (const w of workers) await w.stop();
  const result = outcome(storm, sn, wallMs, deliveredMs, startedAt, batches);
  await store.close();
  await sn.close();
  return result;
}

/**
 * The design patchbridge grew from: every failure event on its own — its own
 * AWS reads for its own instances, and a new incident through the Table API —
 * at the same concurrency ServiceNow allows (4).
 */
export async function runNaive(storm: Storm, options: StormOptions): Promise<RunResult> {
  const sn = await createServiceNow(options);
  const policy = incidentPolicyFromConfig(loadConfig({}).incidents);
  const { inventory } = storm.awsPorts;
  storm.aws.resetLog();
  const started = performance.now();
  const startedAt = Date.now();
  await inParallel(storm.stream, 4, async (d: Delivery) => {
    const events: PatchEvent[] = normaliseMessage(JSON.parse(d.body) as unknown);
    for (const event of events) {
      if (!isFailureEvent(event) || (event.kind !== 'invocation' && event.kind !== 'command')) continue;
      const ctx: AwsContext = { accountId: event.accountId, region: event.region };
      const failed =
        event.kind === 'invocation'
          ? [{ instanceId: event.instanceId, status: event.status }]
          : (await inventory.listCommandInvocations(ctx, event.commandId)).filter((i) => i.status !== 'Success').map((i) => ({ instanceId: i.instanceId, status: i.status }));
      const instances = [];
      for (const f of failed) {
        const [info] = await inventory.describeInstances(ctx, { instanceIds: [f.instanceId] });
        const [state] = await inventory.describePatchStates(ctx, [f.instanceId]);
        const tags = (await inventory.tags(ctx, [f.instanceId])).get(f.instanceId) ?? {};
        await inventory.complianceItems(ctx, [f.instanceId], { statuses: ['NON_COMPLIANT'] });
        const output = await inventory.commandOutput(ctx, event.commandId, f.instanceId);
        instances.push({
          instanceId: f.instanceId,
          ...(info?.ipAddress ? { ipAddress: info.ipAddress } : {}),
          patchGroup: state?.patchGroup || tags['Patch Group'] || NO_PATCH_GROUP,
          status: f.status,
          topPatches: [],
          errorExcerpt: output.stderrExcerpt.slice(-300),
          tags,
          links: { instance: '' },
          failedAt: event.time,
        });
      }
      const [first] = instances;
      if (!first) continue;
      const draft = buildIncidentDraft(
        { accountId: ACCOUNT, region: REGION, execution: { kind: 'command', id: event.commandId }, patchGroup: first.patchGroup, instances, now: new Date() },
        policy,
      );
      await sn.client.createRecord(
        'incident',
        { short_description: draft.shortDescription, description: draft.description, impact: draft.impact, urgency: draft.urgency, assignment_group: draft.assignmentGroup },
        ['sys_id'],
      );
    }
  });
  const wallMs = performance.now() - started;
  const result = outcome(storm, sn, wallMs, wallMs, startedAt);
  await sn.close();
  return result;
}
