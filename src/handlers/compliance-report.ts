import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ComplianceReports } from '../flows/compliance/index.js';
import type { OutboxWorker, RoundResult } from '../flows/outbox/index.js';
import { buildOnce } from './build-once.js';

export interface ComplianceReportHandlerDeps {
  readonly reports: Pick<ComplianceReports, 'request' | 'run'>;
  /** An outbox worker with `reports.outboxHandler` registered. */
  readonly worker: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
}

/**
 * - an EventBridge scheduled event, or `{ "action": "monthly" }`: queue the scheduled report, then run the queue;
 * - `{ "action": "drain" }` (a rule every minute): run the on-demand jobs the API queued;
 * - `{ "action": "run", "reportId": "…" }`: run (or re-deliver) one job by hand.
 */
const actionSchema = z.union([z.object({ action: z.literal('run'), reportId: z.uuid() }), z.object({ action: z.enum(['monthly', 'drain']) })]);
const scheduledSchema = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

type Action = { action: 'run'; reportId: string } | { action: 'monthly' | 'drain' };

function actionOf(event: unknown): Action {
  if (scheduledSchema.safeParse(event).success) return { action: 'monthly' };
  const parsed = actionSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError('INVALID_EVENT', 'compliance-report expects a scheduled event or {action: monthly|drain|run}');
  return parsed.data;
}

export interface ComplianceReportResponse {
  readonly queued?: string;
  readonly ran: RoundResult | { readonly reportId: string; readonly status: string };
}

/** The `compliance-report` Lambda: the monthly schedule and the on-demand jobs. */
export function createComplianceReportHandler(deps: ComplianceReportHandlerDeps): (event: unknown) => Promise<ComplianceReportResponse> {
  return async (event) => {
    const e = actionOf(event);
    if (e.action === 'run') {
      const job = await deps.reports.run(e.reportId);
      return { ran: { reportId: job.id, status: job.status } };
    }
    const queued = e.action === 'drain' ? undefined : (await deps.reports.request({}, 'schedule')).id;
    const ran = await deps.worker.drain();
    deps.logger.info({ queued, ...ran }, 'compliance report handler done');
    return { ...(queued ? { queued } : {}), ran };
  };
}

const deployed = buildOnce(async () => {
  const [{ lambdaContext }, { createComplianceFlows, resolveComplianceTargets }, { createOutboxWorker }] = await Promise.all([
    import('./context.js'),
    import('../flows/compliance/index.js'),
    import('../flows/outbox/index.js'),
  ]);
  const ctx = await lambdaContext();
  const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
  const flows = createComplianceFlows(ctx, { targets });
  const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
  return createComplianceReportHandler({ reports: flows.reports, worker, logger: ctx.logger });
});

/** The deployed `compliance-report` Lambda, built once per container from the Lambda composition root. */
export const handler = async (event: unknown): Promise<ComplianceReportResponse> => (await deployed())(event);
