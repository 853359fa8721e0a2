import { gateSchema, prepareGate } from '../common/records.js';
import type { GateStore } from '../ports.js';
import { readJson, type SqliteConnection } from './connection.js';

/** Change-gate authorisations in the `gates` table, one row per window. */
export function sqliteGates(conn: SqliteConnection): GateStore {
  return {
    putGate(gate) {
      return conn.call(() => {
        const record = prepareGate(gate);
        conn.prepare(
          `INSERT INTO gates (window_id, account_id, region, data) VALUES (@windowId, @accountId, @region, @data)
           ON CONFLICT(window_id) DO UPDATE SET account_id = excluded.account_id, region = excluded.region, data = excluded.data`,
        ).run({ windowId: record.windowId, accountId: record.accountId, region: record.region, data: JSON.stringify(record) });
      });
    },

    getGate(windowId) {
      return conn.call(() => {
        const row = conn.prepare('SELECT data FROM gates WHERE window_id = ?').get(windowId);
        return row === undefined ? undefined : readJson(gateSchema, row, 'gate');
      });
    },

    listGates(query) {
      return conn.call(() =>
        conn.prepare(
            `SELECT data FROM gates WHERE (@accountId IS NULL OR account_id = @accountId) AND (@region IS NULL OR region = @region)
           ORDER BY account_id, region, window_id`,
          )
          .all({ accountId: query.accountId ?? null, region: query.region ?? null })
          .map((row) => readJson(gateSchema, row, 'gate')),
      );
    },
  };
}
