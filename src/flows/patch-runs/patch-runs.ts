import { type AwsContext, type CommandInvocation, type FleetInventory, isAwsError, type PatchExecution, type RunStatus } from '../../aws/index.js';
import type { Clock } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type ChangeScopeMode, ChangeRefusedError, complianceStatus, type PatchEvent, patchCountsOf } from '../../domain/index.js';
import { type Page, type PatchRunInstance, type PatchRunRecord, type PatchRunStatus, StoreError, type PatchRunStore } from '../../store/index.js';
import {
  assertManaged,
  awsFailure,
  type ChangeCloseCode,
  ChangeFlowError,
  type ChangeReader,
  type ServiceNowWrites,
  verifyChange,
} from '../change-gates/index.js';
import { type ChangeScopeDeps, requireChangeScope, targetInstances } from './change-scope.js';
import { canonicalRequest, type PatchRunRequest, type PatchRunRequestInput, patchRunId, patchRunRequestSchema, runbookInput } from './request.js';

/**
 * `PatchExecution` whose `startPatchRun` takes a deadline and never calls SSM after
 * it (the SSM adapter's does: `StartPatchRunOptions`). An implementation that
 * ignores `notAfter` would let a queued run start after its change has ended.
 */
export type PatchRunExecution = PatchExecution;

export interface PatchRunsDeps {
  readonly store: PatchRunStore;
  readonly execution: PatchRunExecution;
  readonly servicenow: ChangeReader;
  readonly writes: ServiceNowWrites;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `config.patching.runbook`; the adapter's own default when absent. */
  readonly runbook?: string;
  /** Accounts patchbridge manages (`config.aws.accounts` ids); empty = any. */
  readonly managedAccounts?: readonly string[];
  readonly verifyTimeoutMs?: number;
  /** `PATCHBRIDGE_CHANGE_SCOPE` and the CMDB reads checking it needs; absent = `none`. */
  readonly changeScope?: { readonly mode: ChangeScopeMode; readonly cmdb: ChangeScopeDeps['cmdb'] };
  /**
   * Resolves targets to instances (the change scope) and reads their patch compliance
   * just before a run starts and when it finishes, for the change's completion note.
   * Absent: neither is read and the note has no compliance line.
   */
  readonly fleet?: Pick<FleetInventory, 'describeInstances' | 'describePatchStates'>;
  /** Longest wait for each compliance read; past it the note says it was not read. Default 3 s. */
  readonly complianceReadMs?: number;
  /** `PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE`: suggest the change's close code from the run's outcome. */
  readonly suggestCloseCode?: boolean;
  /**
   * Incident numbers raised for a run's failures, for the completion work note
   * (wired to the incident flow's correlation records). None = the note lists none.
   */
  readonly incidentNumbers?: (run: PatchRunRecord, status: RunStatus) => Promise<readonly string[]>;
  /** Invocation-level events refresh a run at most this often. Default 10 s. */
  readonly progressIntervalMs?: number;
  /**
   * A read answers from the store while the stored status is younger than this
   * (`config.patching.statusFreshnessSeconds`); an older one is refreshed from SSM
   * first, once per run however many read it at the same time. Default 15 s.
   */
  readonly freshnessMs?: number;
  /**
   * How long a read waits for that refresh before answering from the store, saying
   * how old the status is; the refresh carries on and lands in the store. Default 2 s.
   */
  readonly refreshWaitMs?: number;
  /**
   * Longest wait in the 1 TPS start queue after the change was verified; past it
   * the start fails with a retryable 503. Default 15 s: the caller is waiting, and
   * API Gateway gives up at 29 s (verification may already have taken 10).
   */
  readonly maxStartWaitMs?: number;
  /**
   * A run is started at least this long before its change's planned end, room
   * for the SDK's own retries of the start call. Default 60 s.
   */
  readonly endMarginMs?: number;
}

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

export interface PatchRuns {
  /**
   * Verifies the change with ServiceNow (run-now), then starts the runbook with
   * `ClientToken` = the run id. Refusals throw `ChangeRefusedError` (409 / 503);
   * `CHANGE_OUTSIDE_WINDOW` too when less than `endMarginMs` of the change is left.
   * SSM is never called after `maxStartWaitMs` from the verification or after the
   * change's end less `endMarginMs`: a start the 1 TPS queue cannot reach by then
   * throws the retryable `ChangeFlowError('AWS_UNAVAILABLE')` and the run stays Pending.
   * `created` is false when the same change and request had already started this run.
   */
  start(input: PatchRunRequestInput): Promise<{ run: PatchRunView; created: boolean }>;
  /**
   * The run with per-instance status (one page), from the store. A status older
   * than the freshness period is first refreshed from SSM (single-flight per run,
   * and across processes through the store's freshness mark); when SSM is throttled
   * or unreachable the stored status is answered with its age, never an error.
   */
  get(runId: string, page?: { limit?: number; cursor?: string }): Promise<PatchRunDetailView>;
  list(query: { changeRequest?: string; limit?: number; cursor?: string }): Promise<Page<PatchRunView>>;
  /** Stops the execution; `PATCH_RUN_FINISHED` if it already ended. Needs no change approval. */
  cancel(runId: string): Promise<PatchRunView>;
  /**
   * Write-back driven by the event intake: an automation, command or invocation
   * status event for one of our runs refreshes it from SSM, updates the store and
   * queues the `x_pbridge_patch_run` update, plus a summary work note on the change
   * when it finishes. Events for anything else are ignored. Returns whether a run matched.
   */
  recordPatchRunProgress(event: PatchEvent): Promise<'updated' | 'ignored'>;
}

const FINAL: ReadonlySet<PatchRunStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const STATUS_BY_PHASE: Readonly<Record<RunStatus['phase'], PatchRunStatus>> = {
  pending: 'Pending',
  running: 'InProgress',
  succeeded: 'Success',
  failed: 'Failed',
  'timed-out': 'TimedOut',
  cancelled: 'Cancelled',
};
const COMMAND_CACHE_MAX = 1_000;
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

/** Compliance counts of a run's instances at one moment. */
export type ComplianceTally = {
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly unreported: number;
};

function complianceLine(before: ComplianceTally | undefined, after: ComplianceTally | undefined): string {
  const text = (t: ComplianceTally | undefined) =>
    t ? `${t.compliant} compliant, ${t.nonCompliant} non-compliant, ${t.unreported} not reported` : 'not read (SSM did not answer in time)';
  return `Patch compliance of the targeted instances: before the run ${text(before)}; after it ${text(after)}.`;
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

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[1]) throw new ValidationError('VALIDATION_FAILED', 'The cursor is not one this API issued.');
  return Number(m[1]);
}

export function createPatchRuns(deps: PatchRunsDeps): PatchRuns {
  const log = deps.logger.child({ flow: 'patch-runs' });
  const managed = deps.managedAccounts ?? [];
  const progressInterval = deps.progressIntervalMs ?? 10_000;
  const maxStartWait = deps.maxStartWaitMs ?? 15_000;
  const endMargin = deps.endMarginMs ?? 60_000;
  const complianceReadMs = deps.complianceReadMs ?? 3_000;
  const freshness = deps.freshnessMs ?? 15_000;
  const refreshWait = deps.refreshWaitMs ?? 2_000;
  // One refresh per run in this process; the store's mark keeps other processes out.
  const inFlight = new Map<string, Promise<PatchRunRecord | undefined>>();
  // Command → run, learnt from SSM: Run Command events do not name the automation that sent them.
  const runByCommand = new Map<string, string>();
  const lastRefresh = new Map<string, number>();

  function view(run: PatchRunRecord): PatchRunView {
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

  const ctxOf = (run: PatchRunRecord): AwsContext => ({ accountId: run.accountId, region: run.region });

  /**
   * Compliance of `instances` now, or `undefined` when it could not be read within
   * `complianceReadMs` (never an error: it only feeds a note).
   */
  async function tallyCompliance(ctx: AwsContext, instances: () => Promise<readonly string[]>): Promise<ComplianceTally | undefined> {
    const fleet = deps.fleet;
    if (!fleet) return undefined;
    const timer = new AbortController();
    const read = (async (): Promise<ComplianceTally> => {
      const ids = await instances();
      const states = new Map((ids.length > 0 ? await fleet.describePatchStates(ctx, ids) : []).map((s) => [s.instanceId, s]));
      const tally = { compliant: 0, nonCompliant: 0, unreported: 0 };
      for (const id of ids) {
        const state = states.get(id);
        const status = complianceStatus(state ? patchCountsOf(state) : undefined);
        if (status === 'COMPLIANT') tally.compliant++;
        else if (status === 'NON_COMPLIANT') tally.nonCompliant++;
        else tally.unreported++;
      }
      return tally;
    })();
    const late = deps.clock.sleep(complianceReadMs, timer.signal).then(
      () => undefined,
      () => undefined,
    );
    try {
      return await Promise.race([read, late]);
    } catch (err) {
      log.warn({ err }, 'patch compliance of the run targets could not be read');
      return undefined;
    } finally {
      timer.abort();
      read.catch(() => undefined);
    }
  }

  async function mustGet(runId: string): Promise<PatchRunRecord> {
    const run = await deps.store.getPatchRun(runId);
    if (!run) throw new ChangeFlowError('PATCH_RUN_NOT_FOUND', `No patch run ${runId}.`);
    return run;
  }

  async function readStatus(run: PatchRunRecord & { executionId: string }): Promise<RunStatus> {
    try {
      const status = await deps.execution.getRunStatus(ctxOf(run), { kind: 'automation', executionId: run.executionId });
      for (const id of status.commandIds) {
        if (runByCommand.size >= COMMAND_CACHE_MAX) runByCommand.delete(runByCommand.keys().next().value as string);
        runByCommand.set(id, run.id);
      }
      lastRefresh.set(run.id, deps.clock.now().getTime());
      return status;
    } catch (err) {
      throw awsFailure(err, `read patch run ${run.id}`);
    }
  }

  /** Folds an SSM status into the stored run; queues the write-back when anything changed. */
  async function apply(run: PatchRunRecord, status: RunStatus): Promise<PatchRunRecord> {
    let next = STATUS_BY_PHASE[status.phase];
    // SSM keeps reporting InProgress while a cancel takes effect.
    if (run.status === 'Cancelling' && (next === 'InProgress' || next === 'Pending')) next = 'Cancelling';
    if (FINAL.has(run.status)) next = run.status;
    const counts = countInvocations(status.invocations);
    const changed = next !== run.status || JSON.stringify(counts) !== JSON.stringify(run.counts ?? null);
    const { instances, omitted } = storedInstances(status.invocations);
    const updated = await deps.store.updatePatchRun(run.id, {
      status: next,
      counts,
      refreshedAt: deps.clock.now().toISOString(),
      ssmStatus: status.status,
      ...(status.failureMessage ? { failureMessage: status.failureMessage.slice(0, 2_000) } : {}),
      instances,
      instancesOmitted: omitted,
    });
    if (!changed) return updated;
    await deps.writes.syncPatchRun(updated);
    if (FINAL.has(next) && !FINAL.has(run.status)) await noteCompletion(updated, status, counts);
    return updated;
  }

  async function noteCompletion(run: PatchRunRecord, status: RunStatus, counts: PatchRunCounts): Promise<void> {
    const failed = status.invocations.filter((i) => i.status !== 'Success' && i.status !== 'Pending' && i.status !== 'InProgress').map((i) => `${i.instanceId} (${i.statusDetails || i.status})`);
    let incidents: readonly string[] = [];
    try {
      incidents = (await deps.incidentNumbers?.(run, status)) ?? [];
    } catch (err) {
      log.warn({ err, runId: run.id }, 'incident numbers unavailable for the completion note');
    }
    const after = await tallyCompliance(ctxOf(run), async () => status.invocations.map((i) => i.instanceId));
    const lines = [
      `patchbridge: ad hoc patch run ${run.id} (SSM execution ${run.executionId ?? 'not started'}) finished with status ${run.status}.`,
      `Instances: ${counts.total} targeted, ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.timedOut} timed out, ${counts.cancelled} cancelled.`,
      ...(deps.fleet ? [complianceLine(run.complianceBefore as ComplianceTally | undefined, after)] : []),
      ...(failed.length > 0 ? [`Not patched: ${failed.slice(0, 50).join(', ')}${failed.length > 50 ? ` and ${failed.length - 50} more` : ''}.`] : []),
      ...(status.failureMessage ? [`SSM: ${status.failureMessage.slice(0, 500)}`] : []),
      ...(incidents.length > 0 ? [`Incidents: ${incidents.join(', ')}.`] : []),
    ];
    await deps.writes.changeNote(run.changeSysId, lines.join('\n'), `run-finished:${run.id}`);
    const closeCode = deps.suggestCloseCode ? suggestedCloseCode(run.status, counts) : undefined;
    if (closeCode) await deps.writes.suggestCloseCode(run.changeSysId, closeCode, lines.slice(0, 2).join('\n'), `run-finished:${run.id}`);
  }

  /**
   * Reads the run from SSM into the store, once per run at a time in this process.
   * Unless `force` (an event says the run moved), it first takes the store's
   * freshness mark and gives up (`undefined`) when another process holds it or
   * refreshed the run meanwhile.
   */
  function refresh(run: PatchRunRecord, force: boolean): Promise<PatchRunRecord | undefined> {
    const executionId = run.executionId;
    if (!executionId) return Promise.resolve(run);
    const running = inFlight.get(run.id);
    if (running) return running;
    const work = (async () => {
      if (!force) {
        const now = deps.clock.now().getTime();
        const mark = { staleBefore: new Date(now - freshness).toISOString(), leaseUntil: new Date(now + Math.max(freshness, refreshWait)).toISOString() };
        if (!(await deps.store.beginRunRefresh(run.id, mark))) return undefined;
      }
      const status = await readStatus({ ...run, executionId });
      return apply((await deps.store.getPatchRun(run.id)) ?? run, status);
    })();
    const settled = work.finally(() => inFlight.delete(run.id));
    inFlight.set(run.id, settled);
    return settled;
  }

  /** Stored and older than the freshness period, unless it ended and was read since. */
  function isStale(run: PatchRunRecord): boolean {
    if (!run.executionId) return false;
    if (run.refreshedAt === undefined) return true;
    if (FINAL.has(run.status)) return false;
    return deps.clock.now().getTime() - Date.parse(run.refreshedAt) >= freshness;
  }

  /** Waits up to `refreshWait` for a refresh; afterwards it lands in the store on its own. */
  async function awaitRefresh(run: PatchRunRecord): Promise<{ run: PatchRunRecord; reason?: StaleReason }> {
    const pending = refresh(run, false);
    const timer = new AbortController();
    const timeout = deps.clock.sleep(refreshWait, timer.signal).then(
      () => 'timeout' as const,
      () => 'timeout' as const,
    );
    try {
      const outcome = await Promise.race([pending, timeout]);
      if (outcome === 'timeout') {
        pending.catch((err: unknown) => log.warn({ err, runId: run.id }, 'background refresh of a patch run failed'));
        return { run, reason: 'REFRESH_PENDING' };
      }
      // Another process held the mark: what it wrote (or is writing) is the freshest there is.
      return { run: outcome ?? (await deps.store.getPatchRun(run.id)) ?? run };
    } catch (err) {
      // Only SSM failures are answered from the store; a store fault is a fault.
      if (!(err instanceof ChangeFlowError && (err.code === 'AWS_UNAVAILABLE' || err.code === 'AWS_REJECTED'))) throw err;
      const failure = err;
      const cause = failure.cause;
      const reason: StaleReason = isAwsError(cause) && cause.code === 'THROTTLED' ? 'AWS_THROTTLED' : failure.code === 'AWS_REJECTED' ? 'AWS_REJECTED' : 'AWS_UNAVAILABLE';
      log.warn({ err, runId: run.id, reason }, 'patch run answered from the store: SSM could not be read');
      return { run, reason };
    } finally {
      timer.abort();
    }
  }

  async function runForCommand(event: { commandId: string; accountId: string; region: string }): Promise<PatchRunRecord | undefined> {
    const known = runByCommand.get(event.commandId);
    if (known) return deps.store.getPatchRun(known);
    const direct = await deps.store.findPatchRunByExecution(event.commandId);
    if (direct) return direct;
    // Look among recent unfinished runs in the same place; each refresh teaches the cache its commands.
    const recent = await deps.store.listPatchRuns({ limit: 20 });
    for (const run of recent.items) {
      if (FINAL.has(run.status) || !run.executionId || run.accountId !== event.accountId || run.region !== event.region) continue;
      if (deps.clock.now().getTime() - (lastRefresh.get(run.id) ?? Number.NEGATIVE_INFINITY) < progressInterval) continue;
      await refresh(run, true);
      if (runByCommand.get(event.commandId) === run.id) return deps.store.getPatchRun(run.id);
    }
    return undefined;
  }

  return {
    async start(input) {
      const request = canonicalRequest(input);
      assertManaged(managed, request.accountId);
      const verdict = await verifyChange(deps, request.changeRequest, 'run-now');
      const verifiedAtMs = deps.clock.now().getTime();
      const id = patchRunId(verdict.changeSysId, request);
      let run = await deps.store.getPatchRun(id);
      if (run?.executionId) return { run: view(run), created: false };
      const ctx = { accountId: request.accountId, region: request.region };
      let resolved: Promise<readonly string[]> | undefined;
      // Resolved at most once per start, and only when the scope or the compliance read needs it.
      const instances = () => {
        const fleet = deps.fleet;
        if (!fleet) return Promise.reject(new Error('no fleet inventory to resolve the targets with'));
        resolved ??= targetInstances(fleet, ctx, request.targets);
        return resolved;
      };
      if (deps.changeScope) await requireChangeScope({ ...deps.changeScope, logger: log, instances }, request, verdict);
      // The approval holds until the change's end: SSM must be called by then, and not after a wait the caller cannot see out.
      const lastStart = verdict.end.getTime() - endMargin;
      if (verifiedAtMs > lastStart) {
        throw new ChangeRefusedError(
          'CHANGE_OUTSIDE_WINDOW',
          `The planned window of change ${verdict.changeNumber} ends at ${verdict.end.toISOString()}, too soon to start a patch run (less than ${Math.round(endMargin / 1000)} s left).`,
          { changeNumber: verdict.changeNumber },
        );
      }
      const notAfter = new Date(Math.min(verifiedAtMs + maxStartWait, lastStart));
      if (!run) {
        // Read before the start: once SSM runs, the states may already be the run's own.
        const before = await tallyCompliance({ accountId: request.accountId, region: request.region }, instances);
        const at = deps.clock.now().toISOString();
        const record: PatchRunRecord = {
          id,
          changeNumber: verdict.changeNumber,
          changeSysId: verdict.changeSysId,
          ...(request.requestedItem ? { requestedItem: request.requestedItem } : {}),
          accountId: request.accountId,
          region: request.region,
          clientToken: id,
          request: { ...request },
          ...(before ? { complianceBefore: before } : {}),
          status: 'Pending',
          createdAt: at,
          updatedAt: at,
        };
        try {
          await deps.store.createPatchRun(record);
          run = record;
        } catch (err) {
          if (!(err instanceof StoreError && err.code === 'CONFLICT')) throw err;
          run = await mustGet(id);
          if (run.executionId) return { run: view(run), created: false };
        }
      }
      let executionId: string;
      try {
        ({ executionId } = await deps.execution.startPatchRun({ accountId: request.accountId, region: request.region }, runbookInput(id, request, deps.runbook), {
          notAfter,
        }));
      } catch (err) {
        const failure = awsFailure(err, 'start the patch runbook');
        if (!failure.retryable) await deps.store.updatePatchRun(id, { status: 'Failed' });
        throw failure;
      }
      const started = await deps.store.updatePatchRun(id, { executionId, status: 'InProgress' });
      await deps.writes.syncPatchRun(started);
      await deps.writes.changeNote(
        started.changeSysId,
        `patchbridge: ad hoc patch run ${id} started: ${request.operation} on ${JSON.stringify(request.targets)} in ${request.accountId}/${request.region} (SSM Automation execution ${executionId}, reboot ${request.rebootOption}, concurrency ${request.maxConcurrency}, errors ${request.maxErrors}).`,
        `run-started:${id}`,
      );
      log.info({ runId: id, changeNumber: started.changeNumber, executionId }, 'patch run started');
      return { run: view(started), created: true };
    },

    async get(runId, page = {}) {
      const offset = decodeCursor(page.cursor);
      const limit = page.limit ?? 50;
      const stored = await mustGet(runId);
      const { run, reason } = isStale(stored) ? await awaitRefresh(stored) : { run: stored };
      const all = run.instances ?? [];
      const ageMs = run.refreshedAt === undefined ? undefined : Math.max(0, deps.clock.now().getTime() - Date.parse(run.refreshedAt));
      return {
        ...view(run),
        ...(run.ssmStatus ? { ssmStatus: run.ssmStatus } : {}),
        ...(run.failureMessage ? { failureMessage: run.failureMessage } : {}),
        ...(ageMs === undefined ? {} : { ageSeconds: Math.floor(ageMs / 1000) }),
        stale: isStale(run),
        ...(isStale(run) ? { staleReason: reason ?? 'REFRESH_PENDING' } : {}),
        instances: {
          items: all.slice(offset, offset + limit),
          ...(offset + limit < all.length ? { nextCursor: encodeCursor(offset + limit) } : {}),
          ...(run.instancesOmitted ? { omitted: run.instancesOmitted } : {}),
        },
      };
    },

    async list(query) {
      const page = await deps.store.listPatchRuns({
        ...(query.changeRequest ? { changeNumber: query.changeRequest } : {}),
        limit: query.limit ?? 50,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },

    async cancel(runId) {
      const run = await mustGet(runId);
      if (FINAL.has(run.status)) throw new ChangeFlowError('PATCH_RUN_FINISHED', `Patch run ${runId} already ended (${run.status}).`);
      if (run.executionId) {
        try {
          await deps.execution.cancelRun(ctxOf(run), { kind: 'automation', executionId: run.executionId });
        } catch (err) {
          throw awsFailure(err, `cancel patch run ${runId}`);
        }
      }
      const updated = await deps.store.updatePatchRun(runId, { status: run.executionId ? 'Cancelling' : 'Cancelled' });
      await deps.writes.syncPatchRun(updated);
      log.info({ runId, executionId: run.executionId }, 'patch run cancel requested');
      return view(updated);
    },

    async recordPatchRunProgress(event) {
      let run: PatchRunRecord | undefined;
      if (event.kind === 'automation') run = await deps.store.findPatchRunByExecution(event.executionId);
      else if (event.kind === 'command' || event.kind === 'invocation') run = await runForCommand(event);
      if (!run?.executionId) return 'ignored';
      const sinceLast = deps.clock.now().getTime() - (lastRefresh.get(run.id) ?? Number.NEGATIVE_INFINITY);
      // One refresh reads every invocation; per-instance events are many, so they refresh at most every interval.
      if (event.kind === 'invocation' && sinceLast < progressInterval) return 'updated';
      await refresh(run, true);
      return 'updated';
    },
  };
}
