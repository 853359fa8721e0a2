import { performance } from 'node:perf_hooks';
import type { AwsContext } from '../../src/aws/index.js';
import { createApp } from '../../src/api/app.js';
import { loadOpenApiDocument } from '../../src/api/openapi-document.js';
import { eventsRoutes } from '../../src/api/routes/events.js';
import { startServer } from '../../src/api/server.js';
import { createSpecValidator } from '../../src/api/validation/index.js';
import { loadConfig } from '../../src/config/index.js';
import { randomIds, systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildIncidentDraft, isFailureEvent, NO_PATCH_GROUP, type PatchEvent } from '../../src/domain/index.js';
import { normaliseMessage } from '../../src/events/index.js';
import { createIncidentFlows, incidentPolicyFromConfig } from '../../src/flows/incidents/index.js';
import { createOutboxWorker } from '../../src/flows/outbox/index.js';
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
}

const EVENTS_API_KEY = 'storm-events-key-0123456789abcdef';

async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function outcome(storm: Storm, sn: Awaited<ReturnType<typeof createServiceNow>>, wallMs: number): RunResult {
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
  };
}

/** patchbridge as `patchbridge serve` runs it: `/v1/events` → outbox → batched enrichment → outbox → ServiceNow. */
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
  const flows = createIncidentFlows(
    { config, logger, clock: systemClock, ids: randomIds, store, aws: storm.awsPorts, servicenow: sn.client },
    {
      runtime: 'standalone',
      snsFetcher: async (url) => {
        if (url === PRODUCTION_CERT_URL) return storm.aws.signingCertPem;
        throw new Error(`no such certificate: ${url}`);
      },
      eventBatchWindowMs: 1_000,
      eventBatchSize: 1_000,
    },
  );
  const worker = createOutboxWorker({ store, clock: systemClock, logger, handlers: flows.outboxHandlers, pollMs: 100 });
  const openApi = loadOpenApiDocument();
  const app = createApp({
    logger,
    operations: { checks: [], missing: () => [], openApi },
    validation: createSpecValidator(openApi).middleware,
    features: [eventsRoutes({ receiver: flows.receiver, credentials: config.events })],
  });
  const server = await startServer(app, { host: '127.0.0.1', port: 0, logger });
  storm.aws.resetLog();
  worker.start();
  const started = performance.now();
  // SNS and EventBridge deliver concurrently; 16 connections is a modest fan-in.
  await inParallel(storm.stream, 16, async (d: Delivery) => {
    const headers: Record<string, string> =
      d.kind === 'sns'
        ? { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }
        : { 'content-type': 'application/json', 'x-api-key': EVENTS_API_KEY };
    const res = await fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: d.body });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`delivery refused: ${res.status}`);
  });
  while ((await store.outboxDepth()) > 0) await new Promise((r) => setTimeout(r, 20));
  const wallMs = performance.now() - started;
  await worker.stop();
  await server.close(0);
  const result = outcome(storm, sn, wallMs);
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
  const result = outcome(storm, sn, wallMs);
  await sn.close();
  return result;
}
