import { checkLimit, decodeCursor, runsScope, toPage } from '../common/cursor.js';
import { patchRunSchema, preparePatchRun, prepareRefreshMark, refreshDue } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { PatchRunStore } from '../ports.js';
import type { PatchRunRecord } from '../types.js';
import type { SqliteConnection } from './connection.js';
import { DocTable } from './doc-table.js';

/** Patch runs in the `patch_runs` document table, indexed by change number and execution id. */
export function sqlitePatchRuns(conn: SqliteConnection): PatchRunStore {
  const runs = new DocTable<PatchRunRecord>(conn, {
    table: 'patch_runs',
    schema: patchRunSchema,
    what: 'patch run',
    columns: (run) => ({ change_number: run.changeNumber, execution_id: run.executionId ?? null }),
  });
  return {
    createPatchRun(run) {
      return conn.call(() => {
        if (!runs.insert(preparePatchRun(run))) {
          throw new StoreError('CONFLICT', 'patch run already exists', { details: { id: run.id } });
        }
      });
    },

    getPatchRun(id) {
      return conn.call(() => runs.get(id));
    },

    updatePatchRun(id, patch) {
      return conn.call(() => runs.update(id, patch, conn.now().toISOString()));
    },

    findPatchRunByExecution(executionId) {
      return conn.call(() => runs.findBy('execution_id', executionId));
    },

    beginRunRefresh(id, mark) {
      return conn.call(() => {
        const m = prepareRefreshMark(mark);
        const now = conn.now().toISOString();
        return runs.markIf(id, (run) => refreshDue(run, m, now), { refreshLeaseUntil: m.leaseUntil });
      });
    },

    listPatchRuns(query) {
      return conn.call(() => {
        const limit = checkLimit(query.limit);
        const scope = runsScope(query.changeNumber);
        const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
        const filter = query.changeNumber === undefined ? undefined : { column: 'change_number', value: query.changeNumber };
        return toPage(runs.list(limit + 1, after, filter), limit, scope);
      });
    },
  };
}
