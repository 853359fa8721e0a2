import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Clock, Logger } from '../core/index.js';
import { listDeadLetters, replayDeadLetter } from '../flows/outbox/index.js';
import type { DeliveryOutcome, IncidentFlows } from '../flows/incidents/index.js';
import { encodedQuery, type ServiceNowClient } from '../servicenow/index.js';
import type { StateStore } from '../store/index.js';
import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_JS } from './page.js';
import { type ConsoleRole, type ConsoleSessions, CSRF_HEADER } from './sessions.js';
import type { SandboxDriver } from './sandbox.js';

type Receiver = IncidentFlows['receiver'];

/** Counts deliveries `/v1/events` and the sandbox fleet hand to the receiver, for the overview. */
export function countingReceiver(receiver: Receiver): { receiver: Receiver; counts: () => Record<string, number> } {
  const counts = { deliveries: 0, accepted: 0, duplicates: 0, ignored: 0 };
  const tally = async (outcome: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> => {
    const o = await outcome;
    counts.deliveries += 1;
    if (o.kind === 'accepted') {
      counts.accepted += o.accepted;
      counts.duplicates += o.duplicates;
      counts.ignored += o.ignored;
    }
    return o;
  };
  return {
    receiver: {
      ...receiver,
      receiveSns: (body) => tally(receiver.receiveSns(body)),
      receiveEventBridge: (body) => tally(receiver.receiveEventBridge(body)),
    },
    counts: () => {
      const rejected = Object.values(receiver.rejections()).reduce((a, b) => a + b, 0);
      return { ...counts, rejected };
    },
  };
}

export interface ConsoleDeps {
  /** Why the console is off, or `undefined` when it may be opened (and with which role). */
  readonly access:
    | { readonly open: true; readonly role: ConsoleRole }
    | { readonly open: true; readonly signIn: Router }
    | { readonly open: false; readonly why: string };
  readonly sessions: ConsoleSessions;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly servicenow: ServiceNowClient;
  readonly servicenowUrl: string | undefined;
  readonly nextRuns: () => ReadonlyMap<string, Date>;
  readonly events: () => Record<string, number>;
  readonly sandbox?: SandboxDriver;
  readonly home: { readonly accountId: string; readonly region: string };
}

/**
 * `/console`: the operators' page and the few JSON reads the API does not have
 * (overview counters, dead letters, incidents, the sandbox panel). Runs, windows
 * and reports are read by the page from the same `/v1` API the CLI uses, with the
 * console session as credentials.
 */
export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  const page = (res: Response, type: string, body: string) => {
    res.set({
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'referrer-policy': 'no-referrer',
    });
    res.send(body);
  };
  router.use((_req, res, next) => {
    if (deps.access.open) return next();
    res.status(404).type('text/plain').send(`The console is off: ${deps.access.why}\n`);
  });
  const access = deps.access;
  if (access.open && 'signIn' in access) router.use(access.signIn);
  router.get('/', (req, res) => {
    if (!deps.sessions.session(req) && access.open) {
      // OpenID Connect: no session yet means sign in first; the sandbox on loopback opens directly.
      if ('signIn' in access) return void res.redirect(302, '/console/login');
      deps.sessions.start(res, 'local', access.role);
    }
    page(res, 'text/html; charset=utf-8', CONSOLE_HTML);
  });
  router.get('/app.js', (_req, res) => page(res, 'text/javascript; charset=utf-8', CONSOLE_JS));
  router.get('/app.css', (_req, res) => page(res, 'text/css; charset=utf-8', CONSOLE_CSS));

  const api = Router();
  api.use(express.json({ limit: '16kb' }));
  api.use((req, res, next) => {
    const s = deps.sessions.session(req);
    if (!s) return void res.status(401).json({ code: 'UNAUTHORIZED', detail: 'open /console first' });
    if (req.method !== 'GET' && (s.role !== 'operator' || req.get(CSRF_HEADER) !== '1')) {
      return void res.status(403).json({ code: 'FORBIDDEN', detail: 'operator role required' });
    }
    res.locals['role'] = s.role;
    next();
  });
  api.get('/overview', async (_req, res) => {
    const [outboxDepth, dead] = await Promise.all([deps.store.outboxDepth(), listDeadLetters(deps.store, { limit: 50 })]);
    res.json({
      role: res.locals['role'],
      home: deps.home,
      events: deps.events(),
      outboxDepth,
      deadLetters: dead.items.map((d) => (d.valid ? { id: d.id, createdAt: d.createdAt, source: d.letter.source, code: d.letter.error.code, attempts: d.letter.attempts ?? 0 } : { id: d.id, createdAt: d.createdAt, source: '-', code: d.problem, attempts: 0 })),
      nextJobs: [...deps.nextRuns()].map(([job, at]) => ({ job, at: at.toISOString() })),
      sandbox: deps.sandbox?.status(),
    });
  });
  api.post('/dead-letters/:id/replay', async (req, res) => {
    const result = await replayDeadLetter(deps.store, String(req.params['id']), { clock: deps.clock });
    res.json(result);
  });
  api.get('/incidents', async (_req, res) => {
    const query = encodedQuery().startsWith('correlation_id', 'pb:').orderByDesc('sys_updated_on').build();
    const items = [];
    for await (const r of deps.servicenow.listRecords('incident', { query, fields: ['sys_id', 'number', 'correlation_id', 'short_description', 'state', 'active', 'sys_updated_on'], limit: 50, pageSize: 50 })) {
      items.push({ ...r, link: deps.servicenowUrl ? `${deps.servicenowUrl}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${r['sys_id'] ?? ''}`)}` : undefined });
    }
    res.json({ items });
  });
  if (deps.sandbox) {
    const sandbox = deps.sandbox;
    api.post('/sandbox/run-window', async (_req, res) => res.json(await sandbox.runLinuxWindow()));
    api.post('/sandbox/change', async (req, res) => {
      const action = (req.body as { action?: unknown } | undefined)?.action;
      if (action !== 'approve' && action !== 'reject' && action !== 'cancel') return void res.status(400).json({ code: 'VALIDATION_FAILED', detail: 'action: approve, reject or cancel' });
      res.json(sandbox.setChange(action));
    });
    api.post('/sandbox/servicenow-down', (_req, res) => res.json(sandbox.takeServiceNowDown(60_000)));
  }
  api.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.warn({ err }, 'console request failed');
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'INTERNAL';
    res.status(code === 'DEAD_LETTER_NOT_FOUND' ? 404 : 502).json({ code, detail: err instanceof Error ? err.message : 'failed' });
  });
  router.use('/api', api);
  return router;
}
