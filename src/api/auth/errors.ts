import { AppError, type ErrorSpecs, spec } from '../../core/index.js';

export type AuthErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE';

/**
 * Why a request was refused. The HTTP answer never says which check failed
 * (`reason` goes to the log only, and never carries a secret): a caller learns
 * 401 (who are you?), 403 (not allowed) or 503 (the key source / JWKS is down).
 */
export const AUTH_ERRORS: ErrorSpecs<AuthErrorCode> = {
  UNAUTHORIZED: spec(401, 'never'),
  FORBIDDEN: spec(403, 'never'),
  AUTH_UNAVAILABLE: spec(503, 'now'),
};

export class AuthError extends AppError<AuthErrorCode> {
  readonly reason: string;
  constructor(code: AuthErrorCode, reason: string, options: { cause?: unknown } = {}) {
    super(code, PUBLIC_MESSAGE[code], { cause: options.cause, spec: AUTH_ERRORS[code], details: { reason } });
    this.reason = reason;
  }
}

export const PUBLIC_MESSAGE: Readonly<Record<AuthErrorCode, string>> = {
  UNAUTHORIZED: 'The request could not be authenticated.',
  FORBIDDEN: 'The credentials do not permit this operation.',
  AUTH_UNAVAILABLE: 'Authentication is temporarily unavailable; retry later.',
};
