import { z } from 'zod';
import { checkLimit, decodeCursor, outboxScope, toPage } from '../common/cursor.js';
import { checkId, outboxSchema, parseStored, toJsonValue, truncateError, withoutUndefined } from '../common/records.js';
import { checkLeaseMs, leaseOwner, leaseTokenFor, normaliseIso } from '../common/time.js';
import { StoreError } from '../errors.js';
import type { OutboxStore } from '../ports.js';
import type { OutboxItem } from '../types.js';
import type { SqliteConnection } from './connection.js';

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

/**
 * The outbox in the `outbox` table: leases are a token and an end time on the
 * row, taken in one IMMEDIATE transaction so no item goes to two workers.
 */
export function sqliteOutbox(conn: SqliteConnection): OutboxStore {
  const { db } = conn;
  return {
    enqueue(item) {
      return conn.call(() => {
        checkId(item.id, 'id');
        checkId(item.kind, 'kind');
        const now = conn.now().toISOString();
        const result = conn.prepare(
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
    },

    lease(options) {
      return conn.call(() => {
        const limit = checkLimit(options.limit);
        const leaseMs = checkLeaseMs(options.leaseMs);
        const take = db.transaction((now: Date): OutboxItem[] => {
          const nowIso = now.toISOString();
          const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
          const rows = conn.prepare(
              `SELECT * FROM outbox
             WHERE next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
               AND (@kind IS NULL OR kind = @kind)
             ORDER BY next_attempt_at, id LIMIT @limit`,
            )
            .all({ now: nowIso, kind: options.kind ?? null, limit });
          const update = conn.prepare('UPDATE outbox SET lease_token = ?, lease_until = ? WHERE id = ?');
          return rows.map((row) => {
            const item = toOutboxItem(row);
            const leaseToken = leaseTokenFor(options.owner, conn.ids.uuid());
            update.run(leaseToken, leaseUntil, item.id);
            return { ...item, leaseToken, leaseUntil };
          });
        });
        return take.immediate(conn.now());
      });
    },

    releaseLeases(owner) {
      return conn.call(() => {
        const prefix = `${leaseOwner(owner)}:`;
        const result = conn.prepare('UPDATE outbox SET lease_token = NULL, lease_until = NULL WHERE lease_token IS NOT NULL AND substr(lease_token, 1, ?) = ?')
          .run(prefix.length, prefix);
        return result.changes;
      });
    },

    renewLease(id, leaseToken, leaseMs) {
      return conn.call(() => {
        const until = new Date(conn.now().getTime() + leaseMs).toISOString();
        const result = conn.prepare('UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_token = ?').run(until, id, leaseToken);
        return result.changes > 0;
      });
    },

    ack(id, leaseToken) {
      return conn.call(() => {
        const result = conn.prepare('DELETE FROM outbox WHERE id = ? AND lease_token = ?').run(id, leaseToken);
        if (result.changes === 0) conn.logger.debug({ outboxId: id }, 'outbox ack ignored: lease no longer held');
      });
    },

    fail(id, leaseToken, error, nextAttemptAt) {
      return conn.call(() => {
        const result = conn.prepare(
            `UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next,
             lease_token = NULL, lease_until = NULL
           WHERE id = @id AND lease_token = @token`,
          )
          .run({ id, token: leaseToken, error: truncateError(error), next: normaliseIso(nextAttemptAt, 'nextAttemptAt') });
        if (result.changes === 0) conn.logger.debug({ outboxId: id }, 'outbox fail ignored: lease no longer held');
      });
    },

    outboxDepth(kind) {
      return conn.call(() => {
        const row = conn.prepare('SELECT COUNT(*) AS n FROM outbox WHERE (@kind IS NULL OR kind = @kind)').get({ kind: kind ?? null });
        return parseStored(countRow, row, 'count').n;
      });
    },

    listOutbox(query) {
      return conn.call(() => {
        checkId(query.kind, 'kind');
        const limit = checkLimit(query.limit);
        const scope = outboxScope(query.kind);
        const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
        const rows = conn.prepare(
            `SELECT * FROM outbox WHERE kind = @kind
             AND (@afterCreated IS NULL OR created_at > @afterCreated OR (created_at = @afterCreated AND id > @afterId))
           ORDER BY created_at, id LIMIT @limit`,
          )
          .all({ kind: query.kind, afterCreated: after?.createdAt ?? null, afterId: after?.id ?? null, limit: limit + 1 });
        return toPage(rows.map(toOutboxItem), limit, scope);
      });
    },

    getOutboxItem(id) {
      return conn.call(() => {
        checkId(id, 'id');
        const row = conn.prepare('SELECT * FROM outbox WHERE id = ?').get(id);
        return row === undefined ? undefined : toOutboxItem(row);
      });
    },

    deleteOutboxItem(id) {
      return conn.call(() => {
        checkId(id, 'id');
        return conn.prepare('DELETE FROM outbox WHERE id = ?').run(id).changes > 0;
      });
    },
  };
}
