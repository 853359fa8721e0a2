import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Clock, type Logger, silentLogger, systemClock } from '../../core/index.js';
import { type AwsSimSink, Deliveries, SIGNING_CERT_PATH } from './deliveries.js';
import { type CreateFleetOptions, createFleet, type Fleet, type InvocationOutcome } from './fleet.js';
import { Rng } from './random.js';
import { type SimTimeMode, SimScheduler } from './scheduler.js';
import {
  type Caller,
  type ServiceState,
  secretsHandlers,
  snsHandlers,
  stsHandlers,
  taggingGetResources,
  topicArnFor,
} from './services.js';
import { createSnsSigner, type SnsSigner } from './sns-signer.js';
import { automationHandlers } from './ssm-automation.js';
import { commandHandlers } from './ssm-commands.js';
import { inventoryHandlers } from './ssm-inventory.js';
import { findWindow, runWindow, windowHandlers } from './ssm-windows.js';
import type { AccountState, LambdaHandler, NotificationSpec, SimCalendar, SimCore } from './state.js';
import { JsonInput, queryError, queryResponse, SimAwsError, type SimService, type XmlNode } from './wire.js';

/** A fixed delay, or a seeded uniform delay between two bounds, in real milliseconds. */
export type LatencySpec = number | { readonly minMs: number; readonly maxMs: number };
/** Sustained calls per second, with an optional burst (default: one second's worth). */
export type TpsSpec = number | { readonly rate: number; readonly burst?: number };

export interface CreateAwsSimOptions {
  /** The fleet every account sees (or options to generate it); default 20 instances from `seed`. */
  readonly fleet?: Fleet | CreateFleetOptions;
  /** Per-account fleets, overriding `fleet` for those accounts. */
  readonly fleets?: Readonly<Record<string, Fleet>>;
  readonly seed?: number | string;
  /** Where simulated time starts, and what `scaled` time follows. Default the system clock. */
  readonly clock?: Clock;
  /** Default `instant`. */
  readonly time?: SimTimeMode;
  /**
   * Per operation name (`DescribeInstanceInformation`), or `*` for all. Real time, from the
   * request's arrival to its answer (or error): the simulator's own work runs inside it, and the
   * answer is the state when the request arrived.
   */
  readonly latency?: Readonly<Record<string, LatencySpec>>;
  /** Per operation name, or `*`; over the limit the call answers a ThrottlingException. Per account and region. */
  readonly tps?: Readonly<Record<string, TpsSpec>>;
  readonly sinks?: readonly AwsSimSink[];
  /** The account of callers that have not assumed a role; default the fleet's account. */
  readonly accountId?: string;
  /** Accounts roles may be assumed into; default any. */
  readonly accounts?: readonly string[];
  /** Roles that may be assumed (with their external id); default any role. */
  readonly roles?: Readonly<Record<string, { readonly externalId?: string }>>;
  /** Topic ARNs (or names, in the home account and default region) that exist. */
  readonly topics?: readonly string[];
  /** Publish to an unknown topic creates it instead of answering NotFound. Default false. */
  readonly autoCreateTopics?: boolean;
  /** Secrets by name; objects are stored as JSON. */
  readonly secrets?: Readonly<Record<string, string | object>>;
  readonly calendars?: Readonly<Record<string, { readonly defaultState: 'OPEN' | 'CLOSED'; readonly events?: readonly { start: string | Date; end: string | Date }[] }>>;
  /** Maintenance-window LAMBDA task handlers, by function name or ARN. */
  readonly lambdas?: Readonly<Record<string, LambdaHandler>>;
  /** The topic the ad hoc patch runbook notifies (it is prepopulated in the runbook). */
  readonly automationNotification?: { readonly topicArn: string; readonly type?: 'Command' | 'Invocation'; readonly events?: readonly string[] };
  readonly snsSigner?: SnsSigner;
  /** SNS SignatureVersion for HTTP deliveries; default '1' (SHA1withRSA), as SNS topics default to. */
  readonly signatureVersion?: '1' | '2';
  readonly defaultRegion?: string;
  readonly logger?: Logger;
  /** Request log entries kept (oldest dropped); default 100,000. */
  readonly requestLogLimit?: number;
}

export interface SimRequestLogEntry {
  readonly seq: number;
  /** Real time (epoch ms) the request arrived. */
  readonly at: number;
  readonly simTime: number;
  readonly service: SimService | 'unknown';
  readonly operation: string;
  readonly accountId: string;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly status: number;
  readonly errorCode?: string;
  /** The SDK's attempt number (`amz-sdk-request: attempt=N`), so retries and backoff are visible. */
  readonly attempt?: number;
  readonly invocationId?: string;
  readonly durationMs: number;
}

export interface SimCounter {
  calls: number;
  ok: number;
  errors: number;
  throttled: number;
}

export interface InjectedFault {
  readonly name: string;
  readonly status?: number;
  readonly message?: string;
  /** How many calls fail; default 1. */
  readonly times?: number;
}

export interface AwsSim {
  /** Base URL once listening (`http://127.0.0.1:PORT`). */
  readonly url: string;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The default fleet. */
  readonly fleet: Fleet;
  fleetFor(accountId: string): Fleet;
  readonly requestLog: readonly SimRequestLogEntry[];
  readonly counters: ReadonlyMap<string, Readonly<SimCounter>>;
  /** Calls that reached `operation` (including throttled ones). */
  count(operation: string): number;
  resetLog(): void;
  readonly sinks: Deliveries;
  readonly snsSigner: SnsSigner;
  /** PEM of the certificate SNS envelopes are signed with (served at `SigningCertURL`). */
  readonly signingCertPem: string;
  /** Starts a maintenance window execution now; `undefined` if the window is disabled (unless forced). */
  runMaintenanceWindow(windowId: string, options?: { accountId?: string; region?: string; force?: boolean }): string | undefined;
  /** Simulated now. */
  now(): Date;
  /** Stepped (and instant) mode: moves simulated time, running what falls due. */
  advance(ms: number): Promise<void>;
  stepTo(time: Date | string | number): Promise<void>;
  /** Resolves when queued simulated work and sink deliveries are done (stepped: what is due now). */
  settle(): Promise<void>;
  /** Forces every patch invocation on an instance to this outcome (`undefined` clears it). */
  forceOutcome(instanceId: string, outcome: InvocationOutcome | undefined): void;
  putSecret(name: string, value: string | object): void;
  createTopic(name: string, options?: { accountId?: string; region?: string }): string;
  setCalendar(name: string, calendar: { defaultState: 'OPEN' | 'CLOSED'; events?: readonly { start: string | Date; end: string | Date }[] }): void;
  registerLambda(functionNameOrArn: string, handler: LambdaHandler): void;
  /** The next `times` calls of `operation` fail with this AWS error. */
  injectFault(operation: string, fault: InjectedFault): void;
  /** SSM state for an account/region (commands, automations, window executions). */
  state(accountId?: string, region?: string): AccountState;
  /** Errors raised in background work (sinks, scheduled steps). */
  readonly errors: readonly unknown[];
}

const JSON_TARGETS: Readonly<Record<string, SimService>> = {
  AmazonSSM: 'ssm',
  secretsmanager: 'secretsmanager',
  ResourceGroupsTaggingAPI_20170126: 'tagging',
};

const QUERY_ACTIONS: Readonly<Record<string, 'sns' | 'sts'>> = {
  Publish: 'sns',
  CreateTopic: 'sns',
  ListTopics: 'sns',
  AssumeRole: 'sts',
  GetCallerIdentity: 'sts',
};

const MAX_BODY = 16 * 1024 * 1024;

interface Bucket {
  tokens: number;
  last: number;
}

function parseAuthorization(header: string | undefined): { accessKeyId?: string | undefined; region?: string | undefined; service?: string | undefined } {
  // SigV4 is accepted without verification; only the credential scope is read.
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header ?? '');
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SimAwsError('RequestEntityTooLarge', 'Request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toDateMs(v: string | Date): number {
  return typeof v === 'string' ? Date.parse(v) : v.getTime();
}

/**
 * An AWS account (or several) with a patchable fleet, on one HTTP server that
 * speaks the real wire protocols: JSON 1.1 (`X-Amz-Target`) for SSM, Secrets
 * Manager and the Tagging API; the query protocol with XML for SNS and STS.
 * Unmodified SDK clients reach it through `endpoint` / `AWS_ENDPOINT_URL`.
 * No globals: any number may run in one process, each deterministic under its seed.
 */
export function createAwsSim(options: CreateAwsSimOptions = {}): AwsSim {
  const seed = options.seed ?? 1;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger()).child({ component: 'aws-sim' });
  const defaultFleet =
    options.fleet && 'instances' in options.fleet
      ? options.fleet
      : createFleet({ size: 20, seed, now: clock.now(), ...(options.fleet ?? {}) });
  const defaultRegion = options.defaultRegion ?? defaultFleet.region;
  const homeAccountId = options.accountId ?? defaultFleet.accountId;
  const errors: unknown[] = [];
  const onError = (err: unknown) => {
    errors.push(err);
    logger.warn({ err }, 'aws-sim background error');
  };
  const rng = Rng.derive(seed, 'sim');
  const scheduler = new SimScheduler(clock, options.time ?? { mode: 'instant' }, onError);
  let baseUrl = '';
  const signer = options.snsSigner ?? createSnsSigner({ notBefore: new Date(clock.now().getTime() - 86_400_000), validDays: 3650 });
  const deliveries = new Deliveries({
    signer,
    signatureVersion: options.signatureVersion ?? '1',
    rng: Rng.derive(seed, 'deliveries'),
    now: () => scheduler.now(),
    baseUrl: () => baseUrl,
    onError,
  });
  for (const sink of options.sinks ?? []) deliveries.add(sink);

  const states = new Map<string, AccountState>();
  const background = new Set<Promise<unknown>>();
  const fleetFor = (accountId: string) => options.fleets?.[accountId] ?? defaultFleet;
  const stateFor = (accountId: string, region: string): AccountState => {
    const key = `${accountId}|${region}`;
    let s = states.get(key);
    if (!s) {
      s = {
        scope: { accountId, region },
        fleet: fleetFor(accountId),
        commands: new Map(),
        commandList: [],
        automations: new Map(),
        clientTokens: new Map(),
        windowExecutions: new Map(),
      };
      states.set(key, s);
    }
    return s;
  };

  const automationNotification: NotificationSpec | undefined = options.automationNotification && {
    topicArn: options.automationNotification.topicArn,
    type: options.automationNotification.type ?? 'Invocation',
    events: options.automationNotification.events ?? ['All'],
  };
  const core: SimCore = {
    seed,
    rng,
    scheduler,
    deliveries,
    state: stateFor,
    lambdas: new Map(Object.entries(options.lambdas ?? {})),
    calendars: new Map(),
    forcedOutcomes: new Map(),
    ...(automationNotification ? { automationNotification } : {}),
    onError,
    track(work) {
      background.add(work);
      work.finally(() => background.delete(work)).catch(onError);
    },
  };
  const toCalendar = (c: { defaultState: 'OPEN' | 'CLOSED'; events?: readonly { start: string | Date; end: string | Date }[] }): SimCalendar => ({
    defaultState: c.defaultState,
    events: (c.events ?? []).map((e) => ({ start: toDateMs(e.start), end: toDateMs(e.end) })),
  });
  for (const [name, cal] of Object.entries(options.calendars ?? {})) core.calendars.set(name, toCalendar(cal));

  const svc: ServiceState = {
    homeAccountId,
    sessions: new Map(),
    accounts: options.accounts ? new Set(options.accounts) : undefined,
    roles: options.roles ? new Map(Object.entries(options.roles)) : undefined,
    secrets: new Map(),
    topics: new Set(),
    autoCreateTopics: options.autoCreateTopics ?? false,
    rng: Rng.derive(seed, 'sts'),
    wallNow: () => clock.now().getTime(),
  };
  const putSecret = (name: string, value: string | object) => {
    const existing = svc.secrets.get(name);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (existing) {
      existing.value = text;
      existing.versionId = rng.uuid();
      return;
    }
    svc.secrets.set(name, {
      name,
      arn: `arn:aws:secretsmanager:${defaultRegion}:${homeAccountId}:secret:${name}-${rng.upperAlnum(6).toLowerCase()}`,
      value: text,
      versionId: rng.uuid(),
      createdAt: clock.now().getTime(),
    });
  };
  for (const [name, value] of Object.entries(options.secrets ?? {})) putSecret(name, value);
  const createTopic = (name: string, o: { accountId?: string; region?: string } = {}) => {
    const arn = name.startsWith('arn:') ? name : topicArnFor(o.accountId ?? homeAccountId, o.region ?? defaultRegion, name);
    svc.topics.add(arn);
    return arn;
  };
  for (const t of options.topics ?? []) createTopic(t);

  // --- realism knobs ---------------------------------------------------------
  const latencyRng = Rng.derive(seed, 'latency');
  const latencyFor = (op: string): number => {
    const spec = options.latency?.[op] ?? options.latency?.['*'];
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return spec;
    return spec.minMs + latencyRng.next() * (spec.maxMs - spec.minMs);
  };
  const buckets = new Map<string, Bucket>();
  /** A token bucket per account, region and operation, in real time (retries happen in real time). */
  const allow = (op: string, caller: Caller): boolean => {
    const spec = options.tps?.[op] ?? options.tps?.['*'];
    if (spec === undefined) return true;
    const rate = typeof spec === 'number' ? spec : spec.rate;
    const burst = typeof spec === 'number' ? Math.max(1, spec) : (spec.burst ?? Math.max(1, spec.rate));
    const key = `${caller.accountId}|${caller.region}|${op}`;
    const nowMs = performance.now();
    const b = buckets.get(key) ?? { tokens: burst, last: nowMs };
    b.tokens = Math.min(burst, b.tokens + ((nowMs - b.last) / 1000) * rate);
    b.last = nowMs;
    buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  const faults = new Map<string, InjectedFault & { left: number }>();

  // --- observability ---------------------------------------------------------
  const requestLog: SimRequestLogEntry[] = [];
  const logLimit = options.requestLogLimit ?? 100_000;
  const counters = new Map<string, SimCounter>();
  let seq = 0;
  const record = (entry: Omit<SimRequestLogEntry, 'seq'>) => {
    requestLog.push({ seq: seq++, ...entry });
    if (requestLog.length > logLimit) requestLog.splice(0, requestLog.length - logLimit);
    const c = counters.get(entry.operation) ?? { calls: 0, ok: 0, errors: 0, throttled: 0 };
    c.calls++;
    if (entry.status < 300) c.ok++;
    else if (entry.errorCode === 'ThrottlingException' || entry.errorCode === 'Throttling') c.throttled++;
    else c.errors++;
    counters.set(entry.operation, c);
  };

  const callerFor = (accessKeyId: string | undefined, region: string): Caller => {
    const session = accessKeyId ? svc.sessions.get(accessKeyId) : undefined;
    if (session) {
      return { accessKeyId, accountId: session.accountId, region, arn: session.arn, userId: session.userId };
    }
    return {
      accessKeyId,
      accountId: homeAccountId,
      region,
      arn: `arn:aws:iam::${homeAccountId}:user/patchbridge-sim`,
      userId: 'AIDASIMULATORUSER0001',
    };
  };

  // --- dispatch --------------------------------------------------------------
  type JsonHandler = (core: SimCore, state: AccountState, input: JsonInput, caller: Caller) => unknown;
  const ssmOps: Record<string, JsonHandler> = {
    ...inventoryHandlers,
    ...commandHandlers,
    ...automationHandlers,
    ...windowHandlers,
  };

  const runJson = (service: SimService, op: string, input: JsonInput, caller: Caller): unknown => {
    if (service === 'ssm') {
      const h = ssmOps[op];
      if (!h) throw new SimAwsError('UnknownOperationException', `Operation ${op} is not supported by this simulator.`);
      return h(core, stateFor(caller.accountId, caller.region), input, caller);
    }
    if (service === 'secretsmanager') {
      const h = (secretsHandlers as Record<string, ((s: ServiceState, c: Caller, i: JsonInput) => unknown) | undefined>)[op];
      if (!h) throw new SimAwsError('UnknownOperationException', `Operation ${op} is not supported by this simulator.`);
      return h(svc, caller, input);
    }
    if (op === 'GetResources') return taggingGetResources(core, caller, input);
    throw new SimAwsError('UnknownOperationException', `Operation ${op} is not supported by this simulator.`);
  };

  const runQuery = (service: 'sns' | 'sts', action: string, params: URLSearchParams, caller: Caller): XmlNode => {
    if (service === 'sts') {
      if (action === 'AssumeRole') return stsHandlers.AssumeRole(svc, caller, params);
      if (action === 'GetCallerIdentity') return stsHandlers.GetCallerIdentity(svc, caller);
    } else {
      if (action === 'Publish') return snsHandlers.Publish(svc, caller, params, core);
      if (action === 'CreateTopic') return snsHandlers.CreateTopic(svc, caller, params);
      if (action === 'ListTopics') return snsHandlers.ListTopics(svc, caller);
    }
    throw new SimAwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
  };

  const send = (res: ServerResponse, status: number, contentType: string, body: string, requestId: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
      ...extra,
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = rng.uuid();
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (req.method === 'GET' && url.pathname === SIGNING_CERT_PATH) {
      send(res, 200, 'application/x-x509-ca-cert', signer.certificatePem, requestId);
      return;
    }
    const auth = parseAuthorization(req.headers['authorization']);
    const region = auth.region ?? defaultRegion;
    const caller = callerFor(auth.accessKeyId, region);
    const attemptMatch = /attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''));
    const invocationId = req.headers['amz-sdk-invocation-id'];
    const target = req.headers['x-amz-target'];
    let service: SimService | 'unknown' = 'unknown';
    let operation = 'unknown';
    let protocol: 'json' | 'query' = typeof target === 'string' ? 'json' : 'query';
    const finish = (status: number, errorCode?: string) =>
      record({
        at: clock.now().getTime(),
        simTime: scheduler.now(),
        service,
        operation,
        accountId: caller.accountId,
        region,
        accessKeyId: auth.accessKeyId,
        status,
        ...(errorCode ? { errorCode } : {}),
        ...(attemptMatch ? { attempt: Number(attemptMatch[1]) } : {}),
        ...(typeof invocationId === 'string' ? { invocationId } : {}),
        durationMs: performance.now() - started,
      });
    const fail = (err: SimAwsError) => {
      if (protocol === 'json') {
        send(res, err.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: err.awsName, message: err.message }), requestId, {
          'x-amzn-errortype': err.awsName,
        });
      } else {
        const q = service === 'sts' ? 'sts' : 'sns';
        send(res, err.status, 'text/xml', queryError(q, err, requestId), requestId);
      }
      finish(err.status, err.awsName);
    };
    try {
      const body = await readBody(req);
      let params: URLSearchParams | undefined;
      let input: JsonInput | undefined;
      if (typeof target === 'string') {
        const [prefix, op] = target.split('.');
        operation = op ?? target;
        service = JSON_TARGETS[prefix ?? ''] ?? 'unknown';
        if (service === 'unknown') throw new SimAwsError('UnknownOperationException', `Unknown target ${target}.`);
        try {
          input = new JsonInput(body === '' ? {} : JSON.parse(body));
        } catch {
          throw new SimAwsError('SerializationException', 'Start of structure or map found where not expected.');
        }
      } else {
        protocol = 'query';
        params = new URLSearchParams(req.method === 'POST' ? body : url.search);
        operation = params.get('Action') ?? 'unknown';
        service = auth.service === 'sts' || auth.service === 'sns' ? auth.service : (QUERY_ACTIONS[operation] ?? 'unknown');
        if (req.method !== 'POST' || service === 'unknown' || !QUERY_ACTIONS[operation]) {
          throw new SimAwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
        }
      }
      const fault = faults.get(operation);
      if (fault && fault.left > 0) {
        fault.left--;
        throw new SimAwsError(fault.name, fault.message ?? `${fault.name} (injected)`, fault.status ?? 400);
      }
      if (!allow(operation, caller)) {
        throw new SimAwsError(protocol === 'json' ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
      }
      // The latency is the answer's time from the request's arrival, as a caller sees AWS's: the
      // simulator's own work (building a page of 50 instances) runs inside it, not after it.
      const delay = latencyFor(operation);
      let answer: { contentType: string; body: string } | { error: unknown };
      try {
        answer =
          protocol === 'json'
            ? { contentType: 'application/x-amz-json-1.1', body: JSON.stringify(runJson(service as SimService, operation, input!, caller)) }
            : { contentType: 'text/xml', body: queryResponse(service as 'sns' | 'sts', operation, runQuery(service as 'sns' | 'sts', operation, params!, caller), requestId) };
      } catch (error) {
        answer = { error };
      }
      const wait = delay - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if ('error' in answer) throw answer.error;
      send(res, 200, answer.contentType, answer.body, requestId);
      finish(200);
    } catch (err) {
      if (err instanceof SimAwsError) return fail(err);
      onError(err);
      fail(new SimAwsError(protocol === 'json' ? 'InternalServerError' : 'InternalError', 'An internal error occurred in the simulator.', 500));
    }
  };

  let server: Server | undefined;

  const sim: AwsSim = {
    get url() {
      return baseUrl;
    },
    async listen(port = 0, host = '127.0.0.1') {
      const s = createServer((req, res) => {
        handle(req, res).catch(onError);
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      const addr = s.address() as AddressInfo;
      baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
      return baseUrl;
    },
    async close() {
      scheduler.close();
      await deliveries.settled();
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    fleet: defaultFleet,
    fleetFor,
    requestLog,
    counters,
    count: (op) => counters.get(op)?.calls ?? 0,
    resetLog() {
      requestLog.length = 0;
      counters.clear();
    },
    sinks: deliveries,
    snsSigner: signer,
    signingCertPem: signer.certificatePem,
    runMaintenanceWindow(windowId, o = {}) {
      const state = stateFor(o.accountId ?? homeAccountId, o.region ?? defaultRegion);
      return runWindow(core, state, findWindow(state, windowId), { force: o.force ?? false });
    },
    now: () => new Date(scheduler.now()),
    advance: (ms) => scheduler.advance(ms),
    stepTo: (t) => scheduler.stepTo(typeof t === 'string' ? Date.parse(t) : t),
    async settle() {
      for (let i = 0; i < 1000; i++) {
        await scheduler.idle();
        await deliveries.settled();
        await Promise.allSettled([...background]);
        // A sink or handler may have called back into the simulator; settle until nothing new is queued.
        await new Promise<void>((r) => setImmediate(r));
        if (background.size === 0 && (scheduler.mode === 'stepped' || scheduler.pending === 0)) {
          await scheduler.idle();
          await deliveries.settled();
          return;
        }
      }
    },
    forceOutcome(instanceId, outcome) {
      if (outcome) core.forcedOutcomes.set(instanceId, outcome);
      else core.forcedOutcomes.delete(instanceId);
    },
    putSecret,
    createTopic,
    setCalendar: (name, cal) => core.calendars.set(name, toCalendar(cal)),
    registerLambda: (name, handler) => core.lambdas.set(name, handler),
    injectFault: (op, fault) => faults.set(op, { ...fault, left: fault.times ?? 1 }),
    state: (accountId, region) => stateFor(accountId ?? homeAccountId, region ?? defaultRegion),
    errors,
  };
  return sim;
}
