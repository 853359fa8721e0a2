import { z } from 'zod';
import { idempotencySchema, parseInput, parseStored, prepareIdempotency, toJsonValue } from '../common/records.js';
import { expirySeconds, isExpired } from '../common/time.js';
import { StoreError } from '../errors.js';
import type { IdempotencyStore } from '../ports.js';
import type { IdempotencyRecord } from '../types.js';
import { readJson, type SqliteConnection } from './connection.js';

const idempotencyRow = z.object({ expires_at: z.number(), data: z.string() });

/** Idempotency records in the `idempotency` table; expired rows are replaced, and swept by the connection. */
export function sqliteIdempotency(conn: SqliteConnection): IdempotencyStore {
  const { db } = conn;
  return {
    beginIdempotent(record) {
      return conn.call(() => {
        const stored = prepareIdempotency(record);
        const expiresAt = expirySeconds(Date.parse(stored.expiresAt));
        const begin = db.transaction((now: Date): { created: true } | { created: false; existing: IdempotencyRecord } => {
          conn.purgeExpired(now);
          const row = conn.prepare('SELECT expires_at, data FROM idempotency WHERE key = ?').get(record.key);
          if (row !== undefined) {
            const parsed = parseStored(idempotencyRow, row, 'idempotency row');
            if (!isExpired(parsed.expires_at, now)) {
              return { created: false, existing: readJson(idempotencySchema, row, 'idempotency record') };
            }
          }
          conn.prepare(
            `INSERT INTO idempotency (key, status, expires_at, data) VALUES (@key, @status, @expiresAt, @data)
               ON CONFLICT(key) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, data = excluded.data`,
          ).run({ key: record.key, status: stored.status, expiresAt, data: JSON.stringify(stored) });
          return { created: true };
        });
        return begin.immediate(conn.now());
      });
    },

    completeIdempotent(key, response) {
      return conn.call(() => {
        const complete = db.transaction(() => {
          const row = conn.prepare('SELECT data FROM idempotency WHERE key = ?').get(key);
          if (row === undefined) {
            throw new StoreError('NOT_FOUND', 'idempotency record not found', { details: { key } });
          }
          const current = readJson(idempotencySchema, row, 'idempotency record');
          const next = parseInput(idempotencySchema, toJsonValue({ ...current, status: 'completed', response }), 'idempotency record');
          conn.prepare("UPDATE idempotency SET status = 'completed', data = ? WHERE key = ?").run(JSON.stringify(next), key);
        });
        complete.immediate();
      });
    },

    abandonIdempotent(key) {
      return conn.call(() => {
        conn.prepare("DELETE FROM idempotency WHERE key = ? AND status = 'in-progress'").run(key);
      });
    },
  };
}
