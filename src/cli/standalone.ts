import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { type ReadinessCheck, startServer } from '../api/index.js';
import type { Config } from '../config/index.js';
import { type Clock, type Logger, systemClock } from '../core/index.js';
import { createComplianceFlows, historyWorkerCount, resolveComplianceTargets } from '../flows/compliance/index.js';
import { createIncidentFlows } from '../flows/incidents/index.js';
import { createOutboxWorker, type OutboxHandler } from '../flows/outbox/index.js';
import { createChangeFlows, createGuardTask } from '../flows/changes/index.js';
import { createScheduler } from '../flows/scheduler/index.js';
import { createApiApp } from '../runtime/api-app/index.js';
import { createCoreContext, readinessChecks } from '../runtime/index.js';
import { GUARD_FUNCTION } from '../sim/aws/index.js';
import { type ConsoleDeps, consoleOidc, consoleRoutes, countingReceiver, createConsoleSessions, createSandboxDriver } from '../console/index.js';
import { startEmbeddedSimulators } from './embedded-simulators.js';
import { keyFile } from './key-file.js';

/** The guard lane polls often: a window start it misses waits at most this long. */
const GUARD_LANE_POLL_MS = 250;

export interface StandaloneOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
}

export interface RunningStandalone {
  readonly url: string;
  /** Human-readable lines for the terminal: which simulators run, what is missing. */
  readonly notes: readonly string[];
  /** Graceful stop: no new connections, in-flight requests finish, background work stops, store closes. */
  close(): Promise<void>;
}

/**
 * The standalone composition root (`patchbridge serve`): starts the embedded
 * simulators where nothing real is configured, builds every adapter and flow
 * from configuration, runs the outbox worker and the scheduler, and listens.
 */
export async function startStandalone(config: Config, options: StandaloneOptions): Promise<RunningStandalone> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<void>)[] = [];
  try {
    ensureDirs(config);
    const sims = await startEmbeddedSimulators(config, logger);
    closers.push(() => sims.close());
    const core = await createCoreContext(sims.config, { logger, clock, overrides: sims.overrides });
    closers.push(() => core.close());

    // Bind first: report links need the server's own URL when the port is ephemeral.
    let app: Express | undefined;
    let consoleRouter: Router | undefined;
    const front = express();
    front.disable('x-powered-by');
    // The console sits beside the API, not in it: it is not part of the OpenAPI contract.
    front.use('/console', (req, res, next) => (consoleRouter ? consoleRouter(req, res, next) : res.status(503).set('retry-after', '1').end()));
    front.use((req, res, next) => (app ? app(req, res, next) : res.status(503).set('retry-after', '1').end()));
    const server = await startServer(front, { host: config.server.host, port: config.server.port, logger });
    const closeServer = () => server.close();
    closers.push(closeServer);

    // A stable identity for this node's leases and claims: after a kill, the restart takes them back at once.
    const node = `node-${keyFile(config.dataDir, 'node-id').slice(0, 12)}`;
    let wake = () => {};
    const change = createChangeFlows(core, { wake: () => wake(), guardOnEvents: !sims.aws });
    const incidentFlows = createIncidentFlows(core, { nodeId: node, wake: () => wake(), observe: (event) => change.recordEvent(event) });
    const counted = countingReceiver(incidentFlows.receiver);
    const incidents = { ...incidentFlows, receiver: counted.receiver };
    const notes = [...sims.notes];
    // Start-up must not depend on AWS answering: without configured accounts the
    // home account comes from STS, and if that fails compliance has no targets yet.
    const targets = await resolveComplianceTargets(config, core.aws, core.awsClients.defaultContext()).catch((err: unknown) => {
      logger.warn({ err }, 'could not resolve the AWS account for compliance snapshots');
      notes.push('compliance: no AWS account could be resolved (set PATCHBRIDGE_AWS_ACCOUNTS); snapshots and reports are off');
      return [];
    });
    const compliance = createComplianceFlows(core, {
      targets,
      wake: () => wake(),
      onSnapshot: (snapshot) => incidentFlows.resolutions.fromSnapshot(snapshot),
      historyWorkers: historyWorkerCount(config.compliance.reportWorkers),
      standaloneLinks: { signingKey: config.compliance.linkSigningKey ?? keyFile(config.dataDir, 'link-signing.key'), baseUrl: config.server.publicUrl ?? server.url },
    });
    const lane = (name: string, pollMs: number, handlers: readonly OutboxHandler[]) =>
      createOutboxWorker({ store: core.store, clock, logger, owner: `${node}/${name}`, pollMs, handlers });
    const worker = lane('outbox', config.outbox.pollMs, [...incidents.outboxLanes.enrichment, ...change.outboxHandlers, ...compliance.outboxHandlers]);
    // Incident writes on a lane of their own: ServiceNow's latency never holds up enrichment, and a
    // storm's complete incidents are written while its later events are still enriched.
    const incidentLane = lane('incidents', config.outbox.pollMs, incidents.outboxLanes.servicenow);
    // The guard's lane: window-execution starts only, never queued behind the worker's deliveries.
    const guardLane = lane('guard', GUARD_LANE_POLL_MS, incidents.guardLaneHandlers);
    wake = () => {
      guardLane.wake();
      worker.wake();
      incidentLane.wake();
    };
    worker.start();
    incidentLane.start();
    guardLane.start();
    closers.push(() => worker.stop(), () => incidentLane.stop(), () => guardLane.stop());
    const scheduler = createScheduler({ clock, logger, jobs: compliance.jobs });
    scheduler.start();
    closers.push(() => scheduler.stop());
    // Stop taking requests before the worker and scheduler stop (closers run last-in first-out).
    closers.push(...closers.splice(closers.indexOf(closeServer), 1));

    if (sims.aws) {
      // The sandbox fleet behaves like AWS: its windows run the guard as their first
      // task, and its EventBridge events reach the same intake /v1/events feeds.
      const guard = createGuardTask({ changeGates: change.changeGates, worker, logger });
      sims.aws.registerLambda(GUARD_FUNCTION, async (invocation) => void (await guard(invocation)));
      sims.aws.sinks.add({
        kind: 'callback',
        fn: async (kind, payload) => {
          if (kind === 'eventbridge') await incidents.receiver.receiveEventBridge(payload);
        },
      });
    }

    const checks: ReadinessCheck[] = [
      ...readinessChecks(core),
      { name: 'outbox', check: async () => `${await core.store.outboxDepth()} pending` },
    ];
    const sessions = createConsoleSessions({ clock, secureCookie: (config.server.publicUrl ?? '').startsWith('https:') });
    app = createApiApp(core, { change, compliance, incidents }, { checks, sessions });
    const sandbox =
      sims.aws && sims.servicenow && sims.sandboxChange
        ? createSandboxDriver({ aws: sims.aws, servicenow: sims.servicenow, changeGates: change.changeGates, change: sims.sandboxChange, clock })
        : undefined;
    const oidc = config.console.oidc;
    const baseUrl = config.server.publicUrl ?? server.url;
    const access = consoleAccess(config, sandbox !== undefined, () =>
      consoleOidc({
        issuer: oidc?.issuer ?? '',
        clientId: oidc?.clientId ?? '',
        ...(oidc?.clientSecret ? { clientSecret: oidc.clientSecret } : {}),
        redirectUri: `${baseUrl}/console/callback`,
        rolesClaim: oidc?.rolesClaim ?? 'roles',
        operatorRole: oidc?.operatorRole ?? 'patchbridge-operator',
        sessions,
        clock,
        logger,
      }),
    );
    consoleRouter = consoleRoutes({
      access,
      sessions,
      store: core.store,
      clock,
      logger,
      servicenow: core.servicenow,
      servicenowUrl: sims.config.servicenow.instanceUrl,
      nextRuns: () => scheduler.nextRuns(),
      events: counted.counts,
      home: core.awsClients.defaultContext(),
      ...(sandbox ? { sandbox } : {}),
    });
    const next = scheduler.nextRuns();
    for (const [job, at] of next) notes.push(`scheduled: ${job} next at ${at.toISOString()}`);
    notes.push(access.open ? `console: ${baseUrl}/console` : `console: off (${access.why})`);
    return { url: server.url, notes, close: () => closeAll(closers) };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The console opens by itself only in the sandbox on a loopback bind, where
 * whoever reaches it is on this machine and the simulators hold nothing real.
 */
export function consoleAccess(config: Config, sandbox: boolean, signIn?: () => Router): ConsoleDeps['access'] {
  if (sandbox && LOOPBACK.test(config.server.host)) return { open: true, role: 'operator' };
  if (config.console.oidc && signIn) return { open: true, signIn: signIn() };
  return { open: false, why: sandbox ? 'the sandbox console opens only on a loopback PATCHBRIDGE_HOST' : 'set PATCHBRIDGE_CONSOLE_OIDC_ISSUER to sign people in with OpenID Connect' };
}

/** Embedded defaults live under relative paths; create their directories on first start. */
function ensureDirs(config: Config): void {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') mkdirSync(path.dirname(path.resolve(config.store.path)), { recursive: true });
  if (config.blobs.kind === 'file') mkdirSync(path.resolve(config.blobs.dir), { recursive: true });
}

/** Closes in reverse order of opening: the server first, the simulators last. */
async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
}
