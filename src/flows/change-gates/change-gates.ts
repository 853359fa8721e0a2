import type { AwsContext, MaintenanceWindows } from '../../aws/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { ChangeRefusedError, gateCovers, type GateState, gateStateAt, type WindowExecutionEvent } from '../../domain/index.js';
import type { GateStore } from '../../store/index.js';
import type { GateAuthorisation } from '../../store/types.js';
import { assertManaged } from './accounts.js';
import { awsFailure, ChangeFlowError } from './errors.js';
import type { IncidentToRaise, ServiceNowWrites } from './servicenow-writes.js';
import { type ChangeReader, readChangeVerdict } from './verify-change.js';

export interface ChangeGatesDeps {
  readonly store: GateStore;
  readonly windows: MaintenanceWindows;
  readonly servicenow: ChangeReader;
  readonly writes: ServiceNowWrites;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Accounts patchbridge manages (`config.aws.accounts` ids); empty = any (ambient credentials). */
  readonly managedAccounts?: readonly string[];
  /** See `VerifyChangeDeps.verifyTimeoutMs`. */
  readonly verifyTimeoutMs?: number;
  /** See `VerifyChangeDeps.guardDeadlineMs`. */
  readonly guardDeadlineMs?: number;
}

/** An authorisation as the API shows it. */
export interface ChangeGateView {
  readonly windowId: string;
  readonly accountId: string;
  readonly region: string;
  readonly changeRequest: string;
  readonly start: string;
  readonly end: string;
  readonly state: GateState;
  readonly revoked: boolean;
  readonly revokedReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WindowView {
  readonly windowId: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly schedule: string;
  readonly scheduleTimezone?: string;
  readonly nextExecutionTime?: string;
  readonly gateState: GateState;
  readonly gate?: ChangeGateView;
}

export interface GuardInput {
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly accountId: string;
  readonly region: string;
}

export interface GuardDecision {
  readonly action: 'allow' | 'cancel';
  readonly reason: string;
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly changeRequest?: string;
}

export interface ChangeGates {
  /**
   * `PUT …/change-gate`: verifies the change (purpose `gate`), records the
   * authorisation for its planned window and enables the window. A change that no
   * longer qualifies revokes the window's authorisation if it was this change's,
   * disables the window, then throws the refusal.
   */
  open(input: { windowId: string; accountId: string; region: string; changeRequest: string }): Promise<ChangeGateView>;
  /** `DELETE`: revokes and disables. Without a recorded gate, disables when account/region are given; `undefined` then. */
  close(input: { windowId: string; accountId?: string; region?: string; reason?: string }): Promise<ChangeGateView | undefined>;
  get(windowId: string): Promise<ChangeGateView>;
  listWindows(ctx: AwsContext): Promise<WindowView[]>;
  /**
   * The window's first task. Allows the execution only if an unrevoked
   * authorisation covers now and ServiceNow confirms the change still qualifies;
   * otherwise cancels it (`CancelMaintenanceWindowExecution`), tells the change
   * why, and, if ServiceNow was unreachable, queues an incident for when it is back.
   * Throws only if the cancellation itself fails.
   */
  guard(input: GuardInput): Promise<GuardDecision>;
  /** A finished window execution: its result goes to the gating change as a work note. */
  recordWindowResult(event: WindowExecutionEvent): Promise<void>;
}

/** One guard call: whether a cancellation was attempted decides how a failure is answered. */
interface GuardRun {
  readonly input: GuardInput;
  cancelAttempted: boolean;
}

const FINAL_PHASES = new Set(['succeeded', 'failed', 'timed-out', 'cancelled', 'skipped']);

export function gateView(gate: GateAuthorisation, now: Date): ChangeGateView {
  return {
    windowId: gate.windowId,
    accountId: gate.accountId,
    region: gate.region,
    changeRequest: gate.changeNumber,
    start: gate.start,
    end: gate.end,
    state: gateStateAt(gate, now),
    revoked: gate.revoked,
    ...(gate.revokedReason ? { revokedReason: gate.revokedReason } : {}),
    createdAt: gate.createdAt,
    updatedAt: gate.updatedAt,
  };
}

export function createChangeGates(deps: ChangeGatesDeps): ChangeGates {
  const log = deps.logger.child({ flow: 'change-gates' });
  const managed = deps.managedAccounts ?? [];
  const now = () => deps.clock.now();

  async function setEnabled(ctx: AwsContext, windowId: string, enabled: boolean) {
    try {
      await deps.windows.setEnabled(ctx, windowId, enabled);
    } catch (err) {
      throw awsFailure(err, `${enabled ? 'enable' : 'disable'} maintenance window ${windowId}`, {
        code: 'WINDOW_NOT_FOUND',
        message: `No maintenance window ${windowId} in ${ctx.accountId}/${ctx.region}.`,
      });
    }
  }

  /** Runs a step whose failure must not stop the steps after it; the failure is logged, and `false` returned. */
  async function bestEffort(what: string, fields: Record<string, unknown>, step: () => Promise<unknown>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (err) {
      log.error({ err, ...fields }, `${what} failed; carrying on`);
      return false;
    }
  }

  function revokedGate(gate: GateAuthorisation, reason: string): GateAuthorisation {
    return { ...gate, revoked: true, revokedReason: reason.slice(0, 500), updatedAt: now().toISOString() };
  }

  function revocationNote(gate: GateAuthorisation, reason: string, outcome: { recorded: boolean; disabled: boolean }): Promise<void> {
    const what = [
      outcome.recorded ? 'was revoked' : 'is refused (recording the revocation failed; the guard re-checks the change at every execution)',
      outcome.disabled ? 'the window disabled' : 'the window could not be disabled (the guard cancels its executions)',
    ].join(' and ');
    return deps.writes.changeNote(
      gate.changeSysId,
      `patchbridge: the authorisation of maintenance window ${gate.windowId} (${gate.accountId}/${gate.region}) by this change ${what}. Reason: ${reason}`,
      `gate-revoked:${gate.windowId}:${gate.changeNumber}:${gate.createdAt}`,
    );
  }

  /**
   * Disables the window, records the revocation and notes it on the change. Each
   * step runs even when an earlier one failed, and none throws: the first failure
   * comes back in `failure` (logged already) for a caller that must report it.
   */
  async function revokeAndDisable(gate: GateAuthorisation, reason: string): Promise<{ gate: GateAuthorisation; failure?: unknown }> {
    const fields = { windowId: gate.windowId, changeNumber: gate.changeNumber };
    let failure: unknown;
    const step = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (err) {
        log.error({ err, ...fields }, `${what} failed; carrying on`);
        failure ??= err;
        return false;
      }
    };
    const disabled = await step('disabling the window of a revoked gate', () =>
      setEnabled({ accountId: gate.accountId, region: gate.region }, gate.windowId, false),
    );
    if (gate.revoked) return { gate, ...(failure ? { failure } : {}) };
    const revoked = revokedGate(gate, reason);
    const recorded = await step('recording the gate revocation', () => deps.store.putGate(revoked));
    await bestEffort('queueing the revocation note', fields, () => revocationNote(gate, reason, { recorded, disabled }));
    return { gate: recorded ? revoked : gate, ...(failure ? { failure } : {}) };
  }

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

  return {
    async open(input) {
      assertManaged(managed, input.accountId);
      const ctx = { accountId: input.accountId, region: input.region };
      const verdict = await readChangeVerdict(deps, input.changeRequest, 'gate');
      const existing = await deps.store.getGate(input.windowId);
      if (!verdict.ok) {
        if (existing && !existing.revoked && existing.changeNumber === input.changeRequest) {
          await revokeAndDisable(existing, verdict.reason);
        }
        throw new ChangeRefusedError(verdict.code, verdict.reason, { changeNumber: input.changeRequest });
      }
      try {
        await deps.windows.get(ctx, input.windowId);
      } catch (err) {
        throw awsFailure(err, `read maintenance window ${input.windowId}`, {
          code: 'WINDOW_NOT_FOUND',
          message: `No maintenance window ${input.windowId} in ${input.accountId}/${input.region}.`,
        });
      }
      const at = now().toISOString();
      const sameGrant = existing && !existing.revoked && existing.changeNumber === verdict.changeNumber && existing.accountId === input.accountId;
      const gate: GateAuthorisation = {
        windowId: input.windowId,
        accountId: input.accountId,
        region: input.region,
        changeNumber: verdict.changeNumber,
        changeSysId: verdict.changeSysId,
        start: verdict.start.toISOString(),
        end: verdict.end.toISOString(),
        revoked: false,
        createdAt: sameGrant ? existing.createdAt : at,
        updatedAt: at,
      };
      await deps.store.putGate(gate);
      await setEnabled(ctx, input.windowId, true);
      await deps.writes.changeNote(
        gate.changeSysId,
        `patchbridge: maintenance window ${gate.windowId} (${gate.accountId}/${gate.region}) is authorised by this change from ${gate.start} to ${gate.end} and enabled. Executions outside that span are cancelled.`,
        `gate-open:${gate.windowId}:${gate.changeNumber}:${gate.start}:${gate.end}`,
      );
      log.info({ windowId: gate.windowId, changeNumber: gate.changeNumber, start: gate.start, end: gate.end }, 'change gate opened');
      return gateView(gate, now());
    },

    async close(input) {
      const existing = await deps.store.getGate(input.windowId);
      if (!existing) {
        if (!input.accountId || !input.region) throw new ChangeFlowError('GATE_NOT_FOUND', `No change gate is recorded for ${input.windowId}.`);
        assertManaged(managed, input.accountId);
        await setEnabled({ accountId: input.accountId, region: input.region }, input.windowId, false);
        log.info({ windowId: input.windowId }, 'window disabled (no gate on record)');
        return undefined;
      }
      const { gate: revoked, failure } = await revokeAndDisable(existing, input.reason ?? 'revoked through the API');
      // Both halves were attempted; the caller retries whichever failed.
      if (failure) throw failure;
      log.info({ windowId: existing.windowId, changeNumber: existing.changeNumber }, 'change gate closed');
      return gateView(revoked, now());
    },

    async get(windowId) {
      const gate = await deps.store.getGate(windowId);
      if (!gate) throw new ChangeFlowError('GATE_NOT_FOUND', `No change gate is recorded for ${windowId}.`);
      return gateView(gate, now());
    },

    async listWindows(ctx) {
      assertManaged(managed, ctx.accountId);
      let windows: Awaited<ReturnType<MaintenanceWindows['list']>>;
      try {
        windows = await deps.windows.list(ctx);
      } catch (err) {
        throw awsFailure(err, 'list maintenance windows');
      }
      const gates = new Map((await deps.store.listGates({ accountId: ctx.accountId, region: ctx.region })).map((g) => [g.windowId, g]));
      const at = now();
      return windows.map((w) => {
        const gate = gates.get(w.windowId);
        return {
          windowId: w.windowId,
          name: w.name,
          enabled: w.enabled,
          schedule: w.schedule,
          ...(w.scheduleTimezone ? { scheduleTimezone: w.scheduleTimezone } : {}),
          ...(w.nextExecutionTime ? { nextExecutionTime: w.nextExecutionTime } : {}),
          gateState: gateStateAt(gate, at),
          ...(gate ? { gate: gateView(gate, at) } : {}),
        };
      });
    },

    async guard(input) {
      const run: GuardRun = { input, cancelAttempted: false };
      try {
        return await decide(run);
      } catch (err) {
        if (run.cancelAttempted) throw err;
        // Fail closed: whatever went wrong before a cancellation, the execution is cancelled.
        log.error({ err, ...input }, 'guard failed before deciding; cancelling the execution');
        return cancel(run, 'the guard could not verify the authorisation (fail closed)', undefined);
      }
    },

    async recordWindowResult(event) {
      if (!FINAL_PHASES.has(event.phase)) return;
      const gate = await deps.store.getGate(event.windowId);
      if (!gate) return;
      const ctx = { accountId: event.accountId, region: event.region };
      let tasks = '';
      try {
        const list = await deps.windows.executionTasks(ctx, event.windowExecutionId);
        tasks = list.map((t) => `\n- ${t.taskType} ${t.taskArn}: ${t.status}${t.statusDetails ? ` (${t.statusDetails})` : ''}`).join('');
      } catch (err) {
        log.warn({ err, windowExecutionId: event.windowExecutionId }, 'window tasks unavailable; noting the result without them');
      }
      const span = [event.startedAt, event.endedAt].filter(Boolean).join(' to ');
      await deps.writes.changeNote(
        gate.changeSysId,
        `patchbridge: maintenance window ${event.windowId} execution ${event.windowExecutionId} finished with status ${event.status}${span ? ` (${span})` : ''}.${tasks ? `\nTasks:${tasks}` : ''}`,
        `window-result:${event.windowExecutionId}`,
      );
    },
  };
}
