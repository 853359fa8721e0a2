import type { ScheduledJob } from '../scheduler/index.js';
import type { ComplianceReports } from './report-jobs.js';
import type { ComplianceSnapshot } from './snapshot.js';

export interface ComplianceJobsDeps {
  readonly snapshot: Pick<ComplianceSnapshot, 'run'>;
  readonly reports: Pick<ComplianceReports, 'request'>;
  /** `config.compliance.snapshotCron` and `config.compliance.reportCron`. */
  readonly crons: { readonly snapshot: string; readonly report: string };
}

/**
 * The standalone scheduler's compliance jobs, on the same cron expressions the
 * Lambda runtime's EventBridge rules use. The snapshot also runs at start (it
 * skips what exists, so a process that was down at 02:15 catches up); the
 * monthly report is queued, and the outbox worker builds and delivers it.
 */
export function complianceJobs(deps: ComplianceJobsDeps): ScheduledJob[] {
  return [
    { name: 'compliance-snapshot', cron: deps.crons.snapshot, runOnStart: true, run: () => deps.snapshot.run() },
    { name: 'compliance-report', cron: deps.crons.report, run: () => deps.reports.request({}, 'schedule') },
  ];
}
