/**
 * What a caller, a queue or an operator should do about a failure:
 * - `now`: a later attempt may succeed on its own (throttled, unreachable, busy): retry with backoff;
 * - `operator`: it fails until someone fixes a credential, a role or the instance; queued work
 *   waits for that (the outbox keeps retrying with backoff, SQS redelivers and then parks it in its DLQ);
 * - `never`: the input itself is wrong; retrying cannot help.
 */
export type RetryClass = 'now' | 'operator' | 'never';

/**
 * How one error code is handled everywhere: the HTTP status the API answers with,
 * the retry class, and whether its message may reach an API caller (`public`).
 * A family whose messages come from another system (AWS, ServiceNow, storage)
 * is never public: the API answers `UPSTREAM_UNAVAILABLE` / `UPSTREAM_FAILED`
 * with a safe message of its own, never the upstream's status, words or ARNs.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly retry: RetryClass;
  readonly public: boolean;
}

/** A family's declaration: one spec per code, checked against the family's code union. */
export type ErrorSpecs<C extends string> = { readonly [K in C]: ErrorSpec };

/** Shorthands for declarations: `spec(409, 'never')`, `internal(503, 'now')`. */
export const spec = (status: number, retry: RetryClass): ErrorSpec => ({ status, retry, public: true });
export const internal = (status: number, retry: RetryClass): ErrorSpec => ({ status, retry, public: false });

/** Codes raised without a family declaration (`new AppError('X', …)`): a 500 that is not retried and whose message stays in the logs. */
const UNDECLARED: ErrorSpec = internal(500, 'never');

/**
 * The root of every error patchbridge throws on purpose.
 *
 * Each capability defines a subclass with its own string-literal union of
 * codes and an `ErrorSpecs` table for them (see `ServiceNowError`, `AwsError`,
 * `StoreError` …), so callers can catch broad (`instanceof AppError`) or narrow
 * (`err.code === 'THROTTLED'`), and the three places that act on errors (the
 * HTTP problem mapper, the Lambda batch wrapper, the outbox worker) read the
 * same declaration through `spec` and `retryClassOf`.
 */
export class AppError<C extends string = string> extends Error {
  readonly code: C;
  readonly spec: ErrorSpec;
  /** Safe, non-secret structured context; rendered into logs and problem details. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: { cause?: unknown; spec?: ErrorSpec; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.spec = options.spec ?? UNDECLARED;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A later attempt may succeed on its own (`spec.retry === 'now'`). */
  get retryable(): boolean {
    return this.spec.retry === 'now';
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/**
 * The base of a family whose constructor only looks its code up in the family's
 * declaration: `class StoreError extends DeclaredError(STORE_ERRORS) {}`.
 */
export function DeclaredError<C extends string>(specs: ErrorSpecs<C>) {
  return class extends AppError<C> {
    constructor(code: C, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
      super(code, message, { ...options, spec: specs[code] });
    }
  };
}

/** The retry class of any thrown value: an `AppError`'s declaration; anything unexpected may heal (`now`), so nothing is dropped for it. */
export function retryClassOf(err: unknown): RetryClass {
  return err instanceof AppError ? err.spec.retry : 'now';
}

export type ConfigErrorCode = 'CONFIG_INVALID';

export const CONFIG_ERRORS: ErrorSpecs<ConfigErrorCode> = { CONFIG_INVALID: internal(500, 'operator') };

/** Configuration failed validation; the message names the variable and what it expected. */
export class ConfigError extends AppError<ConfigErrorCode> {
  readonly variable: string;
  constructor(variable: string, expected: string, options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', `${variable}: ${expected}`, { ...options, spec: CONFIG_ERRORS.CONFIG_INVALID, details: { variable } });
    this.variable = variable;
  }
}

export type ValidationErrorCode = 'VALIDATION_FAILED' | 'INVALID_EVENT' | 'INVALID_QUERY_VALUE';

export const VALIDATION_ERRORS: ErrorSpecs<ValidationErrorCode> = {
  VALIDATION_FAILED: spec(400, 'never'),
  INVALID_EVENT: spec(400, 'never'),
  INVALID_QUERY_VALUE: spec(400, 'never'),
};

/** Input from outside did not match what we accept. Never retryable. */
export class ValidationError extends DeclaredError(VALIDATION_ERRORS) {}

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
