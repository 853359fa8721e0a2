import type { Database } from 'better-sqlite3';
import type { Clock, Logger } from '../../core/index.js';
import { z } from 'zod';
import { StoreError } from '../errors.js';

const versionRow = z.object({ version: z.number().int().nullable() });

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Numbered, append-only. Never edit a released migration: add the next number.
 * Timestamps are stored as fixed-width ISO strings so TEXT order is time order;
 * `expires_at` columns are epoch seconds, like the DynamoDB TTL attribute.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE claims (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at INTEGER
      );
      CREATE INDEX claims_expiry ON claims (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE patch_runs (
        id TEXT PRIMARY KEY,
        change_number TEXT NOT NULL,
        execution_id TEXT,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX patch_runs_newest ON patch_runs (created_at DESC, id DESC);
      CREATE INDEX patch_runs_change ON patch_runs (change_number, created_at DESC, id DESC);
      CREATE INDEX patch_runs_execution ON patch_runs (execution_id) WHERE execution_id IS NOT NULL;

      CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX idempotency_expiry ON idempotency (expires_at);

      CREATE TABLE correlations (
        correlation_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
      );

      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        lease_token TEXT,
        lease_until TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id);
      CREATE INDEX outbox_kind_due ON outbox (kind, next_attempt_at, id);

      CREATE TABLE gates (
        window_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX gates_account_region ON gates (account_id, region, window_id);

      CREATE TABLE report_jobs (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX report_jobs_newest ON report_jobs (created_at DESC, id DESC);
    `,
  },
  {
    version: 2,
    name: 'outbox-kind-oldest',
    // Operators list one kind (dead letters) oldest first; the due index orders by next attempt instead.
    sql: 'CREATE INDEX outbox_kind_oldest ON outbox (kind, created_at, id);',
  },
  {
    version: 3,
    name: 'open-correlations',
    // Auto-resolve lists the open incidents after every snapshot and successful run: index only those.
    sql: `
      ALTER TABLE correlations ADD COLUMN state TEXT;
      ALTER TABLE correlations ADD COLUMN updated_at TEXT;
      UPDATE correlations SET state = json_extract(data, '$.state'), updated_at = json_extract(data, '$.updatedAt');
      CREATE INDEX correlations_open ON correlations (updated_at, correlation_id) WHERE state = 'open';
    `,
  },
  {
    version: 4,
    name: 'nonces',
    // HMAC nonces, one per signed request: filed by expiry, so a second's inserts land on the same pages and the
    // sweep deletes a range, with the primary key as the only index (the claims table keeps three b-trees per row).
    sql: 'CREATE TABLE nonces (expires_at INTEGER NOT NULL, nonce TEXT NOT NULL, PRIMARY KEY (expires_at, nonce)) WITHOUT ROWID;',
  },
];

/**
 * Applies every migration not yet in `schema_migrations`, each in its own
 * IMMEDIATE transaction so two processes opening one file apply it once.
 * Refuses a database written by a newer patchbridge rather than guess at it.
 */
export function migrate(
  db: Database,
  deps: { clock: Clock; logger: Logger },
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const latestKnown = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const stored = versionRow.parse(db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get()).version;
  if (stored !== null && stored > latestKnown) {
    throw new StoreError('MISCONFIGURED', 'database schema is newer than this version of patchbridge supports', {
      details: { schemaVersion: stored, supported: latestKnown },
    });
  }

  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applyOne = db.transaction((migration: Migration): boolean => {
    if (isApplied.get(migration.version) !== undefined) return false;
    db.exec(migration.sql);
    record.run(migration.version, migration.name, deps.clock.now().toISOString());
    return true;
  });

  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applyOne.immediate(migration)) {
      applied.push(migration.version);
      deps.logger.info({ migration: migration.version, name: migration.name }, 'applied state-store migration');
    }
  }
  return applied;
}
