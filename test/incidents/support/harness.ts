/**
 * The incident flow as `patchbridge serve` runs it, against both simulators over
 * HTTP: the AWS simulator (real SDK clients and adapters; its SNS / EventBridge
 * output captured so tests choose what reaches `/v1/events`, in which order and
 * how often) and the ServiceNow simulator (real client, Basic auth). `/v1/events`
 * is served by production's `createApiApp` with the incident flows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningServer, startServer } from '../../../src/api/server.js';
import { createApiApp } from '../../../src/runtime/api-app/index.js';
import { createFileBlobStore } from '../../../src/blobs/index.js';
import { type AwsPorts, createAwsAdapters, createAwsClients } from '../../../src/aws/index.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { type Clock, randomIds } from '../../../src/core/clock.js';
import type { PatchEvent } from '../../../src/domain/index.js';
import { type Logger, silentLogger } from '../../../src/core/logger.js';
import { createIncidentFlows, EVENT_BATCH_WINDOW_MS, type IncidentFlows } from '../../../src/flows/incidents/index.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/flows/outbox/index.js';
import type { ServiceNowClient } from '../../../src/servicenow/index.js';
import { SteppingClock } from '../../../src/servicenow/testing.js';
import { type AwsSim, createAwsSim, type SimInstance, type SimWindow } from '../../../src/sim/aws/index.js';
import { createServiceNowSimHarness, type ServiceNowSim, type SimKnobs, type SimRecord } from '../../../src/sim/servicenow/index.js';
import { createSqliteStore, type StateStore } from '../../../src/store/index.js';
import { harnessCore } from '../../support/core-context.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const T0 = '2026-03-01T10:00:00Z';
export const EVENTS_API_KEY = 'events-api-key-for-tests-0123456789';
export const PATCH_RESULTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:PatchResults`;
export const MONITORING_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:Monitoring`;
export const GROUPS = ['web-prod', 'db-prod', 'app-staging', 'batch-linux'] as const;
/** Where real SNS serves signing certificates; the simulator's certificate is presented under this URL. */
export const PRODUCTION_CERT_URL = `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-patchbridge-sim.pem`;

/** What the AWS simulator pushed, as an SNS HTTPS subscription or an API destination would receive it. */
export type Delivery = { readonly kind: 'sns'; readonly body: string } | { readonly kind: 'eventbridge'; readonly body: string };

export interface HarnessOptions {
  readonly mode?: 'import-set' | 'table';
  readonly fleetSize?: number;
  readonly seed?: number;
  readonly serviceNow?: SimKnobs;
  /** ServiceNow client limits (retry budget …); defaults are fast. */
  readonly serviceNowLimits?: Partial<{ maxRetries: number; baseDelayMs: number; maxDelayMs: number; retryBudgetMs: number; timeoutMs: number; maxInFlight: number }>;
  readonly logger?: Logger;
  readonly env?: Readonly<Record<string, string>>;
  /** What `patchbridge serve` passes as the incident flows' observer (patch-run write-back, window results, guard). */
  readonly observe?: (event: PatchEvent) => Promise<void>;
  /** The AWS simulator runs on the harness's clock too (its event and patch-operation times then agree with patchbridge's). */
  readonly sharedClock?: boolean;
  /** The AWS simulator's `hostile` knob: hostile tags, host names, patch titles and command output. */
  readonly hostile?: boolean;
}

export interface Harness {
  readonly aws: AwsSim;
  readonly sn: ServiceNowSim;
  readonly clock: SteppingClock;
  readonly store: StateStore;
  readonly config: Config;
  readonly awsPorts: AwsPorts;
  readonly servicenow: ServiceNowClient;
  readonly flows: IncidentFlows;
  readonly worker: OutboxWorker;
  readonly server: RunningServer;
  /** Everything the AWS simulator pushed so far, in order. */
  readonly deliveries: Delivery[];
  /** Instances of a patch group, in fleet order. */
  instancesOf(group: string): SimInstance[];
  /** A window over the given patch groups whose patch task notifies PatchResults per invocation. */
  addWindow(groups: readonly string[]): SimWindow;
  /** Runs the window now and waits until every command and delivery is done. */
  runWindow(windowId: string): Promise<string>;
  /** POSTs one delivery to `/v1/events` as SNS or the API destination would. */
  post(delivery: Delivery): Promise<Response>;
  postAll(deliveries: readonly Delivery[]): Promise<Response[]>;
  /** Drains the outbox (enrichment and ServiceNow writes) until nothing is due. */
  drain(): Promise<void>;
  /** Incidents patchbridge created (correlation_display = patchbridge). */
  incidents(options?: { activeOnly?: boolean }): SimRecord[];
  workNotes(sysId: string): string[];
  close(): Promise<void>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const logger = options.logger ?? silentLogger();
  const closers: (() => Promise<void>)[] = [];
  // One clock for ServiceNow, its client, the store and the outbox: retry waits pass in simulated time.
  const clock = new SteppingClock(T0);

  const snHarness = await createServiceNowSimHarness({
    sim: { seed: options.seed ?? 5, clock, ...options.serviceNow },
    logger,
    clock,
    random: () => 0.5,
    limits: { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 2_000, retryBudgetMs: 10_000, timeoutMs: 5_000, ...options.serviceNowLimits },
  });
  closers.push(() => snHarness.close());
  const { sim: sn, client: servicenow } = snHarness;
  for (const name of ['Cloud Operations', 'Production Operations', 'Database Team']) sn.seed.group({ name });

  const deliveries: Delivery[] = [];
  const aws = createAwsSim({
    seed: options.seed ?? 5,
    ...(options.sharedClock ? { clock } : {}),
    fleet: {
      size: options.fleetSize ?? 160,
      seed: options.seed ?? 5,
      accountId: ACCOUNT,
      region: REGION,
      failureRate: 0,
      patchGroups: [...GROUPS],
      staleRate: 0,
      unmanagedRate: 0,
      now: new Date(T0),
      ...(options.hostile ? { hostile: true } : {}),
    },
    topics: [PATCH_RESULTS_TOPIC, MONITORING_TOPIC],
    sinks: [
      {
        kind: 'callback',
        fn: (kind, payload) => {
          if (kind === 'eventbridge') {
            deliveries.push({ kind, body: JSON.stringify(payload) });
            return;
          }
          // SNS serves certificates from sns.<region>.amazonaws.com; the simulator serves its own from itself.
          // SigningCertURL is not part of the signed text, so presenting the production URL keeps the signature intact
          // and exercises the production URL rule, while the injected fetcher answers that URL with the simulator's certificate.
          const envelope = { ...(payload as Record<string, unknown>), SigningCertURL: PRODUCTION_CERT_URL };
          deliveries.push({ kind, body: JSON.stringify(envelope) });
        },
      },
    ],
  });
  await aws.listen(0);
  closers.push(() => aws.close());
  const clients = createAwsClients({
    accounts: [],
    defaultRegion: REGION,
    logger,
    endpointOverrides: aws.url,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
    maxAttempts: 2,
  });
  closers.push(async () => clients.destroy());
  const awsPorts = createAwsAdapters({ clients, clock, logger, runbook: 'patchbridge-AdHocPatch' });

  const config = loadConfig({
    PATCHBRIDGE_SERVICENOW_MODE: options.mode ?? 'import-set',
    PATCHBRIDGE_EVENTS_API_KEY: EVENTS_API_KEY,
    PATCHBRIDGE_SNS_TOPIC_ARNS: PATCH_RESULTS_TOPIC,
    PATCHBRIDGE_MONITORING_TOPIC_ARN: MONITORING_TOPIC,
    PATCHBRIDGE_AWS_REGIONS: REGION,
    PATCHBRIDGE_INCIDENT_GROUP_MAP: JSON.stringify({ 'Application=data-lake': 'Database Team', 'Environment=prod': 'Production Operations' }),
    PATCHBRIDGE_INCIDENT_SERVICE_MAP: JSON.stringify({ 'web-prod': 'Web Platform' }),
    ...options.env,
  });

  const store = createSqliteStore({ path: ':memory:', clock, logger });
  closers.push(() => store.close());
  let wake = () => {};
  const flows = createIncidentFlows(
    { config, logger, clock, ids: randomIds, store, aws: awsPorts, servicenow },
    {
      wake: () => wake(),
      ...(options.observe ? { observe: options.observe } : {}),
      snsFetcher: async (url) => {
        if (url === PRODUCTION_CERT_URL) return aws.signingCertPem;
        throw new Error(`no such certificate: ${url}`);
      },
    },
  );
  // SteppingClock.sleep jumps time at once, so the worker's lease heartbeat would pump simulated time
  // for as long as a batch takes in real time (an outage could end mid-drain). Leases only matter
  // between workers and the harness has one, so the heartbeat here waits until the batch is done.
  const workerClock: Clock = {
    now: () => clock.now(),
    sleep: (_ms, signal) => new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true })),
  };
  const worker = createOutboxWorker({ store, clock: workerClock, logger, handlers: [...flows.outboxHandlers, ...flows.guardLaneHandlers], random: () => 0.5 });
  wake = () => worker.wake();

  const dir = await mkdtemp(path.join(tmpdir(), 'pb-incidents-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const core = harnessCore({ config, logger, clock, store, blobs: createFileBlobStore({ dir, clock }), awsClients: clients, aws: awsPorts, servicenow });
  const app = createApiApp(core, { incidents: flows });
  const server = await startServer(app, { host: '127.0.0.1', port: 0, logger });
  closers.push(() => server.close(0));

  const fleet = aws.fleet;
  // Every agent online, so the only failures are the ones a test forces.
  for (const instance of fleet.instances) instance.pingStatus = 'Online';
  const harness: Harness = {
    aws,
    sn,
    clock,
    store,
    config,
    awsPorts,
    servicenow,
    flows,
    worker,
    server,
    deliveries,
    instancesOf(group) {
      return fleet.instances.filter((i) => i.tags['Patch Group'] === group);
    },
    addWindow(groups) {
      const n = fleet.windows.length;
      const hex = (fill: string, len: number) => `${String(n).padStart(2, '0')}${fill.repeat(len)}`.slice(0, len);
      const targetId = `${hex('a', 8)}-aaaa-4aaa-8aaa-${hex('a', 12)}`;
      const window: SimWindow = {
        windowId: `mw-${hex('0', 17)}`,
        name: `patch-${groups.join('-')}`,
        schedule: 'cron(0 2 ? * SUN *)',
        duration: 4,
        cutoff: 1,
        allowUnassociatedTargets: false,
        enabled: true,
        createdAt: Date.parse(T0),
        modifiedAt: Date.parse(T0),
        targets: [{ windowTargetId: targetId, targets: [{ key: 'tag:Patch Group', values: [...groups] }] }],
        tasks: [
          {
            windowTaskId: `${hex('b', 8)}-bbbb-4bbb-8bbb-${hex('b', 12)}`,
            name: 'patch-install',
            taskArn: 'AWS-RunPatchBaseline',
            taskType: 'RUN_COMMAND',
            priority: 1,
            windowTargetIds: [targetId],
            parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
            maxConcurrency: '100%',
            maxErrors: '100%',
            notification: { topicArn: PATCH_RESULTS_TOPIC, events: ['All'], type: 'Invocation' },
            serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/PatchResultsPublisher`,
          },
        ],
      };
      fleet.windows.push(window);
      return window;
    },
    async runWindow(windowId) {
      const id = aws.runMaintenanceWindow(windowId, { force: true });
      if (!id) throw new Error(`window ${windowId} did not start`);
      await aws.settle();
      return id;
    },
    async post(delivery) {
      const headers: Record<string, string> =
        delivery.kind === 'sns'
          ? { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String((JSON.parse(delivery.body) as { Type?: unknown }).Type ?? 'Notification') }
          : { 'content-type': 'application/json; charset=utf-8', 'x-api-key': EVENTS_API_KEY };
      return fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: delivery.body });
    },
    async postAll(list) {
      const out: Response[] = [];
      for (const d of list) {
        const res = await harness.post(d);
        await res.arrayBuffer();
        out.push(res);
      }
      return out;
    },
    async drain() {
      // Past the intake's batching window, so what was accepted is due.
      clock.advance(EVENT_BATCH_WINDOW_MS);
      await worker.drain();
    },
    incidents(o = {}) {
      return sn.state
        .records('incident')
        .filter((r) => r['correlation_display'] === 'patchbridge' && (!o.activeOnly || r['active'] === 'true'));
    },
    workNotes(sysId) {
      return sn.state.journal('incident', sysId, 'work_notes').map((j) => j.value);
    },
    async close() {
      await worker.stop();
      for (const close of closers.reverse()) await close();
    },
  };
  return harness;
}

/** A seeded shuffle, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
