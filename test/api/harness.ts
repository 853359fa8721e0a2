/**
 * The API as `patchbridge serve` composes it, against both simulators over HTTP:
 * the ServiceNow simulator (real client, Basic auth) and the AWS simulator (real
 * SDK clients and adapters). The app is production's `createApiApp`: auth from
 * configuration (HMAC keys, a JWKS served on port 0, the rate limit), idempotency,
 * spec validation and the routes, mounted as the runtimes mount them.
 */
import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signRequest } from '../../src/api/auth/index.js';
import { loadOpenApiDocument } from '../../src/api/openapi-document.js';
import { type RunningServer, startServer } from '../../src/api/server.js';
import { createApiApp } from '../../src/runtime/api-app/index.js';
import { createFileBlobStore } from '../../src/blobs/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createSpecValidator, type SpecValidator } from '../../src/api/validation/index.js';
import type { AwsPorts } from '../../src/aws/index.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { type Logger, silentLogger } from '../../src/core/logger.js';
import { type ChangeGates, createChangeGates, createGuardTask, createServiceNowWrites, serviceNowWriteHandlers } from '../../src/flows/changes/index.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/flows/outbox/index.js';
import { createPatchRuns, type PatchRuns } from '../../src/flows/changes/index.js';
import type { ChangeScopeMode, PatchEvent } from '../../src/domain/index.js';
import { normaliseEventBridge } from '../../src/events/index.js';
import type { ServiceNowClient } from '../../src/servicenow/index.js';
import { type AwsSim, createAwsSimHarness, GUARD_FUNCTION, type SimTimeMode } from '../../src/sim/aws/index.js';
import { createServiceNowSimHarness, type ServiceNowSim } from '../../src/sim/servicenow/index.js';
import { createSqliteStore, type StateStore } from '../../src/store/index.js';
import { harnessCore } from '../support/core-context.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const T0 = new Date('2026-03-01T10:00:00Z');
export const HMAC_KEY = { id: 'sn-test', secret: 'k'.repeat(48) };
export const ISSUER = 'https://idp.test';
export const AUDIENCE = 'patchbridge';
const HOUR = 3_600_000;

export interface HarnessOptions {
  readonly rateLimitPerMinute?: number;
  readonly logger?: Logger;
  /** The AWS simulator's time; default `instant` (runs finish as soon as they start). */
  readonly simTime?: SimTimeMode;
  /** `PATCHBRIDGE_CHANGE_SCOPE` for patch runs; default `none`. */
  readonly changeScope?: ChangeScopeMode;
  /** `PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE`; default off. */
  readonly suggestCloseCode?: boolean;
}

export interface Harness {
  readonly app: Express;
  readonly clock: ManualClock;
  readonly store: StateStore;
  readonly sn: ServiceNowSim;
  readonly aws: AwsSim;
  readonly awsPorts: AwsPorts;
  readonly servicenow: ServiceNowClient;
  readonly worker: OutboxWorker;
  readonly patchRuns: PatchRuns;
  readonly changeGates: ChangeGates;
  readonly validator: SpecValidator;
  /** EventBridge events the AWS simulator emitted, normalised; tests feed them to the write-back use cases. */
  readonly events: PatchEvent[];
  /** `X-Patchbridge-Signature` for a request at the harness clock's now. */
  sign(method: string, pathWithQuery: string, body?: string, options?: { ts?: number; nonce?: string; key?: { id: string; secret: string } }): string;
  /** An access token from the test issuer. */
  token(claims?: Record<string, unknown>): Promise<string>;
  /** A change in ServiceNow; default approved, Implement, planned window T0-1h .. T0+3h. */
  change(seed?: { state?: number; approval?: string; start?: Date; end?: Date }): { number: string; sysId: string };
  setChange(sysId: string, values: Record<string, string>): void;
  serviceNowDown(down: boolean): void;
  close(): Promise<void>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const logger = options.logger ?? silentLogger();
  const clock = new ManualClock(T0);
  const closers: (() => Promise<void>)[] = [];

  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const jwksApp = express();
  jwksApp.get('/jwks.json', (_req, res) => void res.json({ keys: [jwk] }));
  const jwks: RunningServer = await startServer(jwksApp, { host: '127.0.0.1', port: 0, logger });
  closers.push(() => jwks.close(0));

  const snHarness = await createServiceNowSimHarness({ sim: { seed: 6 }, logger });
  closers.push(() => snHarness.close());
  const { sim: sn, client: servicenow } = snHarness;

  const events: PatchEvent[] = [];
  // The adapters read the flows' time (a start's deadline is on it) but wait in real time at 1000 TPS, so queued starts
  // clear in milliseconds and tests stay free to move the manual clock.
  const adapterClock = { now: () => clock.now(), sleep: (ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal) };
  const harness = await createAwsSimHarness({
    sim: {
      seed: 11,
      clock,
      ...(options.simTime ? { time: options.simTime } : {}),
      // The event intake's normaliser turns what EventBridge would deliver into PatchEvents.
      sinks: [{ kind: 'callback', fn: (kind, payload) => void (kind === 'eventbridge' && events.push(...normaliseEventBridge(payload))) }],
      fleet: { size: 12, seed: 11, accountId: ACCOUNT, region: REGION, failureRate: 0, patchGroups: ['web-prod', 'db-prod', 'app-staging'], now: T0 },
    },
    clock: adapterClock,
    logger,
    maxAttempts: 1,
    automationTps: 1_000,
  });
  closers.push(() => harness.close());
  const { sim: aws, ports: awsPorts } = harness;

  const store = createSqliteStore({ path: ':memory:', clock, logger });
  closers.push(() => store.close());
  const writes = createServiceNowWrites({ store });
  const worker = createOutboxWorker({
    store,
    clock,
    logger,
    handlers: serviceNowWriteHandlers({ store, servicenow, mode: 'import-set' }),
    random: () => 0.5,
  });
  const patchRuns = createPatchRuns({
    store,
    execution: awsPorts.patchExecution,
    servicenow,
    writes,
    clock,
    logger,
    managedAccounts: [ACCOUNT],
    fleet: awsPorts.inventory,
    ...(options.suggestCloseCode ? { suggestCloseCode: true } : {}),
    ...(options.changeScope ? { changeScope: { mode: options.changeScope, cmdb: servicenow } } : {}),
  });
  const changeGates = createChangeGates({ store, windows: awsPorts.windows, servicenow, writes, clock, logger, managedAccounts: [ACCOUNT] });
  const guard = createGuardTask({ changeGates, worker, logger });
  aws.registerLambda(GUARD_FUNCTION, async (invocation) => {
    await guard(invocation);
  });

  const dir = await mkdtemp(path.join(tmpdir(), 'pb-api-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  // What the harness hand-built before, now said in configuration as an operator would say it.
  const config = loadConfig({
    PATCHBRIDGE_AWS_REGIONS: REGION,
    PATCHBRIDGE_DATA_DIR: dir,
    PATCHBRIDGE_API_JWT_ISSUER: ISSUER,
    PATCHBRIDGE_API_JWT_AUDIENCE: AUDIENCE,
    PATCHBRIDGE_API_JWKS_URL: `${jwks.url}/jwks.json`,
    PATCHBRIDGE_API_HMAC_KEYS: `${HMAC_KEY.id}:${HMAC_KEY.secret}`,
    PATCHBRIDGE_API_RATE_LIMIT: String(options.rateLimitPerMinute ?? 10_000),
  });
  const core = harnessCore({ config, logger, clock, store, blobs: createFileBlobStore({ dir, clock }), awsClients: harness.clients, aws: awsPorts, servicenow });
  const app = createApiApp(core, { change: { patchRuns, changeGates } });
  const validator = createSpecValidator(loadOpenApiDocument());

  return {
    app,
    clock,
    store,
    sn,
    aws,
    awsPorts,
    servicenow,
    worker,
    patchRuns,
    changeGates,
    validator,
    events,
    sign(method, pathWithQuery, body = '', o = {}) {
      return signRequest(o.key ?? HMAC_KEY, { method, pathWithQuery, body }, {
        ts: o.ts ?? Math.floor(clock.now().getTime() / 1000),
        nonce: o.nonce ?? randomBytes(16).toString('base64url'),
      });
    },
    async token(claims = {}) {
      const now = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT({ scope: 'patch-runs:write patch-runs:read gates:write', client_id: 'servicenow-prod', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer(ISSUER)
        .setAudience(typeof claims['aud'] === 'string' ? claims['aud'] : AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
    },
    change(seed = {}) {
      const record = sn.seed.changeRequest({
        state: seed.state ?? -1,
        approval: seed.approval ?? 'approved',
        start: seed.start ?? new Date(T0.getTime() - HOUR),
        end: seed.end ?? new Date(T0.getTime() + 3 * HOUR),
      });
      return { number: String(record['number']), sysId: String(record['sys_id']) };
    },
    setChange(sysId, values) {
      sn.state.update('change_request', sysId, values);
    },
    serviceNowDown(down) {
      sn.configure({ outages: down ? [{ from: 0, to: 8.64e15 }] : [] });
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
