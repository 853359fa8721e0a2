/**
 * The chaos world: an AWS simulator and a ServiceNow simulator (behind a fault
 * proxy) in this process, and `patchbridge serve` as a real child process
 * pointed at them, so it can be killed with SIGKILL and restarted on its data.
 */
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { signRequest } from '../../../src/api/auth/hmac.js';
import { type AwsSim, createAwsSim, GUARD_FUNCTION } from '../../../src/sim/aws/index.js';
import { createServiceNowSim, SIM_DEFAULTS, type ServiceNowSim, type SimKnobs } from '../../../src/sim/servicenow/index.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const EVENTS_API_KEY = `chaos-events-${randomBytes(12).toString('hex')}`;
export const HMAC_KEY = { id: 'chaos', secret: `chaos-hmac-${randomBytes(24).toString('hex')}` };
const AWS_SECRET = `chaos-aws-${randomBytes(12).toString('hex')}`;

/** Every secret the child is given: none may appear in its output or its answers. */
export const SECRETS: readonly string[] = [EVENTS_API_KEY, HMAC_KEY.secret, AWS_SECRET, SIM_DEFAULTS.password];

const root = path.resolve(import.meta.dirname, '../../..');
const main = path.join(root, 'src/cli/main.ts');
const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

export interface Delivery {
  readonly kind: 'eventbridge';
  readonly body: string;
}

export interface WorldOptions {
  readonly fleetSize: number;
  readonly patchGroups: number;
  readonly seed?: number;
  readonly serviceNow?: SimKnobs;
  /** Hostile strings in tags, names, command output and patch titles (the AWS simulator's knob). Default on: chaos runs on hostile data. */
  readonly hostile?: boolean;
}

export interface World {
  readonly aws: AwsSim;
  readonly sn: ServiceNowSim;
  readonly proxy: FaultProxy;
  readonly dataDir: string;
  /** EventBridge events the AWS simulator emitted, in order. */
  readonly events: Delivery[];
  /** The approved change covering now. */
  readonly change: { number: string; sysId: string };
  /** Resolves guard-lambda invocations in the simulator (the window's first task waits for the cancel). */
  releaseWindows(): void;
  close(): Promise<void>;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const seed = options.seed ?? 13;
  const sn = createServiceNowSim({ seed, ...options.serviceNow });
  await sn.listen(0);
  sn.seed.group({ name: 'Cloud Operations' });
  const now = Date.now();
  const change = sn.seed.changeRequest({ state: 'implement', start: new Date(now - 3_600_000), end: new Date(now + 6 * 3_600_000) });
  const proxy = await startFaultProxy(sn.url);
  const events: Delivery[] = [];
  const waiting = new Set<() => void>();
  const aws = createAwsSim({
    seed,
    fleet: {
      size: options.fleetSize,
      seed,
      accountId: ACCOUNT,
      region: REGION,
      failureRate: 0,
      patchGroups: options.patchGroups,
      staleRate: 0,
      unmanagedRate: 0,
      windows: true,
      hostile: options.hostile ?? true,
    },
    // The window's own guard task stands for AWS only: patchbridge's event guard is what is measured.
    lambdas: {
      [GUARD_FUNCTION]: () =>
        new Promise<void>((resolve) => {
          const done = () => {
            waiting.delete(done);
            resolve();
          };
          waiting.add(done);
        }),
    },
    sinks: [{ kind: 'callback', fn: (kind, payload) => void (kind === 'eventbridge' && events.push({ kind, body: JSON.stringify(payload) })) }],
  });
  await aws.listen(0);
  for (const instance of aws.fleet.instances) instance.pingStatus = 'Online';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pb-chaos-'));
  return {
    aws,
    sn,
    proxy,
    dataDir,
    events,
    change: { number: String(change['number']), sysId: String(change['sys_id']) },
    releaseWindows() {
      for (const done of [...waiting]) done();
    },
    async close() {
      for (const done of [...waiting]) done();
      await proxy.close();
      await aws.close();
      await sn.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `patchbridge serve` as a child process. */
export interface Patchbridge {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function childEnv(world: World, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: world.dataDir,
    PATCHBRIDGE_HOST: '127.0.0.1',
    PATCHBRIDGE_PORT: '0',
    PATCHBRIDGE_DATA_DIR: world.dataDir,
    PATCHBRIDGE_STORE: `sqlite:${world.dataDir}/state.db`,
    PATCHBRIDGE_BLOBS: `file:${world.dataDir}/blobs`,
    PATCHBRIDGE_SIMULATORS: 'off',
    PATCHBRIDGE_LOG_LEVEL: 'info',
    PATCHBRIDGE_OUTBOX_POLL_MS: '200',
    PATCHBRIDGE_SERVICENOW_URL: world.proxy.url,
    PATCHBRIDGE_SERVICENOW_USERNAME: SIM_DEFAULTS.userName,
    PATCHBRIDGE_SERVICENOW_PASSWORD: SIM_DEFAULTS.password,
    PATCHBRIDGE_SERVICENOW_MODE: 'import-set',
    PATCHBRIDGE_EVENTS_API_KEY: EVENTS_API_KEY,
    PATCHBRIDGE_API_HMAC_KEYS: `${HMAC_KEY.id}:${HMAC_KEY.secret}`,
    PATCHBRIDGE_AWS_ACCOUNTS: ACCOUNT,
    PATCHBRIDGE_AWS_REGIONS: REGION,
    PATCHBRIDGE_INCIDENT_DEFAULT_GROUP: 'Cloud Operations',
    PATCHBRIDGE_SNAPSHOT_CRON: '0 3 1 1 *',
    PATCHBRIDGE_REPORT_CRON: '0 4 1 1 *',
    AWS_ENDPOINT_URL: world.aws.url,
    AWS_ACCESS_KEY_ID: 'AKIDCHAOS',
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    AWS_REGION: REGION,
    ...extra,
  };
}

export async function startPatchbridge(world: World, extra: Record<string, string> = {}): Promise<Patchbridge> {
  const child = spawn(process.execPath, ['--import', tsx, main, 'serve'], { cwd: world.dataDir, env: childEnv(world, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const until = Date.now() + 30_000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > until) throw new Error(`patchbridge did not start:\n${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs EventBridge deliveries to `/v1/events`, `concurrency` at a time; returns the statuses. */
export async function postEvents(url: string, deliveries: readonly Delivery[], concurrency = 8): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < deliveries.length; i = next++) {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': EVENTS_API_KEY },
        body: (deliveries[i] as Delivery).body,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** An HMAC-signed API call, as the scoped app makes it. */
export async function signedFetch(url: string, method: string, pathWithQuery: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signature = signRequest(HMAC_KEY, { method, pathWithQuery, body: text }, { ts: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('hex') });
  return fetch(`${url}${pathWithQuery}`, {
    method,
    headers: { 'x-patchbridge-signature': signature, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: text }),
  });
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
