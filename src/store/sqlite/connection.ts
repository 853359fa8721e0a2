import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Clock, Ids, Logger } from '../../core/index.js';
import { parseStored } from '../common/records.js';
import { nowSeconds } from '../common/time.js';
import { StoreError } from '../errors.js';

/** Expired claims and idempotency records are swept at most this often (clock time)… */
const PURGE_INTERVAL_MS = 1_000;
/**
 * …at most this many rows of each per sweep. Every signed API request leaves a
 * nonce claim that expires ten minutes later; deleting a minute of them at once
 * (120,000 rows at 2,000 requests/s) would stall every request behind it.
 */
const PURGE_BATCH = 1_000;

const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/;

/** SQLite failures become `StoreError('UNAVAILABLE')` (busy, I/O) or `REJECTED`; our own errors pass through untouched. */
export function mapSqliteError(err: unknown): unknown {
  if (err instanceof Database.SqliteError) {
    return new StoreError(TRANSIENT_SQLITE.test(err.code) ? 'UNAVAILABLE' : 'REJECTED', `SQLite: ${err.code}`, {
      cause: err,
      details: { sqliteCode: err.code },
    });
  }
  return err;
}

const dataRow = z.object({ data: z.string() });

/** Reads a row's `data` column: a JSON document checked against its schema. */
export function readJson<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
  const parsedRow = dataRow.safeParse(row);
  if (!parsedRow.success) return parseStored(schema, undefined, what);
  let value: unknown;
  try {
    value = JSON.parse(parsedRow.data.data);
  } catch (err) {
    throw new StoreError('CORRUPT', `stored ${what} is not valid JSON`, { cause: err });
  }
  return parseStored(schema, value, what);
}

/**
 * The one database connection every aggregate of a SQLite store shares, with
 * what they share besides it: the clock, lease-token ids, and the store's
 * open/closed state.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ids: Ids;
  #closed = false;
  readonly #statements = new Map<string, Database.Statement>();
  #lastPurgeMs = Number.NEGATIVE_INFINITY;

  constructor(db: Database.Database, deps: { clock: Clock; logger: Logger; ids: Ids }) {
    this.db = db;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.ids = deps.ids;
  }

  /** Runs a synchronous body as one store call: refuses after close, maps SQLite errors. */
  async call<T>(body: () => T): Promise<T> {
    return this.callNow(body);
  }

  /** `call`, answered (or failed) at once, for a port that may answer synchronously (`Awaitable`). */
  callNow<T>(body: () => T): T {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return body();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  /**
   * The prepared statement for `sql`, compiled once per connection: compiling
   * costs more than most of the lookups and writes it then runs (an HMAC nonce
   * claim is one per API request). The statements here run to completion in one
   * call (`run`, `get`, `all`), so sharing one is safe.
   */
  prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  now(): Date {
    return this.clock.now();
  }

  /**
   * SQLite has no TTL sweeper: expired claims, HMAC nonces (one per signed
   * request) and idempotency rows are deleted here, a bounded batch at a time. A full batch
   * means more are waiting, so the next call sweeps again instead of waiting
   * out the interval: the sweep keeps up with any write rate, in small steps.
   */
  purgeExpired(now: Date): void {
    if (now.getTime() - this.#lastPurgeMs < PURGE_INTERVAL_MS) return;
    this.#lastPurgeMs = now.getTime();
    const cutoff = nowSeconds(now);
    const claims = this.prepare(
      'DELETE FROM claims WHERE rowid IN (SELECT rowid FROM claims WHERE expires_at IS NOT NULL AND expires_at < ? LIMIT ?)',
    ).run(cutoff, PURGE_BATCH);
    const idem = this.prepare('DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE expires_at < ? LIMIT ?)').run(cutoff, PURGE_BATCH);
    const nonces = this.prepare(
      'DELETE FROM nonces WHERE (expires_at, nonce) IN (SELECT expires_at, nonce FROM nonces WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
    ).run(cutoff, PURGE_BATCH);
    if ([claims, idem, nonces].some((r) => r.changes === PURGE_BATCH)) this.#lastPurgeMs = Number.NEGATIVE_INFINITY;
    if (claims.changes + idem.changes + nonces.changes > 0) {
      this.logger.debug({ claims: claims.changes, idempotency: idem.changes, nonces: nonces.changes }, 'purged expired state');
    }
  }

  /** Closes the database; later calls fail with `CLOSED`. Closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}
