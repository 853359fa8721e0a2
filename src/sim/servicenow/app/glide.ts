import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * A small stand-in for the Glide APIs the scoped app's server modules use, and
 * nothing more. The app's modules (copied as `*.gen.ts`, with their
 * `@servicenow/glide…` imports pointed here) construct `new GlideRecord(table)`,
 * `new sn_ws.RESTMessageV2()` and so on the way they do on an instance; what
 * those see comes from the database bound with `withGlide(db, fn)` for the
 * duration of `fn` (per call, not global: many simulators can run in one process).
 *
 * - `GlideRecord`: `addQuery` (`=`, `!=`, `>`, `>=`, `<`, `<=`, `IN`, `STARTSWITH`),
 *   `orderBy`/`orderByDesc`, `setLimit`, `query`, `next`, `get`, `getValue`,
 *   `setValue`, `getUniqueValue`, `isValidRecord`, `initialize`,
 *   `setNewGuidValue`, `insert`, `update`, and `variables` on a requested item
 *   (from `sc_item_option_mtom`/`sc_item_option`, as the platform stores them).
 *   Writes need a database that takes them (`insert`/`update`).
 * - `gs`: `getProperty`, `generateGUID`, `eventQueueScheduled`, `info`/`warn`/`error`.
 * - `GlideDateTime`: now (the database's clock), `getNumericValue`, `addSeconds`, `getValue`.
 * - `GlideDigest.getSHA256Hex`, `CertificateEncryption.generateMac`.
 * - `RESTMessageV2` (synchronous `execute`, as on the platform: the database
 *   performs the HTTP call), and `ConnectionInfoProvider` for connection and
 *   credential aliases.
 */
export interface GlideDatabase {
  /** Rows of `table`; a parent table (e.g. `cmdb_ci`) includes its child tables' rows. */
  rows(table: string): readonly Readonly<Record<string, string>>[];
  /** A system property's value, or undefined when it is not set. */
  property(name: string): string | undefined;
  /** Inserts a record (sys_id given or new) and returns its sys_id. */
  insert?(table: string, values: Readonly<Record<string, string>>): string;
  /** Updates fields of a record; journal fields (`work_notes`) append. */
  update?(table: string, sysId: string, values: Readonly<Record<string, string>>): void;
  /** The instance's clock, in epoch milliseconds. */
  now?(): number;
  /** Performs one outbound HTTP request, synchronously as `RESTMessageV2.execute()` does. */
  http?(request: GlideHttpRequest): GlideHttpResponse;
  /** The connection (HTTP connection + credential) behind a connection & credential alias id. */
  connection?(aliasId: string): GlideConnection | undefined;
  /** An access token for an OAuth 2.0 profile (what the platform's OAuth provider fetches and caches). */
  oauthToken?(profileId: string): string;
  /** `gs.eventQueueScheduled`: an event for a Script Action, processed at or after `processOn` (epoch ms). */
  queueEvent?(event: GlideEvent): void;
  /** `gs.info`/`warn`/`error`. */
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface GlideHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface GlideHttpResponse {
  /** 0 when no answer arrived (connection refused, timeout), as `getStatusCode()` reports. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly error?: string;
}

export interface GlideConnection {
  readonly connection_url: string;
  readonly credential: Readonly<Record<string, string>>;
}

export interface GlideEvent {
  readonly name: string;
  readonly table: string;
  readonly instance: string;
  readonly parm1: string;
  readonly parm2: string;
  readonly processOn: number;
}

const bound = new AsyncLocalStorage<GlideDatabase>();

/** Runs `fn` with `db` behind every `GlideRecord` and `gs` call it makes. */
export function withGlide<T>(db: GlideDatabase, fn: () => T): T {
  return bound.run(db, fn);
}

function database(): GlideDatabase {
  const db = bound.getStore();
  if (!db) throw new Error('Glide stand-in used outside withGlide()');
  return db;
}

function capability<K extends keyof GlideDatabase>(name: K): NonNullable<GlideDatabase[K]> {
  const fn = database()[name];
  if (!fn) throw new Error(`the bound Glide database does not implement ${name}`);
  return (fn as (...args: unknown[]) => unknown).bind(database()) as NonNullable<GlideDatabase[K]>;
}

type Scalar = string | number | boolean;
type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'IN' | 'STARTSWITH';
const OPERATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<=', 'IN', 'STARTSWITH'];
interface Condition {
  readonly field: string;
  readonly op: Operator;
  readonly value: string;
}

/** Like the platform: values compare as strings (numbers as numbers); `!=` never matches an empty field. */
function matches(row: Readonly<Record<string, string>>, c: Condition): boolean {
  const actual = row[c.field] ?? '';
  const numeric = /^-?\d+(\.\d+)?$/.test(actual) && /^-?\d+(\.\d+)?$/.test(c.value);
  const cmp = numeric ? Number(actual) - Number(c.value) : actual.localeCompare(c.value);
  switch (c.op) {
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== '' && actual !== c.value;
    case '>':
      return actual !== '' && cmp > 0;
    case '>=':
      return actual !== '' && cmp >= 0;
    case '<':
      return actual !== '' && cmp < 0;
    case '<=':
      return actual !== '' && cmp <= 0;
    case 'IN':
      return c.value.split(',').includes(actual);
    case 'STARTSWITH':
      return actual.startsWith(c.value);
  }
}

export class GlideRecord {
  readonly #table: string;
  readonly #conditions: Condition[] = [];
  #order: { field: string; desc: boolean } | undefined;
  #limit = Number.POSITIVE_INFINITY;
  #results: Record<string, string>[] = [];
  #index = -1;
  /** A record being built by `initialize()` (not yet inserted). */
  #draft: Record<string, string> | undefined;
  /** Fields set on the current row since it was read. */
  #changes: Record<string, string> = {};

  constructor(table: string) {
    this.#table = table;
  }

  getTableName(): string {
    return this.#table;
  }

  addQuery(field: string, opOrValue: Scalar, value?: Scalar): void {
    if (value === undefined) {
      this.#conditions.push({ field, op: '=', value: String(opOrValue) });
      return;
    }
    const op = String(opOrValue);
    if (!OPERATORS.includes(op)) throw new Error(`the Glide stand-in does not implement operator ${op}`);
    this.#conditions.push({ field, op: op as Operator, value: String(value) });
  }

  orderBy(field: string): void {
    this.#order = { field, desc: false };
  }

  orderByDesc(field: string): void {
    this.#order = { field, desc: true };
  }

  setLimit(limit: number): void {
    this.#limit = limit;
  }

  query(): void {
    const order = this.#order;
    const rows = database()
      .rows(this.#table)
      .filter((row) => this.#conditions.every((c) => matches(row, c)));
    if (order) rows.sort((a, b) => (order.desc ? -1 : 1) * (a[order.field] ?? '').localeCompare(b[order.field] ?? ''));
    this.#results = rows.slice(0, this.#limit).map((row) => ({ ...row }));
    this.#index = -1;
    this.#draft = undefined;
  }

  next(): boolean {
    if (this.#index + 1 >= this.#results.length) return false;
    this.#index++;
    this.#changes = {};
    return true;
  }

  hasNext(): boolean {
    return this.#index + 1 < this.#results.length;
  }

  /** `get(sysId)` or `get(field, value)`: the first match becomes the current row. */
  get(fieldOrSysId: string, value?: string): boolean {
    this.#conditions.length = 0;
    this.addQuery(value === undefined ? 'sys_id' : fieldOrSysId, value === undefined ? fieldOrSysId : value);
    this.setLimit(1);
    this.query();
    return this.next();
  }

  isValidRecord(): boolean {
    return this.#draft === undefined && this.#index >= 0 && this.#index < this.#results.length;
  }

  /** `null` for an empty field, as on the platform. */
  getValue(name: string): string | null {
    const v = this.#current()[name];
    return v === undefined || v === '' ? null : v;
  }

  setValue(name: string, value: Scalar): void {
    this.#current()[name] = String(value);
    if (!this.#draft) this.#changes[name] = String(value);
  }

  getUniqueValue(): string {
    return this.#current()['sys_id'] ?? '';
  }

  initialize(): void {
    this.#draft = {};
    this.#changes = {};
  }

  newRecord(): void {
    this.initialize();
  }

  setNewGuidValue(guid: string): void {
    if (!this.#draft) throw new Error('setNewGuidValue before initialize()');
    this.#draft['sys_id'] = guid;
  }

  /** Inserts the record built since `initialize()`; returns its sys_id. */
  insert(): string {
    const draft = this.#draft;
    if (!draft) throw new Error(`GlideRecord(${this.#table}).insert() without initialize()`);
    const sysId = capability('insert')(this.#table, draft);
    this.#draft = undefined;
    this.#results = [{ ...draft, sys_id: sysId }];
    this.#index = 0;
    return sysId;
  }

  /** Writes the fields set since the row was read; returns its sys_id. */
  update(): string {
    if (this.#draft) return this.insert();
    const sysId = this.getUniqueValue();
    if (Object.keys(this.#changes).length > 0) capability('update')(this.#table, sysId, this.#changes);
    this.#changes = {};
    return sysId;
  }

  /** A requested item's catalog variables by name, as `current.variables` gives them. */
  get variables(): Readonly<Record<string, string>> {
    const sysId = this.getUniqueValue();
    const db = database();
    const questions = new Map(db.rows('item_option_new').map((q) => [q['sys_id'] ?? '', q['name'] ?? '']));
    const options = new Map(db.rows('sc_item_option').map((o) => [o['sys_id'] ?? '', o]));
    const out: Record<string, string> = {};
    for (const link of db.rows('sc_item_option_mtom')) {
      if (link['request_item'] !== sysId) continue;
      const option = options.get(link['sc_item_option'] ?? '');
      const name = questions.get(option?.['item_option_new'] ?? '');
      if (option && name) out[name] = option['value'] ?? '';
    }
    return out;
  }

  #current(): Record<string, string> {
    if (this.#draft) return this.#draft;
    const row = this.#results[this.#index];
    if (!row) throw new Error(`GlideRecord(${this.#table}) has no current row`);
    return row;
  }
}

function nowMs(): number {
  return database().now?.() ?? Date.now();
}

export const gs = {
  getProperty(name: string, alt?: Scalar): string {
    return database().property(name) ?? (alt === undefined ? '' : String(alt));
  },
  /** 32 lower-case hex characters, as sys_ids are. */
  generateGUID(): string {
    return randomBytes(16).toString('hex');
  },
  eventQueueScheduled(name: string, instance: GlideRecord, parm1: string, parm2: string, when: GlideDateTime): void {
    capability('queueEvent')({ name, table: instance.getTableName(), instance: instance.getUniqueValue(), parm1, parm2, processOn: when.getNumericValue() });
  },
  info(message: string): void {
    database().log?.('info', message);
  },
  warn(message: string): void {
    database().log?.('warn', message);
  },
  error(message: string): void {
    database().log?.('error', message);
  },
};

/** UTC date-time: now (on the instance's clock) or a `YYYY-MM-DD HH:mm:ss` value. */
export class GlideDateTime {
  #ms: number;

  constructor(value?: string) {
    this.#ms = value ? Date.parse(`${value.replace(' ', 'T')}Z`) : nowMs();
    if (Number.isNaN(this.#ms)) throw new Error(`GlideDateTime: not a date-time: ${value}`);
  }

  getNumericValue(): number {
    return this.#ms;
  }

  addSeconds(seconds: number): void {
    this.#ms += seconds * 1000;
  }

  /** `YYYY-MM-DD HH:mm:ss` in UTC, as stored. */
  getValue(): string {
    return new Date(this.#ms).toISOString().slice(0, 19).replace('T', ' ');
  }

  compareTo(other: GlideDateTime): number {
    return Math.sign(this.#ms - other.getNumericValue());
  }
}

/**
 * `GlideDigest`, as documented: SHA-256 over the string's UTF-8 bytes, as
 * upper-case hex (callers lower-case it where a protocol needs lower case).
 */
export class GlideDigest {
  getSHA256Hex(toHash: string): string {
    return createHash('sha256').update(toHash, 'utf8').digest('hex').toUpperCase();
  }
}

/**
 * The scoped `CertificateEncryption`, as documented for `generateMac`: the key
 * must be Base64-encoded, the data is a string (UTF-8), the MAC comes back in
 * Base64. Only the algorithms the app uses are implemented.
 */
export class CertificateEncryption {
  generateMac(key: string, algorithm: string, data: string): string {
    if (algorithm !== 'HmacSHA256') throw new Error(`the Glide stand-in does not implement ${algorithm}`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) throw new Error('generateMac: the key must be Base64-encoded');
    return createHmac('sha256', Buffer.from(key, 'base64')).update(data, 'utf8').digest('base64');
  }
}

/** `sn_ws.RESTResponseV2`. */
export class RESTResponseV2 {
  readonly #response: GlideHttpResponse;

  constructor(response: GlideHttpResponse) {
    this.#response = response;
  }

  getStatusCode(): number {
    return this.#response.status;
  }

  /** Header names are case-insensitive; a missing header is `null`. */
  getHeader(name: string): string | null {
    const key = Object.keys(this.#response.headers).find((h) => h.toLowerCase() === name.toLowerCase());
    return key === undefined ? null : (this.#response.headers[key] ?? null);
  }

  getBody(): string {
    return this.#response.body;
  }

  haveError(): boolean {
    return this.#response.status === 0 || this.#response.status >= 400;
  }

  getErrorMessage(): string {
    return this.#response.error ?? (this.#response.status >= 400 ? `HTTP ${this.#response.status}` : '');
  }
}

/**
 * `sn_ws.RESTMessageV2` without a REST message record: endpoint, method, headers,
 * body, timeout and an OAuth 2.0 profile set in script. `execute()` is
 * synchronous, as on the platform.
 */
export class RESTMessageV2 {
  #method = 'get';
  #endpoint = '';
  #body = '';
  #timeoutMs = 60_000;
  #oauthProfile: string | undefined;
  readonly #headers: Record<string, string> = {};

  setHttpMethod(method: string): void {
    this.#method = method;
  }

  setEndpoint(endpoint: string): void {
    this.#endpoint = endpoint;
  }

  setRequestHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  setRequestBody(body: string): void {
    this.#body = body;
  }

  setHttpTimeout(timeoutMs: number): void {
    this.#timeoutMs = timeoutMs;
  }

  /** Only `('oauth2', <oauth_entity_profile sys_id>)` is implemented. */
  setAuthenticationProfile(type: string, profileId: string): void {
    if (type !== 'oauth2') throw new Error(`the Glide stand-in does not implement authentication type ${type}`);
    this.#oauthProfile = profileId;
  }

  execute(): RESTResponseV2 {
    if (!/^https?:\/\//.test(this.#endpoint)) return new RESTResponseV2({ status: 0, headers: {}, body: '', error: `invalid endpoint ${this.#endpoint}` });
    const headers = { ...this.#headers };
    if (this.#oauthProfile !== undefined) headers['Authorization'] = `Bearer ${capability('oauthToken')(this.#oauthProfile)}`;
    return new RESTResponseV2(
      capability('http')({ method: this.#method.toUpperCase(), url: this.#endpoint, headers, body: this.#body, timeoutMs: this.#timeoutMs }),
    );
  }
}

/** `sn_cc` connection info: the attributes of the HTTP connection and its credential behind an alias. */
export class ConnectionInfo {
  readonly #connection: GlideConnection;

  constructor(connection: GlideConnection) {
    this.#connection = connection;
  }

  getAttribute(name: string): string | null {
    return name === 'connection_url' ? this.#connection.connection_url : null;
  }

  getCredentialAttribute(name: string): string | null {
    return this.#connection.credential[name] ?? null;
  }
}

/** `sn_cc.ConnectionInfoProvider.getConnectionInfo(aliasId)`: `null` when the alias has no active connection. */
export class ConnectionInfoProvider {
  getConnectionInfo(aliasId: string): ConnectionInfo | null {
    const connection = capability('connection')(aliasId);
    return connection ? new ConnectionInfo(connection) : null;
  }
}
