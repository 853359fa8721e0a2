import { buildOnce } from './build-once.js';
import type { LambdaContext } from './context.js';

export { buildOnce } from './build-once.js';
export type { LambdaContext } from './context.js';
export { cancelWithOwnCredentials, fallbackLogger } from './cancel-window.js';
export { type FailClosedOptions, failClosedGuard } from './fail-closed.js';
export { type BatchOutcome, createSqsBatchHandler, isRetryableError, type SqsBatchHandlerOptions, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './sqs-batch.js';

/** The Lambda result API Gateway expects from a proxy integration. */
export interface ApiGatewayProxyResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * The Lambda composition root (configuration, logger, stores and clients), built
 * once per container on first use and reused by every invocation. A failure is
 * not cached, so the next invocation tries again (e.g. after a transient Secrets
 * Manager error). Loaded lazily, so a handler that must act when it cannot be
 * built (the window guard fails closed) is not broken by it at import.
 */
export const lambdaContext: () => Promise<LambdaContext> = buildOnce(async () => (await import('./context.js')).buildLambdaContext());
