/**
 * A ServiceNow instance for the scoped app's whole-path tests: the ServiceNow
 * simulator's tables, plus a script engine (a worker thread, `instance-worker.ts`)
 * that runs the app's own server modules the way the platform does:
 *
 * - ordering a catalog item stores the requested item and its variables as the
 *   platform does (`sc_req_item`, `sc_item_option`, `sc_item_option_mtom`) and
 *   fires the business rules the app's build defines for it, when their filter
 *   condition matches (read from the contract, so a wrong condition fails the test);
 * - `update` changes a record as a user would and fires the update rules;
 *   `fireChanges` fires them for records someone else (patchbridge, over the
 *   Table API) changed since the last look;
 * - scheduled events (`gs.eventQueueScheduled`) wait in `events` until
 *   `processEvents(upTo)` hands them to the app's Script Action;
 * - `RESTMessageV2.execute()` is real HTTP, made from this thread while the
 *   script thread waits (synchronously, as on the platform), so a patchbridge
 *   API in this process can answer it.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Express } from 'express';
import { type RunningServer, startServer } from '../../src/api/server.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { GlideConnection, GlideEvent, GlideHttpRequest, GlideHttpResponse } from '../../src/sim/servicenow/app/glide.js';
import { APP_CONTRACT as GENERATED } from '../../src/sim/servicenow/app/contract.gen.js';
import type { AppBusinessRule, AppContract, AppModuleScript } from '../../src/sim/servicenow/app/contract-types.js';
import type { ServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { SimRecord } from '../../src/sim/servicenow/state.js';
import type { ScriptArg } from './instance-worker.js';

export interface InstanceOptions {
  readonly sn: ServiceNowSim;
  readonly clock: Pick<Clock, 'now'>;
  /** Connection & credential aliases by id (`x_pbridge.patchbridge`). */
  readonly connections: Readonly<Record<string, GlideConnection>>;
  /** System properties set on the instance (the app's defaults apply to the rest). */
  readonly properties?: Record<string, string>;
  /** What the platform's OAuth provider hands `RESTMessageV2` for a profile. */
  readonly oauthToken?: (profileId: string) => Promise<string>;
}

export interface OutboundRequest extends GlideHttpRequest {
  readonly status: number;
}

export interface Instance {
  readonly properties: Record<string, string>;
  /** Outbound requests the app made, oldest first. */
  readonly requests: readonly OutboundRequest[];
  /** Scheduled events not yet processed. */
  readonly events: readonly GlideEvent[];
  readonly logs: readonly string[];
  /** Orders a catalog item by name with these variable values; returns the requested item once its insert rules ran. */
  order(itemName: string, values: Readonly<Record<string, string>>): Promise<SimRecord>;
  /** Updates a record as a user would (form save) and runs the update rules whose condition matches. */
  update(table: string, sysId: string, values: Readonly<Record<string, string>>): Promise<SimRecord>;
  /** Remembers `table`'s rows; `fireChanges` later runs the update rules for rows changed since. */
  watch(table: string): void;
  fireChanges(table: string): Promise<number>;
  /** Runs the Script Actions of the events due at `upToMs` (epoch ms), oldest first; returns how many ran. */
  processEvents(upToMs: number): Promise<number>;
  /** Runs a scheduled script (by name) or a UI action (by name) the app defines. */
  runScheduled(name: string): Promise<unknown>;
  runUiAction(name: string): Promise<unknown>;
  close(): Promise<void>;
}

const APP_CONTRACT: AppContract = GENERATED;

/** The tables behind `current.variables` (the platform reads them for the script, whatever its scope). */
const VARIABLE_TABLES = new Set(['item_option_new', 'sc_item_option', 'sc_item_option_mtom']);
/** Tables whose rows a read of the key returns (`cmdb_ci` holds every CI class). */
const PARENT_TABLE: Readonly<Record<string, string>> = { cmdb_ci_vm_instance: 'cmdb_ci', cmdb_ci_server: 'cmdb_ci' };

/**
 * As the platform's runtime access check: a script in scope `x_pbridge` may touch
 * its own tables, and platform tables only as its cross-scope privileges allow.
 */
function allowed(table: string, operation: 'read' | 'create' | 'write'): void {
  if (table.startsWith('x_pbridge_') || (operation === 'read' && VARIABLE_TABLES.has(table))) return;
  const target = PARENT_TABLE[table] ?? table;
  if (APP_CONTRACT.privileges.some((p) => p.target === target && p.operation === operation)) return;
  throw new Error(`Operation against table '${table}' from scope 'x_pbridge' has been refused due to the table's cross-scope access policy (${operation})`);
}
const PROPERTY_DEFAULTS = new Map<string, string>(APP_CONTRACT.properties.map((p) => [p.name, p.value]));

function record(table: string, sysId: string): ScriptArg {
  return { kind: 'record', table, sysId };
}

export async function createInstance(options: InstanceOptions): Promise<Instance> {
  const { sn } = options;
  const state = sn.state;
  const properties: Record<string, string> = { ...(options.properties ?? {}) };
  const requests: OutboundRequest[] = [];
  const events: GlideEvent[] = [];
  const logs: string[] = [];

  async function http(request: GlideHttpRequest): Promise<GlideHttpResponse> {
    try {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== '' ? { body: request.body } : {}),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const answer = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
      requests.push({ ...request, status: answer.status });
      return answer;
    } catch (err) {
      requests.push({ ...request, status: 0 });
      return { status: 0, headers: {}, body: '', error: err instanceof Error ? err.message : String(err) };
    }
  }

  const handlers: Record<string, (...args: never[]) => unknown> = {
    rows: (table: string) => {
      allowed(table, 'read');
      return state.def(table) ? state.records(table) : [];
    },
    property: (name: string) => properties[name] ?? PROPERTY_DEFAULTS.get(name),
    insert: (table: string, values: Record<string, string>) => {
      allowed(table, 'create');
      return state.insert(table, values, 'x_pbridge.app')['sys_id'];
    },
    update: (table: string, sysId: string, values: Record<string, string>) => {
      allowed(table, 'write');
      if (!state.update(table, sysId, values, 'x_pbridge.app')) throw new Error(`${table} ${sysId} does not exist`);
    },
    now: () => options.clock.now().getTime(),
    http,
    connection: (aliasId: string) => options.connections[aliasId],
    oauthToken: async (profileId: string) => {
      if (!options.oauthToken) throw new Error('no OAuth provider configured');
      return options.oauthToken(profileId);
    },
    queueEvent: (event: GlideEvent) => void events.push(event),
    log: (level: string, message: string) => void logs.push(`${level}: ${message}`),
  };

  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  port1.on('message', async (message: { method: string; args: never[] }) => {
    let reply: { value?: unknown; error?: string };
    try {
      const handler = handlers[message.method];
      if (!handler) throw new Error(`the instance has no ${message.method}`);
      reply = { value: await handler(...message.args) };
    } catch (err) {
      reply = { error: err instanceof Error ? err.message : String(err) };
    }
    port1.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });

  // The script thread loads the TypeScript copies of the app's modules through tsx.
  const entry = new URL('./instance-worker.ts', import.meta.url).href;
  const worker = new Worker(`const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(entry)});`, {
    eval: true,
    workerData: { port: port2, flag },
    transferList: [port2],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.value);
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });

  function run(script: AppModuleScript, args: ScriptArg[]): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, module: script.module, fn: script.fn, args });
    });
  }

  /** The business rules of `table` for `action`, in order, whose filter condition holds. */
  function rulesFor(table: string, action: 'insert' | 'update', row: SimRecord, previous: SimRecord | undefined): AppBusinessRule[] {
    return APP_CONTRACT.businessRules.filter(
      (r) => r.active && r.table === table && (r.actions as readonly string[]).includes(action) && conditionHolds(r.filterCondition, table, row, previous),
    );
  }

  async function fire(table: string, action: 'insert' | 'update', sysId: string, previous: SimRecord | undefined): Promise<void> {
    const row = state.get(table, sysId);
    if (!row) throw new Error(`${table} ${sysId} does not exist`);
    for (const rule of rulesFor(table, action, row, previous)) {
      // Async rules get no `previous` on the platform.
      const before: ScriptArg = rule.when.startsWith('async') || !previous ? { kind: 'null' } : { kind: 'snapshot', values: previous };
      await run(rule, [record(table, sysId), before]);
    }
  }

  function conditionHolds(condition: string, table: string, row: SimRecord, previous: SimRecord | undefined): boolean {
    const value = (r: SimRecord | undefined, field: string): string => {
      if (!r) return '';
      const [head = '', ...rest] = field.split('.');
      if (rest.length === 0) return r[head] ?? '';
      const refTable = state.def(table)?.fields[head]?.ref;
      const target = refTable ? state.get(refTable, r[head] ?? '') : undefined;
      return target ? (target[rest.join('.')] ?? '') : '';
    };
    const term = (t: string): boolean => {
      let m = /^([\w.]+)CHANGESTO(.*)$/.exec(t);
      if (m?.[1]) return value(row, m[1]) === m[2] && value(previous, m[1]) !== m[2];
      m = /^([\w.]+)VALCHANGES$/.exec(t);
      if (m?.[1]) return value(row, m[1]) !== value(previous, m[1]);
      m = /^([\w.]+)(!=|=)(.*)$/.exec(t);
      if (m?.[1]) return m[2] === '=' ? value(row, m[1]) === m[3] : value(row, m[1]) !== m[3];
      throw new Error(`the test instance cannot evaluate condition term ${t}`);
    };
    const groups: string[][] = [];
    for (const token of condition.replace(/\^EQ$/, '').split('^')) {
      if (token === '') continue;
      if (token.startsWith('OR') && groups.length > 0) groups[groups.length - 1]?.push(token.slice(2));
      else groups.push([token]);
    }
    return groups.every((g) => g.some(term));
  }

  const watched = new Map<string, Map<string, SimRecord>>();
  function watch(table: string): void {
    watched.set(table, new Map(state.records(table).map((r) => [r['sys_id'] ?? '', r])));
  }

  return {
    properties,
    requests,
    events,
    logs,

    async order(itemName, values) {
      const item = APP_CONTRACT.catalogItems.find((i) => i.name === itemName);
      if (!item) throw new Error(`the app has no catalog item ${itemName}`);
      if (!state.get('sc_cat_item', item.sysId)) {
        state.insert('sc_cat_item', { sys_id: item.sysId, name: item.name });
        for (const v of item.variables) state.insert('item_option_new', { sys_id: v.sysId, cat_item: item.sysId, name: v.name, type: v.type });
      }
      for (const v of item.variables) {
        if (v.mandatory && !(values[v.name] ?? v.default)) throw new Error(`${itemName}: the variable ${v.name} is mandatory`);
      }
      for (const name of Object.keys(values)) {
        if (!item.variables.some((v) => v.name === name)) throw new Error(`${itemName} has no variable ${name}`);
      }
      const ritm = state.insert('sc_req_item', { cat_item: item.sysId, short_description: itemName, state: '1' }, 'requester');
      const ritmSysId = ritm['sys_id'] ?? '';
      for (const v of item.variables) {
        const answer = values[v.name] ?? v.default ?? '';
        const option = state.insert('sc_item_option', { item_option_new: v.sysId, value: answer }, 'requester');
        state.insert('sc_item_option_mtom', { request_item: ritmSysId, sc_item_option: option['sys_id'] }, 'requester');
      }
      await fire('sc_req_item', 'insert', ritmSysId, undefined);
      return state.get('sc_req_item', ritmSysId) ?? ritm;
    },

    async update(table, sysId, values) {
      const previous = state.get(table, sysId);
      if (!previous) throw new Error(`${table} ${sysId} does not exist`);
      state.update(table, sysId, values, 'a.person');
      await fire(table, 'update', sysId, previous);
      return state.get(table, sysId) ?? previous;
    },

    watch,

    async fireChanges(table) {
      const before = watched.get(table) ?? new Map<string, SimRecord>();
      let fired = 0;
      for (const row of state.records(table)) {
        const sysId = row['sys_id'] ?? '';
        const previous = before.get(sysId);
        if (previous && previous['sys_mod_count'] === row['sys_mod_count']) continue;
        await fire(table, previous ? 'update' : 'insert', sysId, previous);
        fired++;
      }
      watch(table);
      return fired;
    },

    async processEvents(upToMs) {
      let ran = 0;
      for (;;) {
        const due = events.filter((e) => e.processOn <= upToMs).sort((a, b) => a.processOn - b.processOn)[0];
        if (!due) return ran;
        events.splice(events.indexOf(due), 1);
        for (const action of APP_CONTRACT.scriptActions.filter((a) => a.event === due.name)) {
          await run(action, [{ kind: 'snapshot', values: { parm1: due.parm1, parm2: due.parm2 } }]);
        }
        ran++;
      }
    },

    async runScheduled(name) {
      const job = APP_CONTRACT.scheduledScripts.find((j) => j.name === name);
      if (!job) throw new Error(`the app has no scheduled script ${name}`);
      return run(job, []);
    },

    async runUiAction(name) {
      const action = APP_CONTRACT.uiActions.find((a) => a.name === name);
      if (!action) throw new Error(`the app has no UI action ${name}`);
      return run(action, [{ kind: 'null' }]);
    },

    async close() {
      port1.close();
      await worker.terminate();
    },
  };
}

export interface ConnectedInstance {
  readonly server: RunningServer;
  readonly sn: Instance;
  close(): Promise<void>;
}

/**
 * A running patchbridge API (`app` on an ephemeral port) and an instance whose
 * alias `x_pbridge.patchbridge` points at it, with the HMAC key in its credential.
 */
export async function connectInstance(options: {
  readonly app: Express;
  readonly sn: ServiceNowSim;
  readonly clock: Pick<Clock, 'now'>;
  readonly key: { readonly id: string; readonly secret: string };
  readonly properties?: Record<string, string>;
  readonly oauthToken?: (profileId: string) => Promise<string>;
}): Promise<ConnectedInstance> {
  const server = await startServer(options.app, { host: '127.0.0.1', port: 0, logger: silentLogger() });
  const sn = await createInstance({
    sn: options.sn,
    clock: options.clock,
    connections: { 'x_pbridge.patchbridge': { connection_url: server.url, credential: { api_key: options.key.secret } } },
    properties: { 'x_pbridge.api.key_id': options.key.id, ...(options.properties ?? {}) },
    ...(options.oauthToken ? { oauthToken: options.oauthToken } : {}),
  });
  return {
    server,
    sn,
    async close() {
      await sn.close();
      await server.close(0);
    },
  };
}
