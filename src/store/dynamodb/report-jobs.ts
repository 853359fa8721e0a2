import { REPORTS_SCOPE } from '../common/cursor.js';
import { prepareReportJob, reportJobSchema } from '../common/records.js';
import type { ReportJobStore } from '../ports.js';
import type { ReportJobRecord } from '../types.js';
import type { DynamoConnection } from './connection.js';
import { DynamoDocs, listSortKey } from './docs.js';
import { defined } from './items.js';

const REPORTS = 'REPORT';

/** Report jobs as `REPORT#<id>` documents, listed newest first on gsi1. */
export function dynamoReportJobs(conn: DynamoConnection): ReportJobStore {
  const reports = new DynamoDocs<ReportJobRecord>(conn, {
    what: 'report job',
    schema: reportJobSchema,
    key: (id) => ({ pk: `REPORT#${id}`, sk: REPORTS }),
    opaque: ['request', 'summary'],
    indexes: (f) => {
      const sortKey = listSortKey(f);
      return defined({ gsi1pk: sortKey && REPORTS, gsi1sk: sortKey });
    },
  });
  return {
    async createReportJob(job) {
      return reports.create(prepareReportJob(job));
    },

    async getReportJob(id) {
      return reports.get(id);
    },

    async updateReportJob(id, patch) {
      return reports.update(id, patch);
    },

    async listReportJobs(query) {
      return reports.listNewest('gsi1', REPORTS, query, REPORTS_SCOPE);
    },
  };
}
