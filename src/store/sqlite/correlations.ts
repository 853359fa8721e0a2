import { checkLimit, correlationPosition, decodeCursor, OPEN_CORRELATIONS_SCOPE, toPage } from '../common/cursor.js';
import { correlationSchema, prepareCorrelation } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { CorrelationStore } from '../ports.js';
import { readJson, type SqliteConnection } from './connection.js';

/** The incident correlation map in the `correlations` table, versioned; open records sit in a partial index. */
export function sqliteCorrelations(conn: SqliteConnection): CorrelationStore {
  return {
    getCorrelation(correlationId) {
      return conn.call(() => {
        const row = conn.prepare('SELECT data FROM correlations WHERE correlation_id = ?').get(correlationId);
        return row === undefined ? undefined : readJson(correlationSchema, row, 'correlation');
      });
    },

    putCorrelation(record, expectedVersion) {
      return conn.call(() => {
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
            ? conn.prepare(
                  `INSERT INTO correlations (correlation_id, version, state, updated_at, data) VALUES (@id, @version, @state, @updatedAt, @data)
                 ON CONFLICT(correlation_id) DO NOTHING`,
                )
                .run(params).changes
            : conn.prepare(
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
    },

    listOpenCorrelations(query) {
      return conn.call(() => {
        const limit = checkLimit(query.limit);
        const after = query.cursor === undefined ? undefined : decodeCursor(OPEN_CORRELATIONS_SCOPE, query.cursor);
        const rows = conn.prepare(
            `SELECT data FROM correlations WHERE state = 'open'
             AND (@afterUpdated IS NULL OR updated_at > @afterUpdated OR (updated_at = @afterUpdated AND correlation_id > @afterId))
           ORDER BY updated_at, correlation_id LIMIT @limit`,
          )
          .all({ afterUpdated: after?.createdAt ?? null, afterId: after?.id ?? null, limit: limit + 1 });
        const records = rows.map((row) => readJson(correlationSchema, row, 'correlation'));
        return toPage(records, limit, OPEN_CORRELATIONS_SCOPE, correlationPosition);
      });
    },
  };
}
