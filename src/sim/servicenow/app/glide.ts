import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac } from 'node:crypto';

/**
 * A small in-memory stand-in for the Glide APIs the scoped app's transform
 * module (`failure-import.gen.ts`) uses, and nothing more: `GlideRecord` with
 * `addQuery` (`=` and `!=`), `orderByDesc`, `setLimit`, `query`, `next`,
 * `getValue`, `setValue`, `getUniqueValue`, and `gs.getProperty`; and, for the
 * signing module, `GlideDigest.getSHA256Hex` and `CertificateEncryption.generateMac`.
 *
 * The module constructs `new GlideRecord(table)` the way it does on an
 * instance, so the data it sees comes from the database bound with
 * `withGlide(db, fn)` for the duration of `fn` (per call, not global: many
 * simulators can run in one process).
 */
export interface GlideDatabase {
  /** Rows of `table`; a parent table (e.g. `cmdb_ci`) includes its child tables' rows. */
  rows(table: string): readonly Readonly<Record<string, string>>[];
  /** A system property's value, or undefined when it is not set. */
  property(name: string): string | undefined;
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

type Scalar = string | number | boolean;
interface Condition {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** Like the platform: values compare as strings; `!=` never matches an empty field. */
function matches(row: Readonly<Record<string, string>>, c: Condition): boolean {
  const actual = row[c.field] ?? '';
  return c.op === '=' ? actual === c.value : actual !== '' && actual !== c.value;
}

export class GlideRecord {
  readonly #table: string;
  readonly #conditions: Condition[] = [];
  #order: string | undefined;
  #limit = Number.POSITIVE_INFINITY;
  #results: Record<string, string>[] = [];
  #index = -1;

  constructor(table: string) {
    this.#table = table;
  }

  addQuery(field: string, opOrValue: Scalar, value?: Scalar): void {
    if (value === undefined) {
      this.#conditions.push({ field, op: '=', value: String(opOrValue) });
      return;
    }
    if (opOrValue !== '=' && opOrValue !== '!=') throw new Error(`the Glide stand-in does not implement operator ${String(opOrValue)}`);
    this.#conditions.push({ field, op: opOrValue, value: String(value) });
  }

  orderByDesc(field: string): void {
    this.#order = field;
  }

  setLimit(limit: number): void {
    this.#limit = limit;
  }

  query(): void {
    const order = this.#order;
    const rows = database()
      .rows(this.#table)
      .filter((row) => this.#conditions.every((c) => matches(row, c)));
    if (order) rows.sort((a, b) => (b[order] ?? '').localeCompare(a[order] ?? ''));
    this.#results = rows.slice(0, this.#limit).map((row) => ({ ...row }));
    this.#index = -1;
  }

  next(): boolean {
    if (this.#index + 1 >= this.#results.length) return false;
    this.#index++;
    return true;
  }

  /** `null` for an empty field, as on the platform. */
  getValue(name: string): string | null {
    const v = this.#current()[name];
    return v === undefined || v === '' ? null : v;
  }

  setValue(name: string, value: Scalar): void {
    this.#current()[name] = String(value);
  }

  getUniqueValue(): string {
    return this.#current()['sys_id'] ?? '';
  }

  #current(): Record<string, string> {
    const row = this.#results[this.#index];
    if (!row) throw new Error(`GlideRecord(${this.#table}) has no current row`);
    return row;
  }
}

export const gs = {
  getProperty(name: string, alt?: Scalar): string {
    return database().property(name) ?? (alt === undefined ? '' : String(alt));
  },
};

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
