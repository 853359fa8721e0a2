import { AppError, type ErrorSpecs, internal } from '../core/index.js';
import type { ImportRowResult } from './ports.js';

export type ServiceNowErrorCode =
  /** 429 after the retry budget ran out. */
  | 'RATE_LIMITED'
  /** 401 even after refreshing credentials and token. */
  | 'UNAUTHORIZED'
  /** 403: the integration user lacks a role or an ACL denies it. */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** 400 and any other 4xx not listed here. */
  | 'BAD_REQUEST'
  /** 502/503/504 or a connection failure, after the retry budget ran out. */
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  /** An Import Set row came back with `status: "error"`. */
  | 'IMPORT_ROW_ERROR'
  /**
   * An Import Set row was not transformed into an incident: it stayed in the
   * staging table (asynchronous import set mode) or the transform map answered
   * `ignored`/`skipped`. A configuration fault on the instance; retrying will not help.
   */
  | 'IMPORT_NOT_TRANSFORMED'
  /** A 200 carrying HTML or no `result`: the instance is hibernating or behind a login page. */
  | 'INSTANCE_UNAVAILABLE'
  /** 500: a server-side script or transform failed; retrying will not help. */
  | 'SERVER_ERROR'
  /**
   * A returned row does not match a key of the query (the change number, the
   * correlation id, the object id): the instance dropped a condition it could
   * not apply and answered with every row. Nothing is acted on.
   */
  | 'QUERY_NOT_APPLIED'
  /**
   * A write the instance answered 2xx but did not apply (a field-level write ACL
   * skips the field silently), found by reading it back.
   */
  | 'WRITE_IGNORED'
  /** A JSON body that does not match the documented shape. */
  | 'INVALID_RESPONSE';

/** ServiceNow's error envelope `{error:{message,detail}}`. */
export interface ServiceNowErrorEnvelope {
  readonly message: string;
  readonly detail?: string;
}

export interface ServiceNowErrorOptions {
  readonly cause?: unknown;
  readonly status?: number;
  readonly envelope?: ServiceNowErrorEnvelope;
  /** How long the server asked us to wait (429), when known. */
  readonly retryAfterMs?: number;
  /** Every row's result when an import failed. */
  readonly rows?: readonly ImportRowResult[];
  /** Method and path (no query string, no credentials). */
  readonly request?: { readonly method: string; readonly path: string };
}

/**
 * Every failure of the ServiceNow client, handled as `SERVICENOW_ERRORS` declares;
 * the client has already spent its own retry budget by the time this is thrown.
 */
export class ServiceNowError extends AppError<ServiceNowErrorCode> {
  readonly status: number | undefined;
  readonly envelope: ServiceNowErrorEnvelope | undefined;
  readonly retryAfterMs: number | undefined;
  readonly rows: readonly ImportRowResult[];

  constructor(code: ServiceNowErrorCode, message: string, options: ServiceNowErrorOptions = {}) {
    super(code, message, {
      cause: options.cause,
      spec: SERVICENOW_ERRORS[code],
      details: {
        ...(options.status !== undefined ? { status: options.status } : {}),
        ...(options.envelope ? { envelope: options.envelope } : {}),
        ...(options.request ? { method: options.request.method, path: options.request.path } : {}),
        ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
      },
    });
    this.status = options.status;
    this.envelope = options.envelope;
    this.retryAfterMs = options.retryAfterMs;
    this.rows = options.rows ?? [];
  }
}

/**
 * ServiceNow's answers are never the API caller's: its 401/403 mean patchbridge's
 * own integration user failed (`operator`: queued writes wait for the fix), and its
 * messages stay in the logs. `IMPORT_NOT_TRANSFORMED` and the other instance
 * configuration faults are parked (`never`) for a replay once the instance is fixed.
 */
export const SERVICENOW_ERRORS: ErrorSpecs<ServiceNowErrorCode> = {
  RATE_LIMITED: internal(503, 'now'),
  UNAVAILABLE: internal(503, 'now'),
  TIMEOUT: internal(504, 'now'),
  INSTANCE_UNAVAILABLE: internal(503, 'now'),
  UNAUTHORIZED: internal(502, 'operator'),
  FORBIDDEN: internal(502, 'operator'),
  SERVER_ERROR: internal(502, 'operator'),
  NOT_FOUND: internal(502, 'never'),
  BAD_REQUEST: internal(502, 'never'),
  IMPORT_ROW_ERROR: internal(502, 'never'),
  IMPORT_NOT_TRANSFORMED: internal(502, 'never'),
  INVALID_RESPONSE: internal(502, 'never'),
  QUERY_NOT_APPLIED: internal(502, 'never'),
  WRITE_IGNORED: internal(502, 'never'),
};

/** Narrows to a `ServiceNowError`, optionally of one code. */
export function isServiceNowError(value: unknown, code?: ServiceNowErrorCode): value is ServiceNowError {
  return value instanceof ServiceNowError && (code === undefined || value.code === code);
}
