import { checkLimit, decodeCursor, REPORTS_SCOPE, toPage } from '../common/cursor.js';
import { prepareReportJob, reportJobSchema } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { ReportJobStore } from '../ports.js';
import type { ReportJobRecord } from '../types.js';
import type { SqliteConnection } from './connection.js';
import { DocTable } from './doc-table.js';

/** Report jobs in the `report_jobs` document table, newest first. */
export function sqliteReportJobs(conn: SqliteConnection): ReportJobStore {
  const reports = new DocTable<ReportJobRecord>(conn, {
    table: 'report_jobs',
    schema: reportJobSchema,
    what: 'report job',
    columns: () => ({}),
  });
  return {
    createReportJob(job) {
      return conn.call(() => {
        if (!reports.insert(prepareReportJob(job))) {
          throw new StoreError('CONFLICT', 'report job already exists', { details: { id: job.id } });
        }
      });
    },

    getReportJob(id) {
      return conn.call(() => reports.get(id));
    },

    updateReportJob(id, patch) {
      return conn.call(() => reports.update(id, patch, conn.now().toISOString()));
    },

    listReportJobs(query) {
      return conn.call(() => {
        const limit = checkLimit(query.limit);
        const after = query.cursor === undefined ? undefined : decodeCursor(REPORTS_SCOPE, query.cursor);
        return toPage(reports.list(limit + 1, after), limit, REPORTS_SCOPE);
      });
    },
  };
}
