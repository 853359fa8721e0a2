import type { AwsContext } from '../../aws/index.js';
import type { Logger } from '../../core/index.js';
import type { GateAuthorisation } from '../../store/index.js';
import type { ChangeGatesDeps } from './change-gates.js';
import { awsFailure } from './errors.js';

/** What the gate API and the guard share: enabling windows, best-effort steps, and revoking a gate. */
export interface GateRevoker {
  setEnabled(ctx: AwsContext, windowId: string, enabled: boolean): Promise<void>;
  /** Runs a step whose failure must not stop the steps after it; the failure is logged, and `false` returned. */
  bestEffort(what: string, fields: Record<string, unknown>, step: () => Promise<unknown>): Promise<boolean>;
  /**
   * Disables the window, records the revocation and notes it on the change. Each
   * step runs even when an earlier one failed, and none throws: the first failure
   * comes back in `failure` (logged already) for a caller that must report it.
   */
  revokeAndDisable(gate: GateAuthorisation, reason: string): Promise<{ gate: GateAuthorisation; failure?: unknown }>;
}

export function createGateRevoker(deps: Pick<ChangeGatesDeps, 'windows' | 'store' | 'writes' | 'clock'>, log: Logger): GateRevoker {
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

  return { setEnabled, bestEffort, revokeAndDisable };
}
