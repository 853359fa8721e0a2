import type { Logger } from '../core/index.js';
import { type ComplianceReports, createComplianceFlows, createReportTask, type ReportTaskResult, resolveComplianceTargets } from '../flows/compliance/index.js';
import { createOutboxWorker, type OutboxWorker } from '../flows/outbox/index.js';
import { buildOnce, lambdaContext } from '../runtime/lambda/index.js';

export type ComplianceReportResponse = ReportTaskResult;

/** The `compliance-report` Lambda: the monthly schedule and the on-demand jobs (see `createReportTask`). */
export function createComplianceReportHandler(deps: {
  readonly reports: Pick<ComplianceReports, 'request' | 'run'>;
  readonly worker: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
}): (event: unknown) => Promise<ComplianceReportResponse> {
  return createReportTask(deps);
}

const deployed = buildOnce(async () => {
  const ctx = await lambdaContext();
  const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
  const flows = createComplianceFlows(ctx, { targets });
  const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
  return createComplianceReportHandler({ reports: flows.reports, worker, logger: ctx.logger });
});

/** The Lambda entry point. */
export const handler = async (event: unknown): Promise<ComplianceReportResponse> => (await deployed())(event);
