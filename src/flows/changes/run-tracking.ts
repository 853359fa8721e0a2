import { isAwsError, type RunStatus } from '../../aws/index.js';
import { type Logger, nameSome, raceClock } from '../../core/index.js';
import type { PatchEvent } from '../../domain/index.js';
import type { PatchRunRecord } from '../../store/index.js';
import { awsFailure, ChangeFlowError } from './errors.js';
import type { PatchRunsDeps } from './patch-runs.js';
import { type ComplianceTally, type ComplianceTallyDeps, complianceLine, tallyCompliance } from './run-compliance.js';
import { countInvocations, FINAL, type PatchRunCounts, runContext, STATUS_BY_PHASE, type StaleReason, storedInstances, suggestedCloseCode } from './run-views.js';

/** Instances and incidents a completion note names; past that it counts them, so the note always fits the 8,000 characters its outbox item takes. */
const NOTE_NAMES_MAX = 50;

/** Commands remembered per process, so a Run Command event finds its run without a lookup. */
const COMMAND_CACHE_MAX = 1_000;

export interface RunTrackerDeps extends Pick<PatchRunsDeps, 'store' | 'execution' | 'writes' | 'clock' | 'incidentNumbers' | 'suggestCloseCode'> {
  readonly log: Logger;
  readonly progressIntervalMs: number;
  readonly freshnessMs: number;
  readonly refreshWaitMs: number;
  /** The completion note's compliance read (fleet, clock, deadline), as the run start uses it. */
  readonly tally: ComplianceTallyDeps;
}

export interface RunTracker {
  /** Reads the run from SSM into the store (see `refresh` below); `force` skips the freshness mark. */
  refresh(run: PatchRunRecord, force: boolean): Promise<PatchRunRecord | undefined>;
  /** Stored and older than the freshness period, unless it ended and was read since. */
  isStale(run: PatchRunRecord): boolean;
  awaitRefresh(run: PatchRunRecord): Promise<{ run: PatchRunRecord; reason?: StaleReason }>;
  recordProgress(event: PatchEvent): Promise<'updated' | 'ignored'>;
}

/**
 * Progress tracking of patch runs: SSM status folded into the store (single-flight
 * per run in this process, the store's freshness mark across processes), the
 * write-back to ServiceNow when anything changed, and the completion note.
 */
export function createRunTracker(deps: RunTrackerDeps): RunTracker {
  const { log, freshnessMs: freshness, refreshWaitMs: refreshWait, progressIntervalMs: progressInterval } = deps;
  // One refresh per run in this process; the store's mark keeps other processes out.
  const inFlight = new Map<string, Promise<PatchRunRecord | undefined>>();
  // Command → run, learnt from SSM: Run Command events do not name the automation that sent them.
  const runByCommand = new Map<string, string>();
  const lastRefresh = new Map<string, number>();

  /** `maxWaitMs`: for a reader's refresh, how long its SSM read may wait for a quota slot (see `refresh`). */
  async function readStatus(run: PatchRunRecord & { executionId: string }, maxWaitMs?: number): Promise<RunStatus> {
    try {
      const status = await deps.execution.getRunStatus(runContext(run), { kind: 'automation', executionId: run.executionId }, maxWaitMs === undefined ? {} : { maxWaitMs });
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

  /**
   * Folds an SSM status read at `readAt` into the stored run; queues the write-back
   * when anything changed. A read that started before the stored one changes nothing:
   * reads of one run overlap (an event's refresh beside a reader's, a Lambda container
   * frozen mid-read), and the older answer must neither undo the newer nor pass as fresh.
   */
  async function apply(run: PatchRunRecord, status: RunStatus, readAt: Date): Promise<PatchRunRecord> {
    const newer = (stored: PatchRunRecord) => stored.refreshedAt !== undefined && Date.parse(stored.refreshedAt) > readAt.getTime();
    if (newer(run)) return run;
    let next = STATUS_BY_PHASE[status.phase];
    // SSM keeps reporting InProgress while a cancel takes effect.
    if (run.status === 'Cancelling' && (next === 'InProgress' || next === 'Pending')) next = 'Cancelling';
    if (FINAL.has(run.status)) next = run.status;
    const counts = countInvocations(status.invocations);
    const changed = next !== run.status || JSON.stringify(counts) !== JSON.stringify(run.counts ?? null);
    const { instances, omitted } = storedInstances(status.invocations);
    // Rewriting an unchanged list costs a large run a fresh set of DynamoDB chunk items on every refresh.
    const sameInstances = omitted === (run.instancesOmitted ?? 0) && JSON.stringify(instances) === JSON.stringify(run.instances ?? null);
    if (FINAL.has(next) && !FINAL.has(run.status)) {
      // The completion note is queued before the run is stored finished, never after: a process that stops in between
      // (an API Lambda container frozen once its reader was answered, mid compliance read) must leave the run unfinished
      // in the store, so the next refresh notes it; stored finished, no refresh would note it again.
      const finished = { ...run, status: next, counts };
      const lines = await completionNote(finished, status, counts);
      // Those reads take seconds (or a frozen container's minutes): another refresh may have finished the run meanwhile.
      const current = (await deps.store.getPatchRun(run.id)) ?? run;
      if (FINAL.has(current.status) || newer(current)) return current;
      await deps.writes.changeNote(run.changeSysId, lines.join('\n'), `run-finished:${run.id}`);
      const closeCode = deps.suggestCloseCode ? suggestedCloseCode(next, counts) : undefined;
      if (closeCode) await deps.writes.suggestCloseCode(run.changeSysId, closeCode, lines.slice(0, 2).join('\n'), `run-finished:${run.id}`);
    }
    const updated = await deps.store.updatePatchRun(run.id, {
      status: next,
      counts,
      refreshedAt: readAt.toISOString(),
      ssmStatus: status.status,
      ...(status.failureMessage ? { failureMessage: status.failureMessage.slice(0, 2_000) } : {}),
      ...(sameInstances ? {} : { instances, instancesOmitted: omitted }),
    });
    if (!changed) return updated;
    await deps.writes.syncPatchRun(updated);
    return updated;
  }

  /** The completion work note's lines (the incident numbers and the compliance read are bounded, never errors). */
  async function completionNote(run: PatchRunRecord, status: RunStatus, counts: PatchRunCounts): Promise<string[]> {
    const failed = status.invocations.filter((i) => i.status !== 'Success' && i.status !== 'Pending' && i.status !== 'InProgress').map((i) => `${i.instanceId} (${i.statusDetails || i.status})`);
    let incidents: readonly string[] = [];
    try {
      incidents = (await deps.incidentNumbers?.(run, status)) ?? [];
    } catch (err) {
      log.warn({ err, runId: run.id }, 'incident numbers unavailable for the completion note');
    }
    const after = await tallyCompliance(deps.tally, runContext(run), async () => status.invocations.map((i) => i.instanceId));
    return [
      `patchbridge: ad hoc patch run ${run.id} (SSM execution ${run.executionId ?? 'not started'}) finished with status ${run.status}.`,
      `Instances: ${counts.total} targeted, ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.timedOut} timed out, ${counts.cancelled} cancelled.`,
      ...(deps.tally.fleet ? [complianceLine(run.complianceBefore as ComplianceTally | undefined, after)] : []),
      ...(failed.length > 0 ? [`Not patched: ${nameSome(failed, NOTE_NAMES_MAX)}.`] : []),
      ...(status.failureMessage ? [`SSM: ${status.failureMessage.slice(0, 500)}`] : []),
      ...(incidents.length > 0 ? [`Incidents: ${nameSome(incidents, NOTE_NAMES_MAX)}.`] : []),
    ];
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
      // The status is as fresh as the moment it was asked for, not as the moment it landed.
      const readAt = deps.clock.now();
      // A reader waits `refreshWait` and is then answered from the store: its read takes an SSM slot only
      // within that time, so readers polling many runs never queue reads ahead of the flows' by more.
      const status = await readStatus({ ...run, executionId }, force ? undefined : refreshWait);
      return apply((await deps.store.getPatchRun(run.id)) ?? run, status, readAt);
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
    try {
      const raced = await raceClock(deps.clock, pending, refreshWait);
      if (raced.late) {
        pending.catch((err: unknown) => log.warn({ err, runId: run.id }, 'background refresh of a patch run failed'));
        return { run, reason: 'REFRESH_PENDING' };
      }
      // Another process held the mark: what it wrote (or is writing) is the freshest there is.
      return { run: raced.value ?? (await deps.store.getPatchRun(run.id)) ?? run };
    } catch (err) {
      // Only SSM failures are answered from the store; a store fault is a fault.
      if (!(err instanceof ChangeFlowError && (err.code === 'AWS_UNAVAILABLE' || err.code === 'AWS_REJECTED'))) throw err;
      const cause = err.cause;
      const reason: StaleReason = isAwsError(cause) && cause.code === 'THROTTLED' ? 'AWS_THROTTLED' : err.code === 'AWS_REJECTED' ? 'AWS_REJECTED' : 'AWS_UNAVAILABLE';
      log.warn({ err, runId: run.id, reason }, 'patch run answered from the store: SSM could not be read');
      return { run, reason };
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

  async function recordProgress(event: PatchEvent): Promise<'updated' | 'ignored'> {
    let run: PatchRunRecord | undefined;
    if (event.kind === 'automation') run = await deps.store.findPatchRunByExecution(event.executionId);
    else if (event.kind === 'command' || event.kind === 'invocation') run = await runForCommand(event);
    if (!run?.executionId) return 'ignored';
    const sinceLast = deps.clock.now().getTime() - (lastRefresh.get(run.id) ?? Number.NEGATIVE_INFINITY);
    // One refresh reads every invocation; per-instance events are many, so they refresh at most every interval.
    if (event.kind === 'invocation' && sinceLast < progressInterval) return 'updated';
    await refresh(run, true);
    return 'updated';
  }

  return { refresh, isStale, awaitRefresh, recordProgress };
}
