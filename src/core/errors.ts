/**
 * The root of every error patchbridge throws on purpose.
 *
 * Each capability defines a subclass with its own string-literal union of
 * codes (see `ServiceNowError`, `AwsError`, `StoreError` …) so callers can catch
 * broad (`instanceof AppError`) or narrow (`err.code === 'THROTTLED'`).
 * `retryable` tells the one place per runtime that maps errors (HTTP middleware,
 * Lambda batch wrapper, outbox worker) whether to try again.
 */
export class AppError<C extends string = string> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  /** Safe, non-secret structured context; rendered into logs and problem details. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

export type ConfigErrorCode = 'CONFIG_INVALID';

/** Configuration failed validation; the message names the variable and what it expected. */
export class ConfigError extends AppError<ConfigErrorCode> {
  readonly variable: string;
  constructor(variable: string, expected: string, options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', `${variable}: ${expected}`, { ...options, details: { variable } });
    this.variable = variable;
  }
}

export type ValidationErrorCode = 'VALIDATION_FAILED' | 'INVALID_EVENT' | 'INVALID_QUERY_VALUE';

/** Input from outside did not match what we accept. Never retryable. */
export class ValidationError extends AppError<ValidationErrorCode> {}

/** Narrows an unknown thrown value to an Error for logging and wrapping. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * The most telling message of a thrown value and its causes, for errors whose
 * own message is empty or generic: a network failure inside an SDK call reads
 * `getaddrinfo ENOTFOUND bucket.localhost` or `connect ECONNREFUSED 127.0.0.1:4566`
 * (an `AggregateError` from a dual-stack connect has an empty message but
 * carries one error per address).
 */
export function describeCause(value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 4) return undefined;
  const rec = value as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof rec.message === 'string' && rec.message.trim() !== '') return rec.message;
  if (Array.isArray(rec.errors)) {
    const inner = rec.errors.map((e) => describeCause(e, depth + 1)).filter((m): m is string => m !== undefined);
    if (inner.length > 0) return [...new Set(inner)].join('; ');
  }
  return describeCause(rec.cause, depth + 1) ?? (typeof rec.code === 'string' ? rec.code : undefined);
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
