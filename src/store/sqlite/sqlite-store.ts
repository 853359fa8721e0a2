import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Clock, type Ids, type Logger, randomIds } from '../../core/index.js';
import type { StateStore } from '../ports.js';
import { sqliteClaims } from './claims.js';
import { mapSqliteError, SqliteConnection } from './connection.js';
import { sqliteCorrelations } from './correlations.js';
import { sqliteGates } from './gates.js';
import { sqliteIdempotency } from './idempotency.js';
import { migrate } from './migrations.js';
import { sqliteOutbox } from './outbox.js';
import { sqlitePatchRuns } from './patch-runs.js';
import { sqliteReportJobs } from './report-jobs.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. The parent directory is created as needed. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Source of outbox lease tokens; random UUIDs by default. */
  readonly ids?: Ids | undefined;
  /** How long a writer waits for another connection's lock before `UNAVAILABLE`. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating as needed) a SQLite state store: WAL mode,
 * `busy_timeout`, numbered migrations. Several processes may share one file;
 * every read-modify-write runs in an IMMEDIATE transaction.
 */
export function createSqliteStore(options: SqliteStoreOptions): StateStore {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(options.path)), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(options.path);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (!memory) db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    migrate(db, options);
  } catch (err) {
    throw mapSqliteError(err);
  }
  const conn = new SqliteConnection(db, { clock: options.clock, logger: options.logger, ids: options.ids ?? randomIds });
  return {
    ...sqliteClaims(conn),
    ...sqlitePatchRuns(conn),
    ...sqliteIdempotency(conn),
    ...sqliteCorrelations(conn),
    ...sqliteOutbox(conn),
    ...sqliteGates(conn),
    ...sqliteReportJobs(conn),
    ping: () =>
      conn.call(() => {
        conn.db.prepare('SELECT 1').get();
      }),
    close: async () => conn.close(),
  };
}

