import { AppError } from '../core/errors.js';

export type StoreErrorCode = 'CONFLICT' | 'NOT_FOUND' | 'UNAVAILABLE';

/**
 * A state-store operation failed.
 * - `CONFLICT`: a conditional write lost (the id exists, a version is stale).
 * - `NOT_FOUND`: an update addressed a record that does not exist.
 * - `UNAVAILABLE`: the backing store could not be reached or is busy; retryable
 *   unless the failure is permanent (missing table, access denied, closed store).
 */
export class StoreError extends AppError<StoreErrorCode> {
  constructor(
    code: StoreErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retryable: options.retryable ?? code === 'UNAVAILABLE' });
  }
}
