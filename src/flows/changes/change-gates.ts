import type { AwsContext, MaintenanceWindows } from '../../aws/index.js';
import type { Clock, Logger } from '../../core/index.js';
import type { GuardInput } from '../../events/index.js';
import { ChangeRefusedError, type GateState, gateStateAt, type WindowExecutionEvent } from '../../domain/index.js';
import type { GateAuthorisation, GateStore } from '../../store/index.js';
import { assertManaged } from './accounts.js';
import { awsFailure, ChangeFlowError } from './errors.js';
import type { ServiceNowWrites } from './servicenow-writes.js';
import { type ChangeReader, readChangeVerdict } from './verify-change.js';
import { createGateRevoker } from './gate-revocation.js';
import { createWindowGuard } from './guard.js';

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

export type { GuardInput } from '../../events/index.js';

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
  const shared = createGateRevoker(deps, log);
  const { setEnabled, revokeAndDisable } = shared;
  const windowGuard = createWindowGuard(deps, shared, log);

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

    guard: windowGuard,
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
