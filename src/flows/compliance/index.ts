export { type ComplianceFlowDeps, type ComplianceFlowOptions, type ComplianceFlows, createComplianceFlows, resolveComplianceTargets } from './compose.js';
export { csvChunks, csvField, csvStream } from './csv.js';
export { ComplianceError, type ComplianceErrorCode, isComplianceError } from './errors.js';
export { collectFleet, type FleetCollectorDeps, type FleetRecords } from './fleet-collector.js';
export { HISTORY_PREFIX, historyKey, REPORTS_PREFIX, reportKey, SNAPSHOT_OBJECT } from './history-layout.js';
export { readHistoryBatches, readHistoryObject, writeHistoryObject } from './history-io.js';
export { historyWorkerCount } from './history-workers.js';
export { renderReportHtml } from './html.js';
export { createLinkSigner, type LinkSigner, type SignedLink } from './links.js';
export { createLiveSummary, type LiveSummary, type LiveSummaryDeps } from './live-summary.js';
export type * from './ports.js';
export {
  type BuildProgress,
  type BuildReportInput,
  type BuiltReport,
  buildComplianceReport,
  type ReportBuilderDeps,
  type ReportPeriod,
  type ReportScope,
} from './report-builder.js';
export { putReportFiles, reportFileBody } from './report-files.js';
export {
  type ComplianceReports,
  type ComplianceReportsDeps,
  createComplianceReports,
  REPORT_JOB_KIND,
  type ReportFileView,
  type ReportJobView,
} from './report-jobs.js';
export {
  formatOfFile,
  type NormalisedReportRequest,
  REPORT_FILES,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportRequestInput,
  type ReportTrigger,
  reportRequestSchema,
} from './report-request.js';
export { type ComplianceJobsDeps, complianceJobs } from './schedule.js';
export { type CollectedSnapshot, type ComplianceSnapshot, createComplianceSnapshot, type SnapshotDeps, type SnapshotResult } from './snapshot.js';
export { complianceTargets } from './targets.js';
export { type ReportLink, reportSubject, reportText } from './text-summary.js';
export { createReportTask, createSnapshotTask, type ReportTaskDeps, type ReportTaskResult, type SnapshotTaskResult } from './tasks.js';
