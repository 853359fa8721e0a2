import type { Logger } from '../../core/index.js';
import { gateCovers, gateStateAt } from '../../domain/index.js';
import type { GateAuthorisation } from '../../store/index.js';
import type { ChangeGatesDeps, GuardDecision, GuardInput } from './change-gates.js';
import { awsFailure } from './errors.js';
import type { GateRevoker } from './gate-revocation.js';
import type { IncidentToRaise } from './servicenow-writes.js';
import { readChangeVerdict } from './verify-change.js';

/** One guard call: whether a cancellation was attempted decides how a failure is answered. */
interface GuardRun {
  readonly input: GuardInput;
  cancelAttempted: boolean;
}

/**
 * The window guard: the window's first task. Allows the execution only if an
 * unrevoked authorisation covers now and ServiceNow confirms the change still
 * qualifies; otherwise cancels it, tells the change why, and, if ServiceNow was
 * unreachable, queues an incident for when it is back. Fails closed: anything
 * that goes wrong before a cancellation was attempted cancels.
 */
export function createWindowGuard(deps: ChangeGatesDeps, shared: GateRevoker, log: Logger): (input: GuardInput) => Promise<GuardDecision> {
  const { bestEffort, revokeAndDisable } = shared;
  const now = () => deps.clock.now();

  /**
   * Cancels the execution, then (best effort) notes it on the change. Throws only
   * when SSM did not accept the cancellation; `run.cancelAttempted` tells `guard` so.
   */
  async function cancel(run: GuardRun, reason: string, gate: GateAuthorisation | undefined): Promise<GuardDecision> {
    const { input } = run;
    const ctx = { accountId: input.accountId, region: input.region };
    run.cancelAttempted = true;
    try {
      await deps.windows.cancelExecution(ctx, input.windowExecutionId);
    } catch (err) {
      log.error({ err, ...input, reason }, 'guard could not cancel the window execution');
      throw awsFailure(err, `cancel maintenance window execution ${input.windowExecutionId}`);
    }
    log.warn({ ...input, reason, changeNumber: gate?.changeNumber }, 'guard cancelled window execution');
    if (gate) {
      await bestEffort('queueing the guard cancellation note', { ...input }, () =>
        deps.writes.changeNote(
          gate.changeSysId,
          `patchbridge: maintenance window ${input.windowId} execution ${input.windowExecutionId} was cancelled by the change guard. Reason: ${reason}`,
          `guard:${input.windowExecutionId}`,
        ),
      );
    }
    return { action: 'cancel', reason, windowId: input.windowId, windowExecutionId: input.windowExecutionId, ...(gate ? { changeRequest: gate.changeNumber } : {}) };
  }

  /**
   * The guard's decision. Every refusal cancels first and does its bookkeeping after,
   * best effort; anything this throws before `run.cancelAttempted` is set is
   * answered by a cancellation in `guard`.
   */
  async function decide(run: GuardRun): Promise<GuardDecision> {
    const { input } = run;
    let gate: GateAuthorisation | undefined;
    try {
      gate = await deps.store.getGate(input.windowId);
    } catch (err) {
      log.error({ err, ...input }, 'guard could not read the gate; failing closed');
      return cancel(run, 'the authorisation store could not be read', undefined);
    }
    const at = now();
    if (!gateCovers(gate, at)) {
      const state = gateStateAt(gate, at);
      const why = {
        none: 'no change authorises this window',
        revoked: `the authorisation by ${gate?.changeNumber} was revoked`,
        scheduled: `the planned window of ${gate?.changeNumber} has not started`,
        expired: `the planned window of ${gate?.changeNumber} has ended`,
        open: '',
      }[state];
      return cancel(run, why, gate);
    }
    // gateCovers implies a gate.
    const current = gate as GateAuthorisation;
    let verdict: Awaited<ReturnType<typeof readChangeVerdict>>;
    try {
      // The guard's own lane: its own in-flight slot, no retries, a hard deadline; any failure cancels.
      verdict = await readChangeVerdict(deps, current.changeNumber, 'run-now', { lane: 'guard' });
    } catch (err) {
      const decision = await cancel(run, `ServiceNow could not be reached to confirm ${current.changeNumber} (fail closed)`, current);
      const incident: IncidentToRaise = {
        correlationId: `pbguard:${input.accountId}:${input.region}:${input.windowExecutionId}`.slice(0, 100),
        shortDescription: `Maintenance window ${input.windowId} cancelled: ServiceNow unreachable to confirm ${current.changeNumber}`,
        description: [
          `patchbridge cancelled maintenance window execution ${input.windowExecutionId} of ${input.windowId}`,
          `in ${input.accountId}/${input.region} at ${at.toISOString()}, because ServiceNow could not be reached`,
          `to confirm that change ${current.changeNumber} is still approved. No patches were installed.`,
          'Reschedule the patching once the change is confirmed.',
        ].join(' '),
        accountId: input.accountId,
        region: input.region,
        executionId: input.windowExecutionId,
        changeNumber: current.changeNumber,
      };
      if (await bestEffort('queueing the fail-closed incident', { ...input }, () => deps.writes.raiseIncident(incident))) {
        log.warn({ err, ...input }, 'ServiceNow unreachable during guard; incident queued');
      }
      return decision;
    }
    if (!verdict.ok) {
      const decision = await cancel(run, verdict.reason, current);
      await revokeAndDisable(current, verdict.reason);
      return decision;
    }
    // The change is confirmed; a lost note must not cancel an approved window.
    await bestEffort('queueing the guard allow note', { ...input }, () =>
      deps.writes.changeNote(
        current.changeSysId,
        `patchbridge: maintenance window ${input.windowId} execution ${input.windowExecutionId} started under this change (confirmed approved at ${at.toISOString()}).`,
        `guard:${input.windowExecutionId}`,
      ),
    );
    log.info({ ...input, changeNumber: current.changeNumber }, 'guard allowed window execution');
    return { action: 'allow', reason: `authorised by ${current.changeNumber}`, windowId: input.windowId, windowExecutionId: input.windowExecutionId, changeRequest: current.changeNumber };
  }

  return async (input) => {
  const run: GuardRun = { input, cancelAttempted: false };
  try {
    return await decide(run);
  } catch (err) {
    if (run.cancelAttempted) throw err;
    // Fail closed: whatever went wrong before a cancellation, the execution is cancelled.
    log.error({ err, ...input }, 'guard failed before deciding; cancelling the execution');
    return cancel(run, 'the guard could not verify the authorisation (fail closed)', undefined);
  }
};
}
