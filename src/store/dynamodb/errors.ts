import { ValidationError } from '../../core/index.js';
import { StoreError } from '../errors.js';

/** The SDK error name (`ConditionalCheckFailedException` …), or undefined for non-errors. */
export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined;
  const metadata: unknown = err.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

export function isConditionFailed(err: unknown): boolean {
  return errorName(err) === 'ConditionalCheckFailedException';
}

// Retrying these cannot help: the table is missing or the role may not use it.
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'UnknownOperationException',
]);

// Throttling arrives as 400s; the SDK's own retries were already spent when we see it.
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionConflictException',
]);

/**
 * Maps an error from `client.send` to the store's error family. A rejected
 * write that is really malformed input (`ValidationException`, e.g. an item over
 * the 400 KB limit) is a `ValidationError`; a missing table or denied access is
 * `MISCONFIGURED`, another client fault `REJECTED`, anything else `UNAVAILABLE`.
 */
export function mapDynamoError(err: unknown, operation: string): Error {
  const name = errorName(err) ?? 'UnknownError';
  if (name === 'ValidationException' || name === 'SerializationException') {
    return new ValidationError('VALIDATION_FAILED', `DynamoDB rejected ${operation} as invalid`, {
      cause: err,
      details: { operation, awsError: name },
    });
  }
  const status = httpStatus(err);
  const clientFault = status !== undefined && status >= 400 && status < 500 && status !== 429;
  const code = PERMANENT.has(name) ? 'MISCONFIGURED' : THROTTLING.has(name) || !clientFault ? 'UNAVAILABLE' : 'REJECTED';
  return new StoreError(code, `DynamoDB ${operation} failed: ${name}`, {
    cause: err,
    details: { operation, awsError: name, httpStatus: status },
  });
}
