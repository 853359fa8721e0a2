/**
 * The two apps `bench/api` loads: "full" is the product's app as both runtimes
 * build it (`createApiApp`: HMAC with its replay-nonce claim, rate limiter,
 * spec validation, JSON logging); "bare" is the same routes, flows and store with
 * that middleware taken out. Each listens on its own port, in this process or in
 * a child (`server-process.ts`), against the simulators at the URLs given.
 */
import type { Express, RequestHandler } from 'express';
import { destination } from 'pino';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Authenticator } from '../../src/api/auth/index.js';
import { createApp } from '../../src/api/app.js';
import { createIdempotency } from '../../src/api/idempotency.js';
import { loadOpenApiDocument } from '../../src/api/openapi-document.js';
import { changeGateRoutes } from '../../src/api/routes/change-gates.js';
import { patchRunRoutes } from '../../src/api/routes/patch-runs.js';
import { startServer } from '../../src/api/server.js';
import { createSpecValidator, markValidated, type SpecValidator } from '../../src/api/validation/index.js';
import { createAwsAdapters, createAwsClients } from '../../src/aws/index.js';
import { createFileBlobStore } from '../../src/blobs/index.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/core/clock.js';
import { createLogger, type Logger, silentLogger } from '../../src/core/logger.js';
import { createChangeGates, createPatchRuns, createServiceNowWrites } from '../../src/flows/changes/index.js';
import { createApiApp } from '../../src/runtime/api-app/index.js';
import { createServiceNowClient, staticCredentials } from '../../src/servicenow/index.js';
import { SIM_BASIC_CREDENTIALS } from '../../src/sim/servicenow/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { harnessCore } from '../../test/support/core-context.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const KEY = { id: 'bench', secret: 'b'.repeat(48) };

export type Variant = 'full' | 'bare';

export interface ApiAppOptions {
  readonly variant: Variant;
  readonly servicenowUrl: string;
  readonly awsUrl: string;
  /** Run-status freshness; the product's default (15 s) when absent. */
  readonly freshnessMs?: number;
  /** Automation starts per second (the polling scenario starts its runs faster than SSM's 1 TPS; the simulator does not throttle starts). */
  readonly automationTps?: number;
  /** The full app's `PATCHBRIDGE_LOG_LEVEL`; the product's default (info: no line per request) when absent. */
  readonly logLevel?: string;
}

export interface RunningApiApp {
  readonly url: string;
  /** CPU time (user + system, µs) the server's process has used so far. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Passes every request as a fixed client and marks it validated unchecked (as
 * the operation its method and path name): the baseline.
 */
function bareAuth(spec: SpecValidator): Authenticator {
  const pass: RequestHandler = (req, res, next) => {
    res.locals['principal'] = { clientId: KEY.id, scheme: 'hmac', scopes: new Set() };
    const found = spec.match(req.method, req.path);
    markValidated(res, { operationId: found?.operation.operationId ?? 'bare', params: found?.params ?? {}, query: { ...req.query }, body: req.body });
    next();
  };
  return {
    authorize: pass,
    authenticate: async () => ({ clientId: KEY.id, scheme: 'hmac', scopes: new Set() }),
  };
}

/** Builds one variant over an in-memory SQLite store and listens on an ephemeral port of 127.0.0.1. */
export async function startApiApp(o: ApiAppOptions): Promise<RunningApiApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pb-bench-api-'));
  const clock = systemClock;
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  const clients = createAwsClients({
    accounts: [],
    defaultRegion: REGION,
    logger: silentLogger(),
    endpointOverrides: o.awsUrl,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  const aws = createAwsAdapters({ clients, clock, logger: silentLogger(), runbook: 'patchbridge-AdHocPatch', ...(o.automationTps ? { automationTps: o.automationTps } : {}) });
  const servicenow = createServiceNowClient({ instanceUrl: o.servicenowUrl, auth: staticCredentials(SIM_BASIC_CREDENTIALS), logger: silentLogger() });
  // The full app logs as `patchbridge serve` does: at the configured level (a line per request from debug), synchronously, to its standard output.
  const level = loadConfig(o.logLevel === undefined ? {} : { PATCHBRIDGE_LOG_LEVEL: o.logLevel }).logLevel;
  const logger: Logger = o.variant === 'full' ? createLogger({ level, destination: destination({ dest: '/dev/null', sync: true }) }) : silentLogger();
  const writes = createServiceNowWrites({ store });
  const patchRuns = createPatchRuns({ store, execution: aws.patchExecution, servicenow, writes, clock, logger, ...(o.freshnessMs ? { freshnessMs: o.freshnessMs } : {}) });
  const changeGates = createChangeGates({ store, windows: aws.windows, servicenow, writes, clock, logger });
  let app: Express;
  if (o.variant === 'full') {
    // The product's app, as both runtimes build it: auth, idempotency, spec validation and the routes,
    // with the HMAC key and a rate limit the load never reaches said in configuration.
    const config = loadConfig({ PATCHBRIDGE_AWS_REGIONS: REGION, PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_API_HMAC_KEYS: `${KEY.id}:${KEY.secret}`, PATCHBRIDGE_API_RATE_LIMIT: '1000000' });
    const blobs = createFileBlobStore({ dir, clock });
    const core = harnessCore({ config, logger, clock, store, blobs, awsClients: clients, aws, servicenow });
    app = createApiApp(core, { change: { patchRuns, changeGates } });
  } else {
    // The baseline is deliberately not the product's app: the same routes with the middleware taken out.
    const openApi = loadOpenApiDocument();
    const auth = bareAuth(createSpecValidator(openApi));
    app = createApp({
      logger,
      operations: { checks: [], missing: () => [], openApi },
      features: [patchRunRoutes({ auth, idempotency: createIdempotency({ store, clock, logger }), patchRuns }), changeGateRoutes({ auth, changeGates })],
    });
  }
  const server = await startServer(app, { host: '127.0.0.1', port: 0, logger: silentLogger() });
  return {
    url: server.url,
    async cpuMicros() {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    async close() {
      await server.close(1_000);
      await store.close();
      clients.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
