import { DeclaredError, type ErrorSpecs, internal, spec } from '../../core/index.js';

export type ComplianceErrorCode =
  /** No report job with this id. */
  | 'REPORT_NOT_FOUND'
  /** Another worker is building this report right now; try again later. */
  | 'REPORT_BUSY'
  /** The report has not finished (or failed), so it has no files yet. */
  | 'REPORT_NOT_READY'
  /** The report does not have a file of this name. */
  | 'REPORT_FILE_NOT_FOUND'
  /** A download link whose signature does not match (tampered, or signed with another key). */
  | 'LINK_INVALID'
  /** A correctly signed download link past its expiry. */
  | 'LINK_EXPIRED'
  /** A history object that cannot be read back (corrupt gzip or a bad line). */
  | 'HISTORY_CORRUPT'
  /** A history-parsing worker thread crashed or ran out of memory. */
  | 'HISTORY_WORKER_FAILED'
  /** The requested item named in a report request does not exist in ServiceNow. */
  | 'REQUESTED_ITEM_NOT_FOUND';

export const COMPLIANCE_ERRORS: ErrorSpecs<ComplianceErrorCode> = {
  REPORT_NOT_FOUND: spec(404, 'never'),
  REPORT_BUSY: spec(503, 'now'),
  REPORT_NOT_READY: spec(409, 'never'),
  REPORT_FILE_NOT_FOUND: spec(404, 'never'),
  LINK_INVALID: spec(403, 'never'),
  LINK_EXPIRED: spec(410, 'never'),
  HISTORY_CORRUPT: internal(500, 'never'),
  HISTORY_WORKER_FAILED: internal(500, 'never'),
  REQUESTED_ITEM_NOT_FOUND: spec(422, 'never'),
};

/** Every failure the compliance flow raises itself; adapter errors (AWS, ServiceNow, store, blobs) pass through. */
export class ComplianceError extends DeclaredError(COMPLIANCE_ERRORS) {}

export function isComplianceError(value: unknown, code?: ComplianceErrorCode): value is ComplianceError {
  return value instanceof ComplianceError && (code === undefined || value.code === code);
}
