import { type Clock, raceClock, ValidationError } from '../../core/index.js';
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
  /**
   * The guard's hard deadline for its ServiceNow read (default 8 s): with the
   * store read and the cancel, the guard decides well within 15 s of the event.
   */
  readonly guardDeadlineMs?: number;
}

/** Default of `VerifyChangeDeps.guardDeadlineMs`. */
export const GUARD_DEADLINE_MS = 8_000;

/**
 * Re-reads a change from ServiceNow and decides it (see `evaluateChange`).
 * Any failure to read it (a `ServiceNowError`, a timeout, anything) is
 * `ChangeRefusedError('CHANGE_UNVERIFIABLE')`: without ServiceNow's word, nothing is authorised.
 */
export async function readChangeVerdict(
  deps: VerifyChangeDeps,
  changeNumber: string,
  purpose: ChangePurpose,
  options: { readonly lane?: 'guard' } = {},
): Promise<ChangeVerdict> {
  const timeoutMs = options.lane === 'guard' ? (deps.guardDeadlineMs ?? GUARD_DEADLINE_MS) : (deps.verifyTimeoutMs ?? 10_000);
  // Aborted at the deadline, so the request stops holding its in-flight slot.
  const request = new AbortController();
  try {
    const read = deps.servicenow.getChangeRequest(changeNumber, { ...(options.lane ? { lane: options.lane } : {}), signal: request.signal });
    const raced = await raceClock(deps.clock, read, timeoutMs);
    if (raced.late) {
      request.abort();
      throw new Error(`no answer from ServiceNow within ${timeoutMs} ms`);
    }
    return evaluateChange(raced.value, deps.clock.now(), purpose);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ChangeRefusedError('CHANGE_UNVERIFIABLE', `ServiceNow could not be reached to verify change ${changeNumber}; nothing was started or changed.`, {
      cause: err,
      changeNumber,
    });
  }
}

/** `readChangeVerdict`, throwing the refusal (409) or `CHANGE_UNVERIFIABLE` (503) unless approved. */
export async function verifyChange(deps: VerifyChangeDeps, changeNumber: string, purpose: ChangePurpose) {
  return requireApproved(await readChangeVerdict(deps, changeNumber, purpose), changeNumber);
}
