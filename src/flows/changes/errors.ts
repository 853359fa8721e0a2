import { AwsError } from '../../aws/index.js';
import { DeclaredError, type ErrorSpecs, spec } from '../../core/index.js';

export type ChangeFlowErrorCode =
  /** No authorisation is recorded for the window (404). */
  | 'GATE_NOT_FOUND'
  /** SSM does not know the window (404). */
  | 'WINDOW_NOT_FOUND'
  /** No patch run with this id (404). */
  | 'PATCH_RUN_NOT_FOUND'
  /** The run already ended; there is nothing to cancel (409). */
  | 'PATCH_RUN_FINISHED'
  /** The account is not one patchbridge manages (400). */
  | 'ACCOUNT_NOT_MANAGED'
  /** SSM throttled or could not be reached (503, retryable). */
  | 'AWS_UNAVAILABLE'
  /** SSM refused patchbridge's own request: missing permission or a rejected parameter (502). */
  | 'AWS_REJECTED'
  /** Another delivery of the same window-execution event is guarding it right now (retryable). */
  | 'GUARD_IN_PROGRESS';

export const CHANGE_FLOW_ERRORS: ErrorSpecs<ChangeFlowErrorCode> = {
  GATE_NOT_FOUND: spec(404, 'never'),
  WINDOW_NOT_FOUND: spec(404, 'never'),
  PATCH_RUN_NOT_FOUND: spec(404, 'never'),
  PATCH_RUN_FINISHED: spec(409, 'never'),
  ACCOUNT_NOT_MANAGED: spec(400, 'never'),
  AWS_UNAVAILABLE: spec(503, 'now'),
  AWS_REJECTED: spec(502, 'never'),
  GUARD_IN_PROGRESS: spec(503, 'now'),
};

/** Failures of the patch-run and change-gate flows, other than change refusals (`ChangeRefusedError`). */
export class ChangeFlowError extends DeclaredError(CHANGE_FLOW_ERRORS) {}

/**
 * Maps an AWS port failure to what the API caller can act on. `notFound` names
 * the error for an AWS `NOT_FOUND`; without it a missing resource is `AWS_REJECTED`.
 * The AWS message stays in `cause` (logs), not in the answer.
 */
export function awsFailure(err: unknown, what: string, notFound?: { code: ChangeFlowErrorCode; message: string }): ChangeFlowError {
  if (err instanceof AwsError) {
    if (err.code === 'NOT_FOUND' && notFound) return new ChangeFlowError(notFound.code, notFound.message, { cause: err });
    if (err.code === 'THROTTLED' || err.code === 'UNAVAILABLE') {
      return new ChangeFlowError('AWS_UNAVAILABLE', `AWS could not be reached to ${what}; retry later.`, { cause: err });
    }
    return new ChangeFlowError('AWS_REJECTED', `AWS refused to ${what} (${err.code}).`, { cause: err, details: { operation: err.operation } });
  }
  return new ChangeFlowError('AWS_UNAVAILABLE', `AWS could not be reached to ${what}; retry later.`, { cause: err });
}
