import type { AwsContext, CommandInvocation, RunStatus } from '../../aws/index.js';
import { ValidationError } from '../../core/index.js';
import type { PatchRunInstance, PatchRunRecord, PatchRunStatus } from '../../store/index.js';
import { type PatchRunRequest, patchRunRequestSchema } from './request.js';
import type { ChangeCloseCode } from './servicenow-writes.js';

export type PatchRunCounts = Readonly<Record<'total' | 'pending' | 'inProgress' | 'succeeded' | 'failed' | 'timedOut' | 'cancelled', number>>;

/** A run as the API shows it. */
export interface PatchRunView {
  readonly id: string;
  readonly changeRequest: string;
  readonly requestedItem?: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: PatchRunStatus;
  readonly executionId?: string;
  readonly operation: PatchRunRequest['operation'];
  readonly targets: PatchRunRequest['targets'];
  readonly rebootOption: PatchRunRequest['rebootOption'];
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly counts?: PatchRunCounts;
  /** When status, counts and instances were last read from SSM; absent until the first read. */
  readonly refreshedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type InstanceResultView = PatchRunInstance;

/** Why a read answered with a status older than the freshness period. */
export type StaleReason = 'AWS_THROTTLED' | 'AWS_UNAVAILABLE' | 'AWS_REJECTED' | 'REFRESH_PENDING';

export interface PatchRunDetailView extends PatchRunView {
  readonly ssmStatus?: string;
  readonly failureMessage?: string;
  /** Seconds since `refreshedAt`. */
  readonly ageSeconds?: number;
  /** The status is older than the freshness period (or was never read) and could not be refreshed now. */
  readonly stale: boolean;
  readonly staleReason?: StaleReason;
  readonly instances: { readonly items: readonly InstanceResultView[]; readonly nextCursor?: string; readonly omitted?: number };
}

/** Statuses a run never leaves. */
export const FINAL: ReadonlySet<PatchRunStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
export const STATUS_BY_PHASE: Readonly<Record<RunStatus['phase'], PatchRunStatus>> = {
  pending: 'Pending',
  running: 'InProgress',
  succeeded: 'Success',
  failed: 'Failed',
  'timed-out': 'TimedOut',
  cancelled: 'Cancelled',
};
/**
 * Per-instance results kept on a run record, which every read of the run returns.
 * The counts always cover every instance, and failures are kept before successes
 * when a run is larger than this. (DynamoDB keeps a large list in chunk items
 * beside the run item: 2,000 results with long names pass its 400 KB item limit.)
 */
export const RUN_INSTANCES_MAX = 2_000;

const byInstanceId = (a: { instanceId: string }, b: { instanceId: string }) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0);

/** The invocations as stored: sorted by instance id, failures first to go in when over `RUN_INSTANCES_MAX`. */
export function storedInstances(invocations: readonly CommandInvocation[]): { instances: PatchRunInstance[]; omitted: number } {
  const all = invocations.map((i) => ({
    instanceId: i.instanceId,
    ...(i.instanceName ? { instanceName: i.instanceName } : {}),
    status: i.status,
    statusDetails: i.statusDetails,
    commandId: i.commandId,
  }));
  if (all.length <= RUN_INSTANCES_MAX) return { instances: all.sort(byInstanceId), omitted: 0 };
  const kept = [...all.filter((i) => i.status !== 'Success'), ...all.filter((i) => i.status === 'Success')].slice(0, RUN_INSTANCES_MAX);
  return { instances: kept.sort(byInstanceId), omitted: all.length - RUN_INSTANCES_MAX };
}

/** Per-instance outcome counts from invocation statuses. */
export function countInvocations(invocations: readonly CommandInvocation[]): PatchRunCounts {
  const c = { total: 0, pending: 0, inProgress: 0, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0 };
  for (const i of invocations) {
    c.total++;
    if (i.status === 'Pending' || i.status === 'Delayed') c.pending++;
    else if (i.status === 'InProgress') c.inProgress++;
    else if (i.status === 'Success') c.succeeded++;
    else if (i.status === 'TimedOut') c.timedOut++;
    else if (i.status === 'Cancelled' || i.status === 'Cancelling') c.cancelled++;
    else c.failed++;
  }
  return c;
}

/**
 * The change close code a run's outcome suggests: `successful` when every instance
 * was patched, `successful_issues` when some were, `unsuccessful` when none were.
 * A cancelled run suggests nothing: someone decided, and will close the change.
 */
export function suggestedCloseCode(status: PatchRunStatus, counts: PatchRunCounts): ChangeCloseCode | undefined {
  if (status === 'Cancelled' || status === 'Cancelling' || counts.total === 0) return undefined;
  if (status === 'Success' && counts.succeeded === counts.total) return 'successful';
  return counts.succeeded > 0 ? 'successful_issues' : 'unsuccessful';
}

/** An opaque cursor over a run's instance list. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[1]) throw new ValidationError('VALIDATION_FAILED', 'The cursor is not one this API issued.');
  return Number(m[1]);
}

/** Where a run's SSM calls go. */
export function runContext(run: PatchRunRecord): AwsContext {
  return { accountId: run.accountId, region: run.region };
}

/** A stored run as the API shows it. */
export function runView(run: PatchRunRecord): PatchRunView {
  const r = patchRunRequestSchema.parse(run.request);
  return {
    id: run.id,
    changeRequest: run.changeNumber,
    ...(run.requestedItem ? { requestedItem: run.requestedItem } : {}),
    accountId: run.accountId,
    region: run.region,
    status: run.status,
    ...(run.executionId ? { executionId: run.executionId } : {}),
    operation: r.operation,
    targets: r.targets,
    rebootOption: r.rebootOption,
    maxConcurrency: r.maxConcurrency,
    maxErrors: r.maxErrors,
    ...(run.counts ? { counts: run.counts as PatchRunCounts } : {}),
    ...(run.refreshedAt ? { refreshedAt: run.refreshedAt } : {}),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
  };
}

