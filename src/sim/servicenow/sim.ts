import { type Clock, constantTimeEqual, silentLogger, systemClock } from '../../core/index.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Prng } from './prng.js';
import { applyQuery, parseEncodedQuery, strictQueryViolation } from './query.js';
import { FAILURE_IMPORT_TABLE, IMPORT_ROLES, INTEGRATION_ROLES, type TableDef } from './schema.js';
import { SimSeeder } from './seed.js';
import { DuplicateSysIdError, type SimRecord, SimState } from './state.js';
import { loadFailureRow, type TransformResult, transformStagedRow, untransformed } from './transform.js';
import type { ServiceNowSimOptions, SimKnobs, SimOAuthClient, SimRequest, SimUser } from './types.js';
import { ID_SOURCES } from '../../domain/index.js';

/** Credentials of the default integration user and OAuth client. Simulator-only values, not secrets. */
export const SIM_DEFAULTS = {
  userName: 'patchbridge.integration',
  password: 'sim-password',
  clientId: 'patchbridge-sim-client',
  clientSecret: 'sim-client-secret',
  roles: INTEGRATION_ROLES,
} as const;

const HIBERNATION_PAGE =
  '<!DOCTYPE html><html><head><title>Instance Hibernating page</title></head>' +
  '<body><h1>Your instance is hibernating</h1><p>Sign in to the developer portal to wake it up.</p></body></html>';

const MAX_LIMIT = 10_000;

interface Token {
  readonly userName: string;
  readonly expiresAt: number;
}

/** Handle on one simulated ServiceNow instance. Many can run in one process. */
export interface ServiceNowSim {
  /** The express app; usable without a port (supertest) or via `listen`. */
  readonly app: Express;
  /** Listens on `host` (default 127.0.0.1), port 0 = ephemeral. Resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL once listening. */
  readonly url: string;
  readonly state: SimState;
  readonly seed: SimSeeder;
  readonly auth: SimAuth;
  /** Requests received, oldest first (no bodies, no credentials). */
  readonly requests: readonly SimRequest[];
  /**
   * Every `sysparm_query` received that fails the strict check
   * (`strictQueryViolation`: only known conditions over key-like values), with
   * the reason; the first 100 since start or `resetRequests()`. Not kept in the
   * bounded request log, so a long run cannot push one out.
   */
  readonly queryViolations: readonly { readonly query: string; readonly reason: string }[];
  /** Requests counted under `key` (`"GET /api/now/table/incident"`), matching a RegExp, or all. */
  calls(key?: string | RegExp): number;
  counters(): Readonly<Record<string, number>>;
  resetRequests(): void;
  /** The most API requests served at once since start or `resetRequests()` (after the semaphore queue). */
  readonly peakInFlight: number;
  /** Changes realism knobs at runtime. */
  configure(knobs: SimKnobs): void;
  readonly knobs: SimKnobs;
}

/** Users, OAuth clients and tokens of the simulated instance. */
export interface SimAuth {
  addUser(user: SimUser): void;
  setPassword(userName: string, password: string): void;
  addOAuthClient(client: SimOAuthClient): void;
  /** Rotates a client secret; tokens already issued stay valid until they expire, as on a real instance. */
  setClientSecret(clientId: string, clientSecret: string): void;
  /** Invalidates every issued token (a 401 on the next call with one). */
  revokeTokens(): void;
  readonly tokensIssued: number;
}

function envelope(message: string, detail: string | null) {
  return { error: { message, detail }, status: 'failure' };
}


const SYS_ID_SEGMENT = new RegExp(`/${ID_SOURCES.sysId}(?=/|$)`, 'g');

function counterKey(method: string, path: string): string {
  return `${method} ${path.replace(SYS_ID_SEGMENT, '/:sys_id')}`;
}

function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.originalUrl, 'http://sim').searchParams) out[k] = v;
  return out;
}

/** A `YYYY-MM-DD HH:mm:ss` UTC value shown in `timeZone`, as display values are. */
function inTimeZone(value: string, timeZone: string): string {
  const at = new Date(`${value.replace(' ', 'T')}Z`);
  if (Number.isNaN(at.getTime())) return value;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

function hasRole(user: SimUser, roles: readonly string[]): boolean {
  return roles.length === 0 || user.roles.includes('admin') || roles.some((r) => user.roles.includes(r));
}

/**
 * Creates a simulated ServiceNow instance: Table, Import Set and Attachment
 * APIs, OAuth client credentials and Basic auth, and realism knobs (latency,
 * rate limit, error rate, outages, hibernation), deterministic under `seed`.
 */
export function createServiceNowSim(options: ServiceNowSimOptions = {}): ServiceNowSim {
  const clock: Clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const prng = new Prng(options.seed ?? 1);
  const state = new SimState(clock, prng);
  const seeder = new SimSeeder(state);
  const tokenTtl = options.tokenTtlSeconds ?? 1799;
  const logLimit = options.requestLogLimit ?? 10_000;
  let knobs: SimKnobs = {
    latency: options.latency,
    rateLimit: options.rateLimit,
    errorRate: options.errorRate,
    outages: options.outages ?? [],
    hibernating: options.hibernating ?? false,
    insertMultiple: options.insertMultiple ?? 'async',
    importSetMode: options.importSetMode ?? 'synchronous',
    asyncTransformDelayMs: options.asyncTransformDelayMs ?? 0,
    transformOutcome: options.transformOutcome,
    semaphores: options.semaphores,
    readOnlyFields: options.readOnlyFields,
    blockedAttachmentExtensions: options.blockedAttachmentExtensions,
    aclHidden: options.aclHidden,
    dropQueryConditions: options.dropQueryConditions ?? false,
    endlessNextLink: options.endlessNextLink ?? false,
    requireRestApiAccessRole: options.requireRestApiAccessRole ?? false,
  };

  const users = new Map<string, SimUser>();
  const clients = new Map<string, SimOAuthClient>();
  const tokens = new Map<string, Token>();
  let tokensIssued = 0;
  const windows = new Map<string, { start: number; count: number }>();
  const requests: SimRequest[] = [];
  const counts = new Map<string, number>();
  const queryViolations: { query: string; reason: string }[] = [];

  const auth: SimAuth = {
    addUser(user) {
      users.set(user.userName, user);
      if (!state.findByDisplay('sys_user', user.userName)) state.insert('sys_user', { user_name: user.userName, name: user.userName });
    },
    setPassword(userName, password) {
      const user = users.get(userName);
      if (!user) throw new Error(`no sim user ${userName}`);
      users.set(userName, { ...user, password });
    },
    addOAuthClient(client) {
      clients.set(client.clientId, client);
    },
    setClientSecret(clientId, clientSecret) {
      const client = clients.get(clientId);
      if (!client) throw new Error(`no sim OAuth client ${clientId}`);
      clients.set(clientId, { ...client, clientSecret });
    },
    revokeTokens() {
      tokens.clear();
    },
    get tokensIssued() {
      return tokensIssued;
    },
  };
  for (const user of options.users ?? [{ userName: SIM_DEFAULTS.userName, password: SIM_DEFAULTS.password, roles: SIM_DEFAULTS.roles }]) {
    auth.addUser(user);
  }
  for (const client of options.oauthClients ?? [
    { clientId: SIM_DEFAULTS.clientId, clientSecret: SIM_DEFAULTS.clientSecret, userName: SIM_DEFAULTS.userName },
  ]) {
    auth.addOAuthClient(client);
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  // Request log and counters: every request, whatever answers it.
  app.use((req, res, next) => {
    const started = clock.now().getTime();
    const path = req.path;
    const key = counterKey(req.method, path);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const query = flatQuery(req)['sysparm_query'];
    const violation = query === undefined ? undefined : strictQueryViolation(query);
    if (query !== undefined && violation && queryViolations.length < 100) queryViolations.push({ query: query.slice(0, 2_000), reason: violation });
    res.on('finish', () => {
      const header = req.get('authorization') ?? '';
      requests.push({
        at: new Date(started).toISOString(),
        method: req.method,
        path,
        key,
        query: flatQuery(req),
        status: res.statusCode,
        user: typeof res.locals['user'] === 'string' ? res.locals['user'] : undefined,
        auth: /^basic /i.test(header) ? 'basic' : /^bearer /i.test(header) ? 'bearer' : 'none',
        durationMs: clock.now().getTime() - started,
        cookie: req.get('cookie') !== undefined,
      });
      if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);
    });
    next();
  });

  // Realism knobs that apply before authentication.
  app.use(async (_req, res, next) => {
    const latency = knobs.latency;
    if (latency) {
      const ms =
        latency.kind === 'fixed'
          ? latency.ms
          : latency.kind === 'uniform'
            ? latency.minMs + prng.next() * (latency.maxMs - latency.minMs)
            : latency.meanMs + prng.normal() * latency.stdDevMs;
      if (ms > 0) await clock.sleep(ms);
    }
    if (knobs.hibernating) {
      res.status(200).type('html').send(HIBERNATION_PAGE);
      return;
    }
    const now = clock.now().getTime();
    if ((knobs.outages ?? []).some((w) => new Date(w.from).getTime() <= now && now < new Date(w.to).getTime())) {
      res.status(503).json(envelope('Service Unavailable', 'The instance is temporarily unavailable'));
      return;
    }
    next();
  });

  app.post('/oauth_token.do', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const clientId = typeof body['client_id'] === 'string' ? body['client_id'] : '';
    const clientSecret = typeof body['client_secret'] === 'string' ? body['client_secret'] : '';
    const client = clients.get(clientId);
    // ServiceNow answers a bad client or grant with this body, not the REST envelope.
    if (body['grant_type'] !== 'client_credentials' || !client || !constantTimeEqual(client.clientSecret, clientSecret)) {
      res.status(401).json({ error_description: 'access_denied', error: 'server_error' });
      return;
    }
    const accessToken = prng.hex(64);
    tokens.set(accessToken, { userName: client.userName, expiresAt: clock.now().getTime() + tokenTtl * 1000 });
    tokensIssued++;
    res.json({ access_token: accessToken, scope: 'useraccount', token_type: 'Bearer', expires_in: tokenTtl });
  });

  const api = express.Router();

  // Authentication, then the per-user rate limit and random errors.
  api.use((req, res, next) => {
    const header = req.get('authorization') ?? '';
    let user: SimUser | undefined;
    const bearer = /^Bearer (.+)$/i.exec(header);
    const basic = /^Basic (.+)$/i.exec(header);
    if (bearer?.[1]) {
      const token = tokens.get(bearer[1]);
      if (token && token.expiresAt > clock.now().getTime()) user = users.get(token.userName);
    } else if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const candidate = i > 0 ? users.get(decoded.slice(0, i)) : undefined;
      if (candidate && constantTimeEqual(candidate.password, decoded.slice(i + 1))) user = candidate;
    }
    if (!user) {
      res.status(401).json(envelope('User Not Authenticated', 'Required to provide Auth information'));
      return;
    }
    res.locals['user'] = user.userName;
    res.locals['simUser'] = user;
    if (knobs.requireRestApiAccessRole && !hasRole(user, ['snc_platform_rest_api_access'])) {
      res.status(403).json(envelope('User Not Authorized', 'User does not have the role snc_platform_rest_api_access'));
      return;
    }
    const limit = knobs.rateLimit;
    if (limit) {
      const windowMs = limit.windowMs ?? 1000;
      const now = clock.now().getTime();
      const start = Math.floor(now / windowMs) * windowMs;
      const w = windows.get(user.userName);
      const current = w && w.start === start ? w : { start, count: 0 };
      current.count++;
      windows.set(user.userName, current);
      const reset = start + windowMs;
      res.set('X-RateLimit-Limit', String(limit.requestsPerSecond));
      res.set('X-RateLimit-Reset', String(Math.ceil(reset / 1000)));
      res.set('X-RateLimit-Rule', limit.ruleSysId ?? '3b2f4e5a1b2c3d4e5f60718293a4b5c6');
      if (current.count > limit.requestsPerSecond) {
        res.set('Retry-After', String(Math.max(1, Math.ceil((reset - now) / 1000))));
        res
          .status(429)
          .json(envelope('Rate limit exceeded', `Too many requests for user ${user.userName}; retry after the window resets`));
        return;
      }
    }
    // Every answer opens a session, as an instance's does; a client that sends it back shares that session.
    res.cookie('JSESSIONID', `sim${++sessions}`, { path: '/', httpOnly: true });
    const errors = knobs.errorRate;
    if (errors && errors.rate > 0 && prng.next() < errors.rate) {
      const statuses = errors.statuses?.length ? errors.statuses : [500, 503];
      const status = statuses[Math.floor(prng.next() * statuses.length)] ?? 500;
      res
        .status(status)
        .json(status === 503 ? envelope('Service Unavailable', 'Simulated error') : envelope('Internal server error', 'Simulated error'));
      return;
    }
    next();
  });

  // The semaphore pool: `threads` run, `queue` wait, the rest are refused with a bare 429.
  let inFlight = 0;
  let peakInFlight = 0;
  let sessions = 0;
  const waiting: (() => void)[] = [];
  api.use(async (_req, res, next) => {
    const pool = knobs.semaphores;
    if (pool && inFlight >= pool.threads) {
      if (waiting.length >= pool.queue) {
        res.status(429).json(envelope('Too Many Requests', 'The request queue is full'));
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    // The thread is free once the answer is written, before the caller can read it and send the next request.
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight--;
      waiting.shift()?.();
    };
    const end = res.end.bind(res);
    res.end = ((...args: Parameters<typeof res.end>) => {
      release();
      return end(...args);
    }) as typeof res.end;
    res.once('close', release);
    if (pool?.holdMs) await clock.sleep(pool.holdMs);
    next();
  });

  const baseUrl = (req: Request) => `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
  const simUser = (res: Response): SimUser => res.locals['simUser'] as SimUser;

  const tableDef = (req: Request, res: Response, access: 'read' | 'write', table?: string): TableDef | undefined => {
    const name = table ?? String(req.params['table'] ?? '');
    const def = state.def(name);
    if (!def) {
      res.status(400).json(envelope(`Invalid table ${name}`, null));
      return undefined;
    }
    const user = simUser(res);
    if (!hasRole(user, access === 'read' ? def.readRoles : def.writeRoles)) {
      if (access === 'read') res.status(403).json(envelope('User Not Authorized', 'Not authorized'));
      else {
        const op = req.method === 'POST' ? 'Insert' : 'Update';
        res.status(403).json(envelope('Operation Failed', `ACL Exception ${op} Failed due to security constraints`));
      }
      return undefined;
    }
    return def;
  };

  /**
   * Renders a row as the Table API does for `sysparm_fields`,
   * `sysparm_exclude_reference_link` and `sysparm_display_value` (`true`: display
   * values only, date-times in the user's time zone; `all`: both).
   */
  const render = (req: Request, def: TableDef, row: SimRecord, res: Response): Record<string, unknown> => {
    const q = flatQuery(req);
    const requested = q['sysparm_fields']
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const names = requested && requested.length > 0 ? requested.filter((f) => Object.hasOwn(def.fields, f)) : Object.keys(def.fields);
    const excludeLinks = q['sysparm_exclude_reference_link'] === 'true';
    const mode = q['sysparm_display_value'] === 'true' ? 'display' : q['sysparm_display_value'] === 'all' ? 'all' : 'value';
    const timeZone = mode === 'value' ? 'UTC' : userTimeZone(simUser(res).userName);
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const field = def.fields[name];
      if (!field) continue;
      const value = field.type === 'journal' ? '' : (row[name] ?? '');
      const link = field.type === 'reference' && value !== '' && !excludeLinks ? { link: `${baseUrl(req)}/api/now/table/${field.ref}/${value}` } : {};
      const display =
        mode === 'value'
          ? value
          : field.type === 'reference' && value !== ''
            ? (state.get(field.ref ?? '', value)?.[state.def(field.ref ?? '')?.display ?? 'name'] ?? '')
            : field.type === 'datetime' && value !== ''
              ? inTimeZone(value, timeZone)
              : value;
      if (mode === 'all') out[name] = { display_value: display, value, ...link };
      else if ('link' in link) out[name] = mode === 'display' ? { display_value: display, ...link } : { ...link, value };
      else out[name] = display;
    }
    return out;
  };

  const userTimeZone = (userName: string): string =>
    state.rowsForQuery('sys_user').find((u) => u['user_name'] === userName)?.['time_zone'] || 'UTC';

  const jsonBody = express.json({ limit: '10mb', type: () => true });

  const objectBody = (req: Request, res: Response): Record<string, unknown> | undefined => {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      res.status(400).json(envelope('Exception while reading request', 'The payload is not valid JSON.'));
      return undefined;
    }
    return req.body as Record<string, unknown>;
  };

  api.get('/table/:table', (req, res) => {
    const def = tableDef(req, res, 'read');
    if (!def) return;
    const q = flatQuery(req);
    const limit = Math.min(Math.max(Number.parseInt(q['sysparm_limit'] ?? `${MAX_LIMIT}`, 10) || MAX_LIMIT, 1), MAX_LIMIT);
    const offset = Math.max(Number.parseInt(q['sysparm_offset'] ?? '0', 10) || 0, 0);
    const rows = applyQuery(state.rowsForQuery(def.name), parseEncodedQuery(q['sysparm_query'] ?? ''), (f) =>
      Object.hasOwn(def.fields, f) && !knobs.dropQueryConditions,
    );
    // sysparm_limit is applied before ACLs: hidden rows still take their place in the page and the count.
    const hidden = knobs.aclHidden?.table === def.name ? knobs.aclHidden : undefined;
    const page = rows.slice(offset, offset + limit).filter((row) => !hidden || row[hidden.field] !== hidden.value);
    const link = (at: number) => {
      const url = new URL(`${baseUrl(req)}/api/now/table/${def.name}`);
      for (const [k, v] of Object.entries(q)) if (k !== 'sysparm_offset' && k !== 'sysparm_limit') url.searchParams.set(k, v);
      url.searchParams.set('sysparm_limit', String(limit));
      url.searchParams.set('sysparm_offset', String(at));
      return url.toString();
    };
    const links = [`<${link(0)}>;rel="first"`];
    if (offset > 0) links.push(`<${link(Math.max(0, offset - limit))}>;rel="prev"`);
    if (offset + limit < rows.length || knobs.endlessNextLink) links.push(`<${link(offset + limit)}>;rel="next"`);
    links.push(`<${link(Math.max(0, Math.floor((rows.length - 1) / limit) * limit))}>;rel="last"`);
    res.set('Link', links.join(','));
    res.set('X-Total-Count', String(rows.length));
    res.json({ result: page.map((row) => render(req, def, row, res)) });
  });

  api.get('/table/:table/:sysId', (req, res) => {
    const def = tableDef(req, res, 'read');
    if (!def) return;
    const row = state.get(def.name, String(req.params['sysId']));
    if (!row) {
      res.status(404).json(envelope('No Record found', "Record doesn't exist or ACL restricts the record retrieval"));
      return;
    }
    res.json({ result: render(req, def, row, res) });
  });

  api.post('/table/:table', jsonBody, (req, res) => {
    const def = tableDef(req, res, 'write');
    if (!def) return;
    const body = objectBody(req, res);
    if (!body) return;
    const policy = resolutionPolicy(def.name, body, undefined);
    if (policy) {
      res.status(403).json(envelope('Operation Failed', policy));
      return;
    }
    let row: SimRecord;
    try {
      row = state.insert(def.name, body, simUser(res).userName, { inputDisplayValue: flatQuery(req)['sysparm_input_display_value'] === 'true' });
    } catch (err) {
      if (!(err instanceof DuplicateSysIdError)) throw err;
      // What the platform answers when the insert is refused (a unique key, a business rule abort).
      res.status(403).json(envelope('Operation Failed', err.message));
      return;
    }
    res.status(201).set('Location', `${baseUrl(req)}/api/now/table/${def.name}/${row['sys_id']}`).json({ result: render(req, def, row, res) });
  });

  const update = (req: Request, res: Response) => {
    const def = tableDef(req, res, 'write');
    if (!def) return;
    const body = objectBody(req, res);
    if (!body) return;
    // A field-level write ACL: the platform skips the field and still answers 200.
    const denied = knobs.readOnlyFields?.[def.name] ?? [];
    const allowed = Object.fromEntries(Object.entries(body).filter(([field]) => !denied.includes(field)));
    const policy = resolutionPolicy(def.name, allowed, state.get(def.name, String(req.params['sysId'])));
    if (policy) {
      res.status(403).json(envelope('Operation Failed', policy));
      return;
    }
    const row = state.update(def.name, String(req.params['sysId']), allowed, simUser(res).userName, {
      inputDisplayValue: flatQuery(req)['sysparm_input_display_value'] === 'true',
    });
    if (!row) {
      res.status(404).json(envelope('No Record found', "Record doesn't exist or ACL restricts the record retrieval"));
      return;
    }
    res.json({ result: render(req, def, row, res) });
  };
  api.patch('/table/:table/:sysId', jsonBody, update);
  api.put('/table/:table/:sysId', jsonBody, update);

  /** Runs `fn` after the asynchronous-transform delay on the simulator's clock. */
  const later = (fn: () => void) => {
    void clock
      .sleep(knobs.asyncTransformDelayMs ?? 0)
      .then(fn)
      .catch((err: unknown) => logger.error({ err }, 'servicenow sim: asynchronous transform failed'));
  };

  /** The transform map, or the answer a misconfigured one gives (`transformOutcome`). */
  const stagedTransform =
    (base: string, user: string) =>
    (staging: SimRecord): TransformResult => {
      const forced = knobs.transformOutcome;
      return forced ? untransformed(staging, forced, base) : transformStagedRow(state, staging, base, user);
    };

  const importAllowed = (req: Request, res: Response): boolean => {
    if (req.params['staging'] !== FAILURE_IMPORT_TABLE) {
      res.status(400).json(envelope(`Invalid table ${String(req.params['staging'])}`, null));
      return false;
    }
    const user = simUser(res);
    if (!user.roles.includes('admin') && !IMPORT_ROLES.some((r) => user.roles.includes(r))) {
      res.status(403).json(envelope('Operation Failed', 'ACL Exception Insert Failed due to security constraints'));
      return false;
    }
    return true;
  };

  api.post('/import/:staging/insertMultiple', jsonBody, (req, res) => {
    if (!importAllowed(req, res)) return;
    const body = objectBody(req, res);
    if (!body) return;
    const records = body['records'];
    if (!Array.isArray(records) || records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      res.status(400).json(envelope('Invalid request body', 'Expected {"records": [ {...}, ... ]}'));
      return;
    }
    const set = state.newImportSet(FAILURE_IMPORT_TABLE);
    const staged = records.map((r: Record<string, unknown>) => loadFailureRow(state, set, r));
    const multiImportSetId = state.newSysId();
    const transform = stagedTransform(baseUrl(req), simUser(res).userName);
    if (knobs.insertMultiple === 'async') {
      // The platform default: answer with the set ids only; the transform runs later.
      later(() => staged.forEach(transform));
      res.status(201).json({ import_set_id: set.sys_id, multi_import_set_id: multiImportSetId });
      return;
    }
    res.status(201).json({ import_set_id: set.sys_id, multi_import_set_id: multiImportSetId, result: staged.map(transform) });
  });

  api.post('/import/:staging', jsonBody, (req, res) => {
    if (!importAllowed(req, res)) return;
    const body = objectBody(req, res);
    if (!body) return;
    const set = state.newImportSet(FAILURE_IMPORT_TABLE);
    const staging = loadFailureRow(state, set, body);
    const transform = stagedTransform(baseUrl(req), simUser(res).userName);
    if (knobs.importSetMode === 'asynchronous') {
      // The row stays in the staging table; the answer describes the staging row, not an incident.
      later(() => transform(staging));
      const result = {
        transform_map: '',
        table: FAILURE_IMPORT_TABLE,
        display_name: 'sys_id',
        display_value: staging['sys_id'] ?? '',
        record_link: `${baseUrl(req)}/api/now/table/${FAILURE_IMPORT_TABLE}/${staging['sys_id']}`,
        status: 'inserted',
        sys_id: staging['sys_id'] ?? '',
      };
      res.status(201).json({ import_set: set.number, staging_table: FAILURE_IMPORT_TABLE, result: [result] });
      return;
    }
    res.status(201).json({ import_set: set.number, staging_table: FAILURE_IMPORT_TABLE, result: [transform(staging)] });
  });

  api.post('/attachment/file', express.raw({ type: () => true, limit: '50mb' }), (req, res) => {
    const q = flatQuery(req);
    const tableName = q['table_name'] ?? '';
    const tableSysId = q['table_sys_id'] ?? '';
    const fileName = q['file_name'] ?? '';
    const contentType = req.get('content-type') ?? '';
    if (!tableName || !tableSysId || !fileName) {
      res.status(400).json(envelope('Missing parameter', 'table_name, table_sys_id and file_name are required'));
      return;
    }
    if (!contentType) {
      res.status(400).json(envelope('Content-Type header is required', null));
      return;
    }
    const def = tableDef(req, res, 'write', tableName);
    if (!def) return;
    const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
    if ((knobs.blockedAttachmentExtensions ?? []).map((e) => e.toLowerCase()).includes(extension)) {
      res.status(403).json(envelope('Operation Failed', `Attachments of type .${extension} are not allowed on this instance`));
      return;
    }
    if (!state.get(def.name, tableSysId)) {
      res.status(404).json(envelope('No Record found', "Record doesn't exist or ACL restricts the record retrieval"));
      return;
    }
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const meta = state.addAttachment(
      {
        file_name: fileName,
        content_type: contentType,
        table_name: tableName,
        table_sys_id: tableSysId,
        compressed: 'true',
        size_compressed: String(data.length),
        average_image_color: '',
        image_width: '',
        image_height: '',
        state: 'available',
        sys_tags: '',
      },
      data,
      simUser(res).userName,
    );
    res
      .status(201)
      .set('Location', `${baseUrl(req)}/api/now/attachment/${meta['sys_id']}`)
      .json({ result: { ...meta, download_link: `${baseUrl(req)}/api/now/attachment/${meta['sys_id']}/file` } });
  });

  api.get('/attachment/:sysId', (req, res) => {
    const found = state.attachment(String(req.params['sysId']));
    if (!found) {
      res.status(404).json(envelope('Record doesn\'t exist or ACL restricts the record retrieval', null));
      return;
    }
    res.json({ result: { ...found.meta, download_link: `${baseUrl(req)}/api/now/attachment/${found.meta['sys_id']}/file` } });
  });

  api.get('/attachment/:sysId/file', (req, res) => {
    const found = state.attachment(String(req.params['sysId']));
    if (!found) {
      res.status(404).json(envelope('Record doesn\'t exist or ACL restricts the record retrieval', null));
      return;
    }
    res.type(found.meta['content_type'] ?? 'application/octet-stream').send(found.data);
  });

  api.use((_req, res) => {
    res.status(400).json(envelope('Requested URI does not represent any resource', null));
  });

  app.use('/api/now', api);

  app.use((_req: Request, res: Response) => {
    res.status(404).type('html').send('<html><body>Not found</body></html>');
  });

  // Body-parser failures (bad JSON, too large) answer in ServiceNow's envelope.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) logger.error({ err }, 'servicenow sim: unhandled error');
    res
      .status(status)
      .json(
        status === 400
          ? envelope('Exception while reading request', 'The payload is not valid JSON.')
          : envelope(status === 413 ? 'Request entity too large' : 'Internal server error', null),
      );
  });

  let server: Server | undefined;
  let url: string | undefined;

  return {
    app,
    state,
    seed: seeder,
    auth,
    get requests() {
      return requests;
    },
    get queryViolations() {
      return queryViolations;
    },
    get url() {
      if (!url) throw new Error('ServiceNow sim is not listening');
      return url;
    },
    get knobs() {
      return knobs;
    },
    configure(next) {
      knobs = { ...knobs, ...next };
    },
    calls(key) {
      if (key === undefined) return [...counts.values()].reduce((a, b) => a + b, 0);
      if (typeof key === 'string') return counts.get(key) ?? 0;
      return [...counts.entries()].filter(([k]) => key.test(k)).reduce((a, [, n]) => a + n, 0);
    },
    counters() {
      return Object.fromEntries(counts);
    },
    resetRequests() {
      requests.length = 0;
      queryViolations.length = 0;
      counts.clear();
      peakInFlight = inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host);
        s.once('error', reject);
        s.once('listening', () => {
          server = s;
          const address = s.address() as AddressInfo;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
          resolve(url);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server) return resolve();
        const s = server;
        server = undefined;
        url = undefined;
        s.close((err) => (err ? reject(err) : resolve()));
        s.closeAllConnections();
      });
    },
  };
}

/**
 * The stock data policy on incident: resolving or closing one (state 6 or 7)
 * needs a resolution code and resolution notes, also through the Table API.
 * Returns the platform's message when a write breaks it.
 */
function resolutionPolicy(table: string, values: Readonly<Record<string, unknown>>, current: SimRecord | undefined): string | undefined {
  if (table !== 'incident') return undefined;
  const after = (name: string) => {
    const v = values[name];
    return v === undefined || v === null ? (current?.[name] ?? '') : String(v);
  };
  const state = after('state');
  if (!['6', '7'].includes(state) || state === current?.['state']) return undefined;
  const missing = [
    ['close_code', 'Resolution code'],
    ['close_notes', 'Resolution notes'],
  ].filter(([name]) => after(name ?? '').trim() === '');
  if (missing.length === 0) return undefined;
  return `Data Policy Exception: \n${missing.map(([, label]) => `${label} is mandatory`).join('\n')}\n`;
}
