import { DeclaredError, type ErrorSpecs, internal } from '../core/index.js';

export type StoreErrorCode = 'CONFLICT' | 'NOT_FOUND' | 'UNAVAILABLE' | 'MISCONFIGURED' | 'REJECTED' | 'CORRUPT' | 'CLOSED';

/**
 * A state-store operation failed.
 * - `CONFLICT`: a conditional write lost (the id exists, a version is stale).
 * - `NOT_FOUND`: an update addressed a record that does not exist.
 * - `UNAVAILABLE`: the backing store could not be reached or is busy.
 * - `MISCONFIGURED`: the table or database is missing, lacks an index, is newer than this version, or access is denied.
 * - `REJECTED`: the backing store refused the request itself.
 * - `CORRUPT`: what was stored does not read back as valid JSON or does not match its schema.
 * - `CLOSED`: the store was closed (the process is stopping).
 */
export const STORE_ERRORS: ErrorSpecs<StoreErrorCode> = {
  CONFLICT: internal(409, 'now'),
  NOT_FOUND: internal(404, 'never'),
  UNAVAILABLE: internal(503, 'now'),
  MISCONFIGURED: internal(500, 'operator'),
  REJECTED: internal(500, 'never'),
  CORRUPT: internal(500, 'never'),
  CLOSED: internal(503, 'never'),
};

export class StoreError extends DeclaredError(STORE_ERRORS) {}
