import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Clock, Ids, Logger } from '../../core/index.js';
import { parseStored } from '../common/records.js';
import { nowSeconds } from '../common/time.js';
import { StoreError } from '../errors.js';

/** Expired claims and idempotency records are swept at most this often (clock time). */
const PURGE_INTERVAL_MS = 60_000;

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
  #lastPurgeMs = Number.NEGATIVE_INFINITY;

  constructor(db: Database.Database, deps: { clock: Clock; logger: Logger; ids: Ids }) {
    this.db = db;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.ids = deps.ids;
  }

  /** Runs a synchronous body as one store call: refuses after close, maps SQLite errors. */
  async call<T>(body: () => T): Promise<T> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return body();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  now(): Date {
    return this.clock.now();
  }

  /** SQLite has no TTL sweeper: expired claims (HMAC nonces pile up) and idempotency rows are deleted here. */
  purgeExpired(now: Date): void {
    if (now.getTime() - this.#lastPurgeMs < PURGE_INTERVAL_MS) return;
    this.#lastPurgeMs = now.getTime();
    const cutoff = nowSeconds(now);
    const claims = this.db.prepare('DELETE FROM claims WHERE expires_at IS NOT NULL AND expires_at < ?').run(cutoff);
    const idem = this.db.prepare('DELETE FROM idempotency WHERE expires_at < ?').run(cutoff);
    if (claims.changes + idem.changes > 0) {
      this.logger.debug({ claims: claims.changes, idempotency: idem.changes }, 'purged expired state');
    }
  }

  /** Closes the database; later calls fail with `CLOSED`. Closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}
