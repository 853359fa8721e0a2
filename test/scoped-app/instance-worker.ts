/**
 * The "instance" thread of `instance.ts`: runs the scoped app's server modules
 * (their `*.gen.ts` copies) synchronously, as the platform's script engine does.
 * Every Glide call that needs the instance (a table read or write, an outbound
 * HTTP call, a scheduled event) is a synchronous call to the main thread, which
 * holds the ServiceNow simulator and can still serve HTTP meanwhile: this thread
 * blocks on `Atomics.wait` until the answer is posted back.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import * as app from '../../src/sim/servicenow/app/patchbridge-app.gen.js';
import * as client from '../../src/sim/servicenow/app/patchbridge-client.gen.js';
import { type GlideDatabase, GlideRecord, withGlide } from '../../src/sim/servicenow/app/glide.js';

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

function rpc(method: string, ...args: unknown[]): unknown {
  Atomics.store(flag, 0, 0);
  port.postMessage({ method, args });
  for (;;) {
    Atomics.wait(flag, 0, 0, 1_000);
    const received = receiveMessageOnPort(port);
    if (received) {
      const reply = received.message as { value?: unknown; error?: string };
      if (reply.error !== undefined) throw new Error(reply.error);
      return reply.value;
    }
  }
}

const instance: GlideDatabase = {
  rows: (table) => rpc('rows', table) as Record<string, string>[],
  property: (name) => rpc('property', name) as string | undefined,
  insert: (table, values) => rpc('insert', table, values) as string,
  update: (table, sysId, values) => void rpc('update', table, sysId, values),
  now: () => rpc('now') as number,
  http: (request) => rpc('http', request) as ReturnType<NonNullable<GlideDatabase['http']>>,
  connection: (aliasId) => rpc('connection', aliasId) as ReturnType<NonNullable<GlideDatabase['connection']>>,
  oauthToken: (profileId) => rpc('oauthToken', profileId) as string,
  queueEvent: (event) => void rpc('queueEvent', event),
  log: (level, message) => void rpc('log', level, message),
};

/** The app's modules by file name, as the contract's script records name them. */
const MODULES: Record<string, Record<string, unknown>> = { 'patchbridge-app': app, 'patchbridge-client': client };

export type ScriptArg =
  | { readonly kind: 'record'; readonly table: string; readonly sysId: string }
  | { readonly kind: 'snapshot'; readonly values: Readonly<Record<string, string>> }
  | { readonly kind: 'null' };

function materialise(arg: ScriptArg): unknown {
  if (arg.kind === 'null') return null;
  if (arg.kind === 'snapshot') return { getValue: (name: string) => arg.values[name] || null, getUniqueValue: () => arg.values['sys_id'] ?? '' };
  const gr = new GlideRecord(arg.table);
  if (!gr.get(arg.sysId)) throw new Error(`${arg.table} ${arg.sysId} does not exist`);
  return gr;
}

parentPort?.on('message', (message: { id: number; module: string; fn: string; args: ScriptArg[] }) => {
  try {
    const name = /([\w-]+)\.ts$/.exec(message.module)?.[1] ?? message.module;
    const fn = MODULES[name]?.[message.fn];
    if (typeof fn !== 'function') throw new Error(`the app has no function ${message.fn} in ${message.module}`);
    const value = withGlide(instance, () => (fn as (...a: unknown[]) => unknown)(...message.args.map(materialise)));
    parentPort?.postMessage({ id: message.id, value: JSON.parse(JSON.stringify(value ?? null)) });
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
