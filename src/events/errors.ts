import { DeclaredError, type ErrorSpecs, spec, ValidationError } from '../core/index.js';

/**
 * Input that is not a patch event we understand: malformed JSON, a missing or
 * wrongly typed field, an unknown `detail-type` or status. Never retryable;
 * `reason` says exactly what was wrong (never the payload itself).
 */
export class InvalidEventError extends ValidationError {
  readonly reason: string;
  constructor(reason: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('INVALID_EVENT', `invalid event: ${reason}`, { cause: options.cause, details: { reason, ...options.details } });
    this.reason = reason;
  }
}

export type SnsVerificationErrorCode =
  /** The signature does not verify against the signing certificate. */
  | 'SNS_SIGNATURE_INVALID'
  /** `SigningCertURL` / `SubscribeURL` is not `https://sns.<region>.amazonaws.com/…`. */
  | 'SNS_URL_REJECTED'
  /** The topic is not one this deployment accepts. */
  | 'SNS_TOPIC_NOT_ALLOWED'
  /** The signing certificate could not be fetched (retryable). */
  | 'SNS_CERT_UNAVAILABLE'
  /** Confirming a subscription (GET `SubscribeURL`) failed (retryable). */
  | 'SNS_CONFIRM_FAILED';

export const SNS_ERRORS: ErrorSpecs<SnsVerificationErrorCode> = {
  SNS_SIGNATURE_INVALID: spec(403, 'never'),
  SNS_URL_REJECTED: spec(403, 'never'),
  SNS_TOPIC_NOT_ALLOWED: spec(403, 'never'),
  SNS_CERT_UNAVAILABLE: spec(503, 'now'),
  SNS_CONFIRM_FAILED: spec(502, 'now'),
};

/** An SNS HTTPS delivery that could not be authenticated or confirmed. */
export class SnsVerificationError extends DeclaredError(SNS_ERRORS) {}
