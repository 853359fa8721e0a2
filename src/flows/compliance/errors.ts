import { AppError } from '../../core/errors.js';

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
  /** The requested item named in a report request does not exist in ServiceNow. */
  | 'REQUESTED_ITEM_NOT_FOUND';

const RETRYABLE: Readonly<Record<ComplianceErrorCode, boolean>> = {
  REPORT_NOT_FOUND: false,
  REPORT_BUSY: true,
  REPORT_NOT_READY: false,
  REPORT_FILE_NOT_FOUND: false,
  LINK_INVALID: false,
  LINK_EXPIRED: false,
  HISTORY_CORRUPT: false,
  REQUESTED_ITEM_NOT_FOUND: false,
};

/** Every failure the compliance flow raises itself; adapter errors (AWS, ServiceNow, store, blobs) pass through. */
export class ComplianceError extends AppError<ComplianceErrorCode> {
  constructor(code: ComplianceErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, { ...options, retryable: RETRYABLE[code] });
  }
}

export function isComplianceError(value: unknown, code?: ComplianceErrorCode): value is ComplianceError {
  return value instanceof ComplianceError && (code === undefined || value.code === code);
}
