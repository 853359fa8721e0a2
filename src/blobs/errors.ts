import { AppError } from '../core/errors.js';

export type BlobErrorCode = 'NOT_FOUND' | 'INVALID_KEY' | 'ACCESS_DENIED' | 'UNAVAILABLE';

/**
 * A blob-store operation failed.
 * - `NOT_FOUND`: no object at the key.
 * - `INVALID_KEY`: the key is not a safe relative path (or collides with a folder on disk).
 * - `ACCESS_DENIED`: the credentials may not touch the object or bucket.
 * - `UNAVAILABLE`: storage is unreachable, throttled or failing; retryable unless permanent.
 */
export class BlobError extends AppError<BlobErrorCode> {
  constructor(
    code: BlobErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retryable: options.retryable ?? code === 'UNAVAILABLE' });
  }
}
