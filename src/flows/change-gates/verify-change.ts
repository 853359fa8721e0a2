import { ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { type ChangePurpose, ChangeRefusedError, type ChangeVerdict, evaluateChange, requireApproved } from '../../domain/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';

export type ChangeReader = Pick<ServiceNowClient, 'getChangeRequest'>;

export interface VerifyChangeDeps {
  readonly servicenow: ChangeReader;
  readonly clock: Clock;
  /**
   * Longest wait for ServiceNow before failing closed. The client's own retry
   * budget is sized for background writes; a caller is waiting here. Default 10 s.
   */
  readonly verifyTimeoutMs?: number;
}

/**
 * Re-reads a change from ServiceNow and decides it (see `evaluateChange`).
 * Any failure to read it (a `ServiceNowError`, a timeout, anything) is
 * `ChangeRefusedError('CHANGE_UNVERIFIABLE')`: without ServiceNow's word, nothing is authorised.
 */
export async function readChangeVerdict(deps: VerifyChangeDeps, changeNumber: string, purpose: ChangePurpose): Promise<ChangeVerdict> {
  const timeoutMs = deps.verifyTimeoutMs ?? 10_000;
  const abort = new AbortController();
  const timeout = deps.clock.sleep(timeoutMs, abort.signal).then(
    () => {
      throw new Error(`no answer from ServiceNow within ${timeoutMs} ms`);
    },
    () => new Promise<never>(() => {}),
  );
  try {
    const change = await Promise.race([deps.servicenow.getChangeRequest(changeNumber), timeout]);
    return evaluateChange(change, deps.clock.now(), purpose);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ChangeRefusedError('CHANGE_UNVERIFIABLE', `ServiceNow could not be reached to verify change ${changeNumber}; nothing was started or changed.`, {
      cause: err,
      changeNumber,
    });
  } finally {
    abort.abort();
  }
}

/** `readChangeVerdict`, throwing the refusal (409) or `CHANGE_UNVERIFIABLE` (503) unless approved. */
export async function verifyChange(deps: VerifyChangeDeps, changeNumber: string, purpose: ChangePurpose) {
  return requireApproved(await readChangeVerdict(deps, changeNumber, purpose), changeNumber);
}
