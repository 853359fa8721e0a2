import type { FleetInventory, PatchExecution, RunStatus } from '../../aws/index.js';
import type { Clock, Logger } from '../../core/index.js';
import { type ChangeScopeMode, ChangeRefusedError, type PatchEvent, } from '../../domain/index.js';
import { type Page, type PatchRunRecord, StoreError, type PatchRunStore } from '../../store/index.js';
import { assertManaged } from './accounts.js';
import { awsFailure, ChangeFlowError } from './errors.js';
import type { ServiceNowWrites } from './servicenow-writes.js';
import { type ChangeReader, verifyChange } from './verify-change.js';
import { type ChangeScopeDeps, requireChangeScope, targetInstances } from './change-scope.js';
import { tallyCompliance } from './run-compliance.js';
import { createRunTracker } from './run-tracking.js';
import { decodeCursor, encodeCursor, FINAL, type PatchRunDetailView, type PatchRunView, runContext, runView } from './run-views.js';
import { canonicalRequest, type PatchRunRequestInput, patchRunId, runbookInput } from './request.js';

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

export function createPatchRuns(deps: PatchRunsDeps): PatchRuns {
  const log = deps.logger.child({ flow: 'patch-runs' });
  const managed = deps.managedAccounts ?? [];
  const maxStartWait = deps.maxStartWaitMs ?? 15_000;
  const endMargin = deps.endMarginMs ?? 60_000;
  const tallyDeps = { ...(deps.fleet ? { fleet: deps.fleet } : {}), clock: deps.clock, logger: log, readMs: deps.complianceReadMs ?? 3_000 };
  const tracker = createRunTracker({
    ...deps,
    log,
    progressIntervalMs: deps.progressIntervalMs ?? 10_000,
    freshnessMs: deps.freshnessMs ?? 15_000,
    refreshWaitMs: deps.refreshWaitMs ?? 2_000,
    tally: tallyDeps,
  });
  const { isStale } = tracker;

  async function mustGet(runId: string): Promise<PatchRunRecord> {
    const run = await deps.store.getPatchRun(runId);
    if (!run) throw new ChangeFlowError('PATCH_RUN_NOT_FOUND', `No patch run ${runId}.`);
    return run;
  }

  return {
    async start(input) {
      const request = canonicalRequest(input);
      assertManaged(managed, request.accountId);
      const verdict = await verifyChange(deps, request.changeRequest, 'run-now');
      const verifiedAtMs = deps.clock.now().getTime();
      const id = patchRunId(verdict.changeSysId, request);
      let run = await deps.store.getPatchRun(id);
      if (run?.executionId) return { run: runView(run), created: false };
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
        const before = await tallyCompliance(tallyDeps, { accountId: request.accountId, region: request.region }, instances);
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
          if (run.executionId) return { run: runView(run), created: false };
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
      return { run: runView(started), created: true };
    },

    async get(runId, page = {}) {
      const offset = decodeCursor(page.cursor);
      const limit = page.limit ?? 50;
      const stored = await mustGet(runId);
      const { run, reason } = isStale(stored) ? await tracker.awaitRefresh(stored) : { run: stored };
      const all = run.instances ?? [];
      const ageMs = run.refreshedAt === undefined ? undefined : Math.max(0, deps.clock.now().getTime() - Date.parse(run.refreshedAt));
      return {
        ...runView(run),
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
      return { items: page.items.map(runView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },

    async cancel(runId) {
      const run = await mustGet(runId);
      if (FINAL.has(run.status)) throw new ChangeFlowError('PATCH_RUN_FINISHED', `Patch run ${runId} already ended (${run.status}).`);
      if (run.executionId) {
        try {
          await deps.execution.cancelRun(runContext(run), { kind: 'automation', executionId: run.executionId });
        } catch (err) {
          throw awsFailure(err, `cancel patch run ${runId}`);
        }
      }
      const updated = await deps.store.updatePatchRun(runId, { status: run.executionId ? 'Cancelling' : 'Cancelled' });
      await deps.writes.syncPatchRun(updated);
      log.info({ runId, executionId: run.executionId }, 'patch run cancel requested');
      return runView(updated);
    },

    recordPatchRunProgress: (event) => tracker.recordProgress(event),

  };
}
