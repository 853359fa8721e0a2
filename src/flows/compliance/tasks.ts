import { z } from 'zod';
import { type Logger, ValidationError } from '../../core/index.js';
import type { OutboxWorker, RoundResult } from '../outbox/index.js';
import type { ComplianceReports } from './report-jobs.js';
import type { ComplianceSnapshot } from './snapshot.js';

/**
 * What the report task is asked to do:
 * - an EventBridge scheduled event, or `{ "action": "monthly" }`: queue the scheduled report, then run the queue;
 * - `{ "action": "drain" }` (a rule every minute): run the on-demand jobs the API queued;
 * - `{ "action": "run", "reportId": "…" }`: run (or re-deliver) one job by hand.
 */
const actionSchema = z.union([z.object({ action: z.literal('run'), reportId: z.uuid() }), z.object({ action: z.enum(['monthly', 'drain']) })]);
const scheduledSchema = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

type ReportAction = { action: 'run'; reportId: string } | { action: 'monthly' | 'drain' };

function reportActionOf(event: unknown): ReportAction {
  if (scheduledSchema.safeParse(event).success) return { action: 'monthly' };
  const parsed = actionSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError('INVALID_EVENT', 'compliance-report expects a scheduled event or {action: monthly|drain|run}');
  return parsed.data;
}

export interface ReportTaskResult {
  readonly queued?: string;
  readonly ran: RoundResult | { readonly reportId: string; readonly status: string };
}

export interface ReportTaskDeps {
  readonly reports: Pick<ComplianceReports, 'request' | 'run'>;
  /** An outbox worker with the reports' outbox handler registered. */
  readonly worker: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
}

/** The monthly schedule and the on-demand jobs, for whichever scheduler invokes them (the `compliance-report` Lambda). */
export function createReportTask(deps: ReportTaskDeps): (event: unknown) => Promise<ReportTaskResult> {
  return async (event) => {
    const e = reportActionOf(event);
    if (e.action === 'run') {
      const job = await deps.reports.run(e.reportId);
      return { ran: { reportId: job.id, status: job.status } };
    }
    const queued = e.action === 'drain' ? undefined : (await deps.reports.request({}, 'schedule')).id;
    const ran = await deps.worker.drain();
    deps.logger.info({ queued, ...ran }, 'compliance report task done');
    return { ...(queued ? { queued } : {}), ran };
  };
}

export interface SnapshotTaskResult {
  readonly day: string;
  readonly written: number;
  readonly alreadyTaken: number;
  readonly instances: number;
}

/**
 * The daily snapshot, summarised. A failure rethrows so the scheduler's retry
 * runs it again; a retry only redoes the accounts and regions whose object for
 * today is missing.
 */
export function createSnapshotTask(deps: { readonly snapshot: ComplianceSnapshot; readonly logger: Logger }): () => Promise<SnapshotTaskResult> {
  return async () => {
    const result = await deps.snapshot.run();
    const written = result.objects.filter((o) => o.outcome === 'written');
    const summary = {
      day: result.day,
      written: written.length,
      alreadyTaken: result.objects.length - written.length,
      instances: written.reduce((n, o) => n + (o.instances ?? 0), 0),
    };
    deps.logger.info(summary, 'compliance snapshot task done');
    return summary;
  };
}
