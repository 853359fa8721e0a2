import { describeCause } from '../../core/index.js';
import { BlobError } from '../errors.js';

function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return undefined;
  const metadata: unknown = err.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

// GetObject says NoSuchKey; HeadObject has no body, so the SDK names its 404 NotFound.
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);

const DENIED = new Set([
  'AccessDenied',
  'Forbidden',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AccountProblem',
  'InvalidObjectState',
]);

const INVALID_KEY = new Set(['KeyTooLongError']);

// 503 SlowDown is S3's throttle; RequestTimeout is a slow upload that a retry may finish.
const RETRYABLE = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'ThrottlingException']);

/**
 * Maps an error from the S3 client to a `BlobError`: missing object → NOT_FOUND,
 * 403 → ACCESS_DENIED, 5xx, throttling and network failures → UNAVAILABLE, a
 * missing bucket or a malformed request → MISCONFIGURED.
 */
export function mapS3Error(err: unknown, operation: string): BlobError {
  if (err instanceof BlobError) return err;
  const name = err instanceof Error ? err.name : 'UnknownError';
  const status = httpStatus(err);
  const details = { operation, awsError: name, httpStatus: status };
  if (NOT_FOUND.has(name) || (status === 404 && name !== 'NoSuchBucket')) {
    return new BlobError('NOT_FOUND', 'blob not found', { cause: err, details });
  }
  if (DENIED.has(name) || status === 403) {
    return new BlobError('ACCESS_DENIED', `S3 ${operation} was denied`, { cause: err, details });
  }
  if (INVALID_KEY.has(name)) {
    return new BlobError('INVALID_KEY', 'S3 rejected the blob key', { cause: err, details });
  }
  const transient = RETRYABLE.has(name) || status === undefined || status >= 500 || status === 429;
  // A network failure has no S3 error name (the SDK throws Node's own error): keep its cause, e.g. `ENOTFOUND host`.
  const reason = name === 'Error' || name === 'AggregateError' || name === 'UnknownError' ? (describeCause(err) ?? name) : name;
  return new BlobError(transient ? 'UNAVAILABLE' : 'MISCONFIGURED', `S3 ${operation} failed: ${reason}`, { cause: err, details });
}
