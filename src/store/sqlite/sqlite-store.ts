import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { type Clock, type Ids, randomIds } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  checkLimit,
  correlationPosition,
  decodeCursor,
  type ListPosition,
  OPEN_CORRELATIONS_SCOPE,
  outboxScope,
  REPORTS_SCOPE,
  runsScope,
  toPage,
} from '../common/cursor.js';
import {
  checkId,
  correlationSchema,
  gateSchema,
  idempotencySchema,
  outboxSchema,
  parseInput,
  parseStored,
  patchRunSchema,
  prepareCorrelation,
  prepareGate,
  prepareIdempotency,
  preparePatch,
  preparePatchRun,
  prepareRefreshMark,
  prepareReportJob,
  refreshDue,
  reportJobSchema,
  toJsonValue,
  truncateError,
  withoutUndefined,
} from '../common/records.js';
import { checkLeaseMs, checkTtlSeconds, expirySeconds, isExpired, leaseOwner, leaseTokenFor, normaliseIso, nowSeconds } from '../common/time.js';
import { StoreError } from '../errors.js';
import type { StateStore } from '../ports.js';
import type {
  CorrelationRecord,
  GateAuthorisation,
  IdempotencyRecord,
  OutboxItem,
  Page,
  PatchRunRecord,
  ReportJobRecord,
} from '../types.js';
import { migrate } from './migrations.js';

const claimOwnerRow = z.object({ owner: z.string() });

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. The parent directory is created as needed. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Source of outbox lease tokens; random UUIDs by default. */
  readonly ids?: Ids;
  /** How long a writer waits for another connection's lock before `UNAVAILABLE`. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/** Expired claims and idempotency records are swept at most this often (clock time). */
const PURGE_INTERVAL_MS = 60_000;

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
  return new SqliteStateStore(db, options.clock, options.logger, options.ids ?? randomIds);
}

const dataRow = z.object({ data: z.string() });
const idempotencyRow = z.object({ expires_at: z.number(), data: z.string() });
const outboxRow = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.string(),
  attempts: z.number(),
  next_attempt_at: z.string(),
  last_error: z.string().nullable(),
  lease_token: z.string().nullable(),
  lease_until: z.string().nullable(),
  created_at: z.string(),
});
const countRow = z.object({ n: z.number() });

function readJson<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
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

function toOutboxItem(row: unknown): OutboxItem {
  const r = parseStored(outboxRow, row, 'outbox row');
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload);
  } catch (err) {
    throw new StoreError('CORRUPT', 'stored outbox payload is not valid JSON', { cause: err });
  }
  return parseStored(
    outboxSchema,
    withoutUndefined({
      id: r.id,
      kind: r.kind,
      payload,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error ?? undefined,
      leaseToken: r.lease_token ?? undefined,
      leaseUntil: r.lease_until ?? undefined,
      createdAt: r.created_at,
    }),
    'outbox item',
  );
}

const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/;

/** SQLite failures become `StoreError('UNAVAILABLE')` (busy, I/O) or `REJECTED`; our own errors pass through untouched. */
function mapSqliteError(err: unknown): unknown {
  if (err instanceof Database.SqliteError) {
    return new StoreError(TRANSIENT_SQLITE.test(err.code) ? 'UNAVAILABLE' : 'REJECTED', `SQLite: ${err.code}`, {
      cause: err,
      details: { sqliteCode: err.code },
    });
  }
  return err;
}

/**
 * A JSON document table with a few indexed columns, ordered newest first by
 * (created_at, id). Patch runs and report jobs share it.
 */
class DocTable<T extends ListPosition> {
  readonly #db: Database.Database;
  readonly #table: string;
  readonly #schema: z.ZodObject & z.ZodType<T>;
  readonly #what: string;
  readonly #columns: (record: T) => Record<string, string | null>;

  constructor(
    db: Database.Database,
    spec: {
      table: string;
      schema: z.ZodObject & z.ZodType<T>;
      what: string;
      /** Indexed columns besides id/created_at/data, derived from the record. */
      columns: (record: T) => Record<string, string | null>;
    },
  ) {
    this.#db = db;
    this.#table = spec.table;
    this.#schema = spec.schema;
    this.#what = spec.what;
    this.#columns = spec.columns;
  }

  /** Inserts; false if the id exists. */
  insert(record: T): boolean {
    const columns = { id: record.id, created_at: record.createdAt, ...this.#columns(record), data: JSON.stringify(record) };
    const names = Object.keys(columns);
    const sql = `INSERT INTO ${this.#table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')}) ON CONFLICT(id) DO NOTHING`;
    return this.#db.prepare(sql).run(columns).changes === 1;
  }

  get(id: string): T | undefined {
    const row = this.#db.prepare(`SELECT data FROM ${this.#table} WHERE id = ?`).get(id);
    return row === undefined ? undefined : readJson(this.#schema, row, this.#what);
  }

  /** Returns the newest record where `column = value`, if any. */
  findBy(column: string, value: string): T | undefined {
    const row = this.#db
      .prepare(`SELECT data FROM ${this.#table} WHERE ${column} = ? ORDER BY created_at DESC, id DESC LIMIT 1`)
      .get(value);
    return row === undefined ? undefined : readJson(this.#schema, row, this.#what);
  }

  /** Merges `patch` into the stored record and stamps `updatedAt`; NOT_FOUND if absent. */
  update(id: string, patch: object, updatedAt: string): T {
    const fields = preparePatch(this.#schema, patch, `${this.#what} update`);
    const apply = this.#db.transaction((): T => {
      const current = this.get(id);
      if (current === undefined) {
        throw new StoreError('NOT_FOUND', `${this.#what} not found`, { details: { id } });
      }
      const next = parseInput(this.#schema, { ...current, ...fields, updatedAt }, this.#what);
      const columns = { ...this.#columns(next), data: JSON.stringify(next), id };
      const sets = Object.keys(columns)
        .filter((n) => n !== 'id')
        .map((n) => `${n} = @${n}`);
      this.#db.prepare(`UPDATE ${this.#table} SET ${sets.join(', ')} WHERE id = @id`).run(columns);
      return next;
    });
    return apply.immediate();
  }

  /**
   * Merges `fields` into the record when `due(current)` holds, in one immediate
   * transaction, leaving `updatedAt` alone (a bookkeeping mark, not a change).
   * NOT_FOUND if absent; `false` when `due` refuses.
   */
  markIf(id: string, due: (current: T) => boolean, fields: Partial<T>): boolean {
    const apply = this.#db.transaction((): boolean => {
      const current = this.get(id);
      if (current === undefined) throw new StoreError('NOT_FOUND', `${this.#what} not found`, { details: { id } });
      if (!due(current)) return false;
      const next = parseInput(this.#schema, { ...current, ...fields }, this.#what);
      this.#db.prepare(`UPDATE ${this.#table} SET data = @data WHERE id = @id`).run({ data: JSON.stringify(next), id });
      return true;
    });
    return apply.immediate();
  }

  /** Up to `count` records newest first, strictly after `after`, optionally where `column = value`. */
  list(count: number, after: ListPosition | undefined, filter?: { column: string; value: string }): T[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { count };
    if (filter) {
      where.push(`${filter.column} = @filter`);
      params['filter'] = filter.value;
    }
    if (after) {
      where.push('(created_at, id) < (@afterCreatedAt, @afterId)');
      params['afterCreatedAt'] = after.createdAt;
      params['afterId'] = after.id;
    }
    const sql = `SELECT data FROM ${this.#table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT @count`;
    return this.#db
      .prepare(sql)
      .all(params)
      .map((row) => readJson(this.#schema, row, this.#what));
  }
}

class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ids: Ids;
  readonly #runs: DocTable<PatchRunRecord>;
  readonly #reports: DocTable<ReportJobRecord>;
  #closed = false;
  #lastPurgeMs = Number.NEGATIVE_INFINITY;

  constructor(db: Database.Database, clock: Clock, logger: Logger, ids: Ids) {
    this.#db = db;
    this.#clock = clock;
    this.#logger = logger;
    this.#ids = ids;
    this.#runs = new DocTable(db, {
      table: 'patch_runs',
      schema: patchRunSchema,
      what: 'patch run',
      columns: (run) => ({ change_number: run.changeNumber, execution_id: run.executionId ?? null }),
    });
    this.#reports = new DocTable(db, { table: 'report_jobs', schema: reportJobSchema, what: 'report job', columns: () => ({}) });
  }

  /** Runs a synchronous body as one store call: refuses after close, maps SQLite errors. */
  async #call<T>(body: () => T): Promise<T> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return body();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  #now(): Date {
    return this.#clock.now();
  }

  /** SQLite has no TTL sweeper: expired claims (HMAC nonces pile up) and idempotency rows are deleted here. */
  #purgeExpired(now: Date): void {
    if (now.getTime() - this.#lastPurgeMs < PURGE_INTERVAL_MS) return;
    this.#lastPurgeMs = now.getTime();
    const cutoff = nowSeconds(now);
    const claims = this.#db.prepare('DELETE FROM claims WHERE expires_at IS NOT NULL AND expires_at < ?').run(cutoff);
    const idem = this.#db.prepare('DELETE FROM idempotency WHERE expires_at < ?').run(cutoff);
    if (claims.changes + idem.changes > 0) {
      this.#logger.debug({ claims: claims.changes, idempotency: idem.changes }, 'purged expired state');
    }
  }

  claim(key: string, owner: string, ttlSeconds?: number): Promise<boolean> {
    return this.#call(() => {
      checkId(key, 'key');
      const now = this.#now();
      this.#purgeExpired(now);
      const expiresAt =
        ttlSeconds === undefined ? null : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
      const result = this.#db
        .prepare(
          `INSERT INTO claims (key, owner, expires_at) VALUES (@key, @owner, @expiresAt)
           ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE claims.expires_at IS NOT NULL AND claims.expires_at < @now`,
        )
        .run({ key, owner, expiresAt, now: nowSeconds(now) });
      return result.changes === 1;
    });
  }

  extendClaim(key: string, owner: string, ttlSeconds?: number): Promise<boolean> {
    return this.#call(() => {
      const now = this.#now();
      const expiresAt = ttlSeconds === undefined ? null : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
      const result = this.#db
        .prepare(
          `UPDATE claims SET expires_at = @expiresAt
           WHERE key = @key AND owner = @owner AND (expires_at IS NULL OR expires_at >= @now)`,
        )
        .run({ key, owner, expiresAt, now: nowSeconds(now) });
      return result.changes === 1;
    });
  }

  release(key: string, owner: string): Promise<void> {
    return this.#call(() => {
      this.#db.prepare('DELETE FROM claims WHERE key = ? AND owner = ?').run(key, owner);
    });
  }

  claimHolder(key: string): Promise<string | undefined> {
    return this.#call(() => {
      const row = this.#db
        .prepare('SELECT owner FROM claims WHERE key = @key AND (expires_at IS NULL OR expires_at >= @now)')
        .get({ key, now: nowSeconds(this.#now()) });
      return row === undefined ? undefined : parseStored(claimOwnerRow, row, 'claim').owner;
    });
  }

  createPatchRun(run: PatchRunRecord): Promise<void> {
    return this.#call(() => {
      if (!this.#runs.insert(preparePatchRun(run))) {
        throw new StoreError('CONFLICT', 'patch run already exists', { details: { id: run.id } });
      }
    });
  }

  getPatchRun(id: string): Promise<PatchRunRecord | undefined> {
    return this.#call(() => this.#runs.get(id));
  }

  updatePatchRun(id: string, patch: Partial<Omit<PatchRunRecord, 'id' | 'createdAt'>>): Promise<PatchRunRecord> {
    return this.#call(() => this.#runs.update(id, patch, this.#now().toISOString()));
  }

  findPatchRunByExecution(executionId: string): Promise<PatchRunRecord | undefined> {
    return this.#call(() => this.#runs.findBy('execution_id', executionId));
  }

  beginRunRefresh(id: string, mark: { staleBefore: string; leaseUntil: string }): Promise<boolean> {
    return this.#call(() => {
      const m = prepareRefreshMark(mark);
      const now = this.#now().toISOString();
      return this.#runs.markIf(id, (run) => refreshDue(run, m, now), { refreshLeaseUntil: m.leaseUntil });
    });
  }

  listPatchRuns(query: { changeNumber?: string; limit: number; cursor?: string }): Promise<Page<PatchRunRecord>> {
    return this.#call(() => {
      const limit = checkLimit(query.limit);
      const scope = runsScope(query.changeNumber);
      const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
      const filter = query.changeNumber === undefined ? undefined : { column: 'change_number', value: query.changeNumber };
      return toPage(this.#runs.list(limit + 1, after, filter), limit, scope);
    });
  }

  beginIdempotent(
    record: IdempotencyRecord,
  ): Promise<{ created: true } | { created: false; existing: IdempotencyRecord }> {
    return this.#call(() => {
      const stored = prepareIdempotency(record);
      const expiresAt = expirySeconds(Date.parse(stored.expiresAt));
      const begin = this.#db.transaction(
        (now: Date): { created: true } | { created: false; existing: IdempotencyRecord } => {
          this.#purgeExpired(now);
          const row = this.#db.prepare('SELECT expires_at, data FROM idempotency WHERE key = ?').get(record.key);
          if (row !== undefined) {
            const parsed = parseStored(idempotencyRow, row, 'idempotency row');
            if (!isExpired(parsed.expires_at, now)) {
              return { created: false, existing: readJson(idempotencySchema, row, 'idempotency record') };
            }
          }
          this.#db
            .prepare(
              `INSERT INTO idempotency (key, status, expires_at, data) VALUES (@key, @status, @expiresAt, @data)
               ON CONFLICT(key) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, data = excluded.data`,
            )
            .run({ key: record.key, status: stored.status, expiresAt, data: JSON.stringify(stored) });
          return { created: true };
        },
      );
      return begin.immediate(this.#now());
    });
  }

  completeIdempotent(key: string, response: NonNullable<IdempotencyRecord['response']>): Promise<void> {
    return this.#call(() => {
      const complete = this.#db.transaction(() => {
        const row = this.#db.prepare('SELECT data FROM idempotency WHERE key = ?').get(key);
        if (row === undefined) {
          throw new StoreError('NOT_FOUND', 'idempotency record not found', { details: { key } });
        }
        const current = readJson(idempotencySchema, row, 'idempotency record');
        const next = parseInput(
          idempotencySchema,
          toJsonValue({ ...current, status: 'completed', response }),
          'idempotency record',
        );
        this.#db
          .prepare("UPDATE idempotency SET status = 'completed', data = ? WHERE key = ?")
          .run(JSON.stringify(next), key);
      });
      complete.immediate();
    });
  }

  abandonIdempotent(key: string): Promise<void> {
    return this.#call(() => {
      this.#db.prepare("DELETE FROM idempotency WHERE key = ? AND status = 'in-progress'").run(key);
    });
  }

  getCorrelation(correlationId: string): Promise<CorrelationRecord | undefined> {
    return this.#call(() => {
      const row = this.#db.prepare('SELECT data FROM correlations WHERE correlation_id = ?').get(correlationId);
      return row === undefined ? undefined : readJson(correlationSchema, row, 'correlation');
    });
  }

  putCorrelation(record: Omit<CorrelationRecord, 'version'>, expectedVersion?: number): Promise<CorrelationRecord> {
    return this.#call(() => {
      const next = prepareCorrelation(record, expectedVersion);
      const params = {
        id: next.correlationId,
        version: next.version,
        expected: expectedVersion ?? null,
        state: next.state,
        updatedAt: next.updatedAt,
        data: JSON.stringify(next),
      };
      const written =
        expectedVersion === undefined
          ? this.#db
              .prepare(
                `INSERT INTO correlations (correlation_id, version, state, updated_at, data) VALUES (@id, @version, @state, @updatedAt, @data)
                 ON CONFLICT(correlation_id) DO NOTHING`,
              )
              .run(params).changes
          : this.#db
              .prepare(
                `UPDATE correlations SET version = @version, state = @state, updated_at = @updatedAt, data = @data
                 WHERE correlation_id = @id AND version = @expected`,
              )
              .run(params).changes;
      if (written !== 1) {
        throw new StoreError('CONFLICT', 'correlation record changed concurrently', {
          details: { correlationId: record.correlationId, expectedVersion: expectedVersion ?? null },
        });
      }
      return next;
    });
  }

  listOpenCorrelations(query: { limit: number; cursor?: string }): Promise<Page<CorrelationRecord>> {
    return this.#call(() => {
      const limit = checkLimit(query.limit);
      const after = query.cursor === undefined ? undefined : decodeCursor(OPEN_CORRELATIONS_SCOPE, query.cursor);
      const rows = this.#db
        .prepare(
          `SELECT data FROM correlations WHERE state = 'open'
             AND (@afterUpdated IS NULL OR updated_at > @afterUpdated OR (updated_at = @afterUpdated AND correlation_id > @afterId))
           ORDER BY updated_at, correlation_id LIMIT @limit`,
        )
        .all({ afterUpdated: after?.createdAt ?? null, afterId: after?.id ?? null, limit: limit + 1 });
      const records = rows.map((row) => readJson(correlationSchema, row, 'correlation'));
      return toPage(records, limit, OPEN_CORRELATIONS_SCOPE, correlationPosition);
    });
  }

  enqueue(item: { id: string; kind: string; payload: unknown; nextAttemptAt?: string }): Promise<boolean> {
    return this.#call(() => {
      checkId(item.id, 'id');
      checkId(item.kind, 'kind');
      const now = this.#now().toISOString();
      const result = this.#db
        .prepare(
          `INSERT INTO outbox (id, kind, payload, attempts, next_attempt_at, created_at)
           VALUES (@id, @kind, @payload, 0, @nextAttemptAt, @createdAt) ON CONFLICT(id) DO NOTHING`,
        )
        .run({
          id: item.id,
          kind: item.kind,
          payload: JSON.stringify(toJsonValue(item.payload)),
          nextAttemptAt: item.nextAttemptAt === undefined ? now : normaliseIso(item.nextAttemptAt, 'nextAttemptAt'),
          createdAt: now,
        });
      return result.changes === 1;
    });
  }

  lease(options: { limit: number; leaseMs: number; kind?: string; owner?: string }): Promise<OutboxItem[]> {
    return this.#call(() => {
      const limit = checkLimit(options.limit);
      const leaseMs = checkLeaseMs(options.leaseMs);
      const take = this.#db.transaction((now: Date): OutboxItem[] => {
        const nowIso = now.toISOString();
        const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
        const rows = this.#db
          .prepare(
            `SELECT * FROM outbox
             WHERE next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
               AND (@kind IS NULL OR kind = @kind)
             ORDER BY next_attempt_at, id LIMIT @limit`,
          )
          .all({ now: nowIso, kind: options.kind ?? null, limit });
        const update = this.#db.prepare('UPDATE outbox SET lease_token = ?, lease_until = ? WHERE id = ?');
        return rows.map((row) => {
          const item = toOutboxItem(row);
          const leaseToken = leaseTokenFor(options.owner, this.#ids.uuid());
          update.run(leaseToken, leaseUntil, item.id);
          return { ...item, leaseToken, leaseUntil };
        });
      });
      return take.immediate(this.#now());
    });
  }

  releaseLeases(owner: string): Promise<number> {
    return this.#call(() => {
      const prefix = `${leaseOwner(owner)}:`;
      const result = this.#db
        .prepare('UPDATE outbox SET lease_token = NULL, lease_until = NULL WHERE lease_token IS NOT NULL AND substr(lease_token, 1, ?) = ?')
        .run(prefix.length, prefix);
      return result.changes;
    });
  }

  renewLease(id: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    return this.#call(() => {
      const until = new Date(this.#now().getTime() + leaseMs).toISOString();
      const result = this.#db.prepare('UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_token = ?').run(until, id, leaseToken);
      return result.changes > 0;
    });
  }

  ack(id: string, leaseToken: string): Promise<void> {
    return this.#call(() => {
      const result = this.#db.prepare('DELETE FROM outbox WHERE id = ? AND lease_token = ?').run(id, leaseToken);
      if (result.changes === 0) this.#logger.debug({ outboxId: id }, 'outbox ack ignored: lease no longer held');
    });
  }

  fail(id: string, leaseToken: string, error: string, nextAttemptAt: string): Promise<void> {
    return this.#call(() => {
      const result = this.#db
        .prepare(
          `UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next,
             lease_token = NULL, lease_until = NULL
           WHERE id = @id AND lease_token = @token`,
        )
        .run({ id, token: leaseToken, error: truncateError(error), next: normaliseIso(nextAttemptAt, 'nextAttemptAt') });
      if (result.changes === 0) this.#logger.debug({ outboxId: id }, 'outbox fail ignored: lease no longer held');
    });
  }

  outboxDepth(kind?: string): Promise<number> {
    return this.#call(() => {
      const row = this.#db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE (@kind IS NULL OR kind = @kind)').get({
        kind: kind ?? null,
      });
      return parseStored(countRow, row, 'count').n;
    });
  }

  listOutbox(query: { kind: string; limit: number; cursor?: string }): Promise<Page<OutboxItem>> {
    return this.#call(() => {
      checkId(query.kind, 'kind');
      const limit = checkLimit(query.limit);
      const scope = outboxScope(query.kind);
      const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
      const rows = this.#db
        .prepare(
          `SELECT * FROM outbox WHERE kind = @kind
             AND (@afterCreated IS NULL OR created_at > @afterCreated OR (created_at = @afterCreated AND id > @afterId))
           ORDER BY created_at, id LIMIT @limit`,
        )
        .all({ kind: query.kind, afterCreated: after?.createdAt ?? null, afterId: after?.id ?? null, limit: limit + 1 });
      return toPage(rows.map(toOutboxItem), limit, scope);
    });
  }

  getOutboxItem(id: string): Promise<OutboxItem | undefined> {
    return this.#call(() => {
      checkId(id, 'id');
      const row = this.#db.prepare('SELECT * FROM outbox WHERE id = ?').get(id);
      return row === undefined ? undefined : toOutboxItem(row);
    });
  }

  deleteOutboxItem(id: string): Promise<boolean> {
    return this.#call(() => {
      checkId(id, 'id');
      return this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(id).changes > 0;
    });
  }

  putGate(gate: GateAuthorisation): Promise<void> {
    return this.#call(() => {
      const record = prepareGate(gate);
      this.#db
        .prepare(
          `INSERT INTO gates (window_id, account_id, region, data) VALUES (@windowId, @accountId, @region, @data)
           ON CONFLICT(window_id) DO UPDATE SET account_id = excluded.account_id, region = excluded.region, data = excluded.data`,
        )
        .run({ windowId: record.windowId, accountId: record.accountId, region: record.region, data: JSON.stringify(record) });
    });
  }

  getGate(windowId: string): Promise<GateAuthorisation | undefined> {
    return this.#call(() => {
      const row = this.#db.prepare('SELECT data FROM gates WHERE window_id = ?').get(windowId);
      return row === undefined ? undefined : readJson(gateSchema, row, 'gate');
    });
  }

  listGates(query: { accountId?: string; region?: string }): Promise<GateAuthorisation[]> {
    return this.#call(() =>
      this.#db
        .prepare(
          `SELECT data FROM gates WHERE (@accountId IS NULL OR account_id = @accountId) AND (@region IS NULL OR region = @region)
           ORDER BY account_id, region, window_id`,
        )
        .all({ accountId: query.accountId ?? null, region: query.region ?? null })
        .map((row) => readJson(gateSchema, row, 'gate')),
    );
  }

  createReportJob(job: ReportJobRecord): Promise<void> {
    return this.#call(() => {
      if (!this.#reports.insert(prepareReportJob(job))) {
        throw new StoreError('CONFLICT', 'report job already exists', { details: { id: job.id } });
      }
    });
  }

  getReportJob(id: string): Promise<ReportJobRecord | undefined> {
    return this.#call(() => this.#reports.get(id));
  }

  updateReportJob(id: string, patch: Partial<Omit<ReportJobRecord, 'id' | 'createdAt'>>): Promise<ReportJobRecord> {
    return this.#call(() => this.#reports.update(id, patch, this.#now().toISOString()));
  }

  listReportJobs(query: { limit: number; cursor?: string }): Promise<Page<ReportJobRecord>> {
    return this.#call(() => {
      const limit = checkLimit(query.limit);
      const after = query.cursor === undefined ? undefined : decodeCursor(REPORTS_SCOPE, query.cursor);
      return toPage(this.#reports.list(limit + 1, after), limit, REPORTS_SCOPE);
    });
  }

  ping(): Promise<void> {
    return this.#call(() => {
      this.#db.prepare('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
