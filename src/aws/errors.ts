import { AppError, describeCause, type ErrorSpecs, internal } from '../core/index.js';

export type AwsErrorCode =
  | 'THROTTLED'
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'INVALID_INPUT'
  | 'IDEMPOTENCY_MISMATCH'
  | 'UNAVAILABLE';

export interface AwsErrorOptions {
  cause?: unknown | undefined;
  /** The AWS error name (`ThrottlingException`, `DoesNotExistException` …); `undefined` for network errors. */
  awsErrorName?: string | undefined;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
  /** The API that failed, e.g. `SSM.SendCommand`. */
  operation?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
}

/**
 * Every AWS failure the adapters surface. `code` is what callers branch on;
 * `awsErrorName` and `requestId` are kept for logs and AWS support cases.
 * `THROTTLED` and `UNAVAILABLE` are retryable; the rest are not.
 */
/** AWS messages name ARNs, accounts and roles: never public; the API answers `UPSTREAM_*`. */
export const AWS_ERRORS: ErrorSpecs<AwsErrorCode> = {
  THROTTLED: internal(503, 'now'),
  UNAVAILABLE: internal(503, 'now'),
  ACCESS_DENIED: internal(502, 'operator'),
  NOT_FOUND: internal(502, 'never'),
  INVALID_INPUT: internal(502, 'never'),
  IDEMPOTENCY_MISMATCH: internal(502, 'never'),
};

export class AwsError extends AppError<AwsErrorCode> {
  readonly awsErrorName: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly operation: string | undefined;

  constructor(code: AwsErrorCode, message: string, options: AwsErrorOptions = {}) {
    super(code, message, {
      cause: options.cause,
      spec: AWS_ERRORS[code],
      details: {
        awsErrorName: options.awsErrorName,
        requestId: options.requestId,
        httpStatus: options.httpStatus,
        operation: options.operation,
        accountId: options.accountId,
        region: options.region,
      },
    });
    this.awsErrorName = options.awsErrorName;
    this.requestId = options.requestId;
    this.httpStatus = options.httpStatus;
    this.operation = options.operation;
  }
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'SlowDown',
  'TooManyUpdates',
  'AutomationExecutionLimitExceededException',
  'PriorityInProgressException',
]);

const ACCESS_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'RegionDisabledException',
]);

const NOT_FOUND_NAMES = new Set([
  'DoesNotExistException',
  'ResourceNotFoundException',
  'NotFound',
  'NotFoundException',
  'InvalidInstanceId',
  'InvalidCommandId',
  'InvalidDocument',
  'InvalidResourceId',
  'InvocationDoesNotExist',
  'AutomationExecutionNotFoundException',
  'AutomationDefinitionNotFoundException',
  'AutomationDefinitionVersionNotFoundException',
  'ParameterNotFound',
]);

const IDEMPOTENCY_NAMES = new Set(['IdempotentParameterMismatch', 'IdempotentParameterMismatchException']);

const UNAVAILABLE_NAMES = new Set([
  'InternalServerError',
  'InternalFailure',
  'InternalServiceError',
  'InternalErrorException',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function classify(name: string | undefined, status: number | undefined, networkCode: string | undefined): AwsErrorCode {
  if (name !== undefined) {
    if (THROTTLE_NAMES.has(name)) return 'THROTTLED';
    if (IDEMPOTENCY_NAMES.has(name)) return 'IDEMPOTENCY_MISMATCH';
    if (ACCESS_NAMES.has(name)) return 'ACCESS_DENIED';
    if (NOT_FOUND_NAMES.has(name) || /NotFound/.test(name)) return 'NOT_FOUND';
    if (UNAVAILABLE_NAMES.has(name)) return 'UNAVAILABLE';
  }
  if (networkCode !== undefined && NETWORK_CODES.has(networkCode)) return 'UNAVAILABLE';
  if (status === 429) return 'THROTTLED';
  if (status === 401 || status === 403) return 'ACCESS_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status !== undefined && status >= 400 && status < 500) return 'INVALID_INPUT';
  return 'UNAVAILABLE';
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A copy of the SDK error without its `$response`: that field holds the raw HTTP
 * exchange, request headers included (`authorization`, `x-amz-security-token`),
 * and a logged `cause` must never carry credentials.
 */
function sanitizedCause(
  err: unknown,
  message: string,
  facts: { name: string | undefined; requestId: string | undefined; httpStatus: number | undefined; networkCode: string | undefined },
): Error {
  const copy = new Error(message);
  copy.name = facts.name ?? 'Error';
  const stack = field(err, 'stack');
  if (typeof stack === 'string') copy.stack = stack;
  const attempts = field(field(err, '$metadata'), 'attempts');
  Object.assign(copy, {
    ...(facts.networkCode === undefined ? {} : { code: facts.networkCode }),
    $fault: field(err, '$fault'),
    $metadata: { httpStatusCode: facts.httpStatus, requestId: facts.requestId, attempts },
  });
  return copy;
}

/**
 * Maps anything an AWS SDK v3 call threw to an `AwsError`, keeping the AWS error
 * name, request id and HTTP status. An `AwsError` passes through unchanged.
 * The message is AWS's own (it never carries credentials) prefixed with the operation;
 * the `cause` is a sanitised copy of the SDK error (no raw HTTP exchange).
 */
export function toAwsError(
  err: unknown,
  context: { operation: string; accountId?: string; region?: string },
): AwsError {
  if (err instanceof AwsError) return err;
  const metadata = field(err, '$metadata');
  const name = str(field(err, 'name'));
  const requestId = str(field(metadata, 'requestId')) ?? str(field(metadata, 'extendedRequestId'));
  const statusRaw = field(metadata, 'httpStatusCode') ?? field(field(err, '$response'), 'statusCode');
  const httpStatus = typeof statusRaw === 'number' ? statusRaw : undefined;
  const networkCode = str(field(err, 'code')) ?? str(field(field(err, 'cause'), 'code'));
  // The SDK names generic errors `Error`; that tells callers nothing, so drop it.
  const awsErrorName = name === 'Error' ? undefined : name;
  const code = classify(awsErrorName, httpStatus, networkCode);
  const message = str(field(err, 'message')) ?? describeCause(err) ?? awsErrorName ?? 'unknown AWS error';
  return new AwsError(code, `${context.operation}: ${message}`, {
    cause: sanitizedCause(err, message, { name: awsErrorName, requestId, httpStatus, networkCode }),
    awsErrorName,
    requestId,
    httpStatus,
    operation: context.operation,
    accountId: context.accountId,
    region: context.region,
  });
}

export function isAwsError(value: unknown, code?: AwsErrorCode): value is AwsError {
  return value instanceof AwsError && (code === undefined || value.code === code);
}
