import { DeclaredError, type ErrorSpecs, internal } from '../core/index.js';

export type BlobErrorCode = 'NOT_FOUND' | 'INVALID_KEY' | 'ACCESS_DENIED' | 'UNAVAILABLE' | 'NO_SPACE' | 'MISCONFIGURED' | 'INVALID_RESPONSE';

/**
 * A blob-store operation failed.
 * - `NOT_FOUND`: no object at the key.
 * - `INVALID_KEY`: the key is not a safe relative path (or collides with a folder on disk).
 * - `ACCESS_DENIED`: the credentials may not touch the object or bucket.
 * - `UNAVAILABLE`: storage is unreachable, throttled or failing.
 * - `NO_SPACE`: the disk or quota is full.
 * - `MISCONFIGURED`: the bucket does not exist, or storage refused the request as malformed.
 * - `INVALID_RESPONSE`: storage answered without the object's body.
 */
export const BLOB_ERRORS: ErrorSpecs<BlobErrorCode> = {
  NOT_FOUND: internal(404, 'never'),
  INVALID_KEY: internal(500, 'never'),
  ACCESS_DENIED: internal(500, 'operator'),
  UNAVAILABLE: internal(503, 'now'),
  NO_SPACE: internal(503, 'operator'),
  MISCONFIGURED: internal(500, 'operator'),
  INVALID_RESPONSE: internal(502, 'never'),
};

export class BlobError extends DeclaredError(BLOB_ERRORS) {}
