import type { AwsContext } from './ports.js';

/**
 * Hive-style partitions (`key=value`) so Athena / Glue read the history as a
 * table partitioned by account, region and dt with no extra metadata.
 */
export const HISTORY_PREFIX = 'history';
export const SNAPSHOT_OBJECT = 'snapshot.ndjson.gz';

/** `history/account=…/region=…/dt=YYYY-MM-DD/snapshot.ndjson.gz`: one object per day per account and region. */
export function historyKey(ctx: AwsContext, day: string): string {
  return `${HISTORY_PREFIX}/account=${ctx.accountId}/region=${ctx.region}/dt=${day}/${SNAPSHOT_OBJECT}`;
}

export const REPORTS_PREFIX = 'reports';

/** `reports/dt=YYYY-MM-DD/<report id>/<file name>`; the date partition lets an S3 lifecycle rule expire old reports. */
export function reportKey(createdDay: string, reportId: string, fileName: string): string {
  return `${REPORTS_PREFIX}/dt=${createdDay}/${reportId}/${fileName}`;
}
