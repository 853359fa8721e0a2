/**
 * The rule that decides whether a ServiceNow change request authorises patching.
 * Pure: a function of the change as re-read from ServiceNow and of now.
 */
import { AppError, type ErrorSpecs, spec } from '../core/index.js';

/** What the rule needs of a change (a `ServiceNowClient#getChangeRequest` result satisfies it). */
export interface ChangeFacts {
  readonly sys_id: string;
  readonly number: string;
  /** Numeric `state`: Scheduled is -2, Implement is -1. */
  readonly state: number;
  readonly approval: string;
  readonly start_date: Date | undefined;
  readonly end_date: Date | undefined;
  /** sys_id of the CI the change names, `''` or absent when none. */
  readonly cmdb_ci?: string;
  readonly short_description?: string;
  readonly description?: string;
}

/**
 * `run-now`: patching starts now, so now must be within the planned window.
 * `gate`: authorises a maintenance window for the change's planned window, which
 * may lie ahead; only a window that has already ended is refused.
 */
export type ChangePurpose = 'run-now' | 'gate';

export type ChangeRefusalCode = 'CHANGE_NOT_FOUND' | 'CHANGE_NOT_APPROVED' | 'CHANGE_WRONG_STATE' | 'CHANGE_OUTSIDE_WINDOW' | 'CHANGE_SCOPE_MISMATCH';

export type ChangeVerdict =
  | {
      readonly ok: true;
      readonly changeNumber: string;
      readonly changeSysId: string;
      /** The planned window, both ends inclusive. */
      readonly start: Date;
      readonly end: Date;
      /** The change as it was read, for rules that look further (the change scope). */
      readonly facts: ChangeFacts;
    }
  | { readonly ok: false; readonly code: ChangeRefusalCode; readonly reason: string };

/** States in which a change may be implemented (default change model). */
export const IMPLEMENTABLE_STATES: ReadonlySet<number> = new Set([-2, -1]);

const STATE_NAMES: Readonly<Record<number, string>> = {
  [-5]: 'New',
  [-4]: 'Assess',
  [-3]: 'Authorize',
  [-2]: 'Scheduled',
  [-1]: 'Implement',
  0: 'Review',
  3: 'Closed',
  4: 'Canceled',
};

/**
 * Decides a change, checking in this order: it exists, `approval` is `approved`,
 * `state` is Scheduled (-2) or Implement (-1), and the planned window is set and
 * (for `run-now`) contains now or (for `gate`) has not ended. Boundaries are inclusive.
 */
export function evaluateChange(change: ChangeFacts | undefined, now: Date, purpose: ChangePurpose = 'run-now'): ChangeVerdict {
  if (!change) return { ok: false, code: 'CHANGE_NOT_FOUND', reason: 'No such change request exists.' };
  const n = change.number;
  if (change.approval !== 'approved') {
    return { ok: false, code: 'CHANGE_NOT_APPROVED', reason: `Change ${n} is not approved (approval is ${change.approval || 'empty'}).` };
  }
  if (!IMPLEMENTABLE_STATES.has(change.state)) {
    const name = STATE_NAMES[change.state] ?? String(change.state);
    return { ok: false, code: 'CHANGE_WRONG_STATE', reason: `Change ${n} is in state ${name}; it must be Scheduled or Implement.` };
  }
  const { start_date: start, end_date: end } = change;
  if (!start || !end || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end) {
    return { ok: false, code: 'CHANGE_OUTSIDE_WINDOW', reason: `Change ${n} has no valid planned start and end.` };
  }
  const t = now.getTime();
  const span = `${start.toISOString()} to ${end.toISOString()}`;
  if (t > end.getTime()) return { ok: false, code: 'CHANGE_OUTSIDE_WINDOW', reason: `The planned window of change ${n} (${span}) has ended.` };
  if (purpose === 'run-now' && t < start.getTime()) {
    return { ok: false, code: 'CHANGE_OUTSIDE_WINDOW', reason: `The planned window of change ${n} (${span}) has not started.` };
  }
  return { ok: true, changeNumber: n, changeSysId: change.sys_id, start, end, facts: change };
}

export type ChangeErrorCode = ChangeRefusalCode | 'CHANGE_UNVERIFIABLE';

export const CHANGE_ERRORS: ErrorSpecs<ChangeErrorCode> = {
  CHANGE_NOT_FOUND: spec(409, 'never'),
  CHANGE_NOT_APPROVED: spec(409, 'never'),
  CHANGE_WRONG_STATE: spec(409, 'never'),
  CHANGE_OUTSIDE_WINDOW: spec(409, 'never'),
  CHANGE_SCOPE_MISMATCH: spec(403, 'never'),
  CHANGE_UNVERIFIABLE: spec(503, 'now'),
};

/**
 * A change did not authorise the request (409; 403 `CHANGE_SCOPE_MISMATCH` when an
 * approved change does not cover the targets), or ServiceNow could not be asked
 * (`CHANGE_UNVERIFIABLE`, 503: fail closed, nothing was started).
 */
export class ChangeRefusedError extends AppError<ChangeErrorCode> {
  constructor(code: ChangeErrorCode, message: string, options: { cause?: unknown; changeNumber?: string } = {}) {
    super(code, message, {
      cause: options.cause,
      spec: CHANGE_ERRORS[code],
      details: options.changeNumber ? { changeNumber: options.changeNumber } : {},
    });
  }
}

/** Throws the verdict's refusal; returns the approved verdict. */
export function requireApproved(verdict: ChangeVerdict, changeNumber: string): Extract<ChangeVerdict, { ok: true }> {
  if (!verdict.ok) throw new ChangeRefusedError(verdict.code, verdict.code === 'CHANGE_NOT_FOUND' ? `No change request ${changeNumber} exists.` : verdict.reason, { changeNumber });
  return verdict;
}
