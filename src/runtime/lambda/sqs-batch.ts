import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { AppError, type Logger, retryClassOf, toError } from '../../core/index.js';

/** The fields of an SQS record patchbridge reads (the Lambda event shape). */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle?: string;
  readonly attributes?: Readonly<Record<string, string | undefined>>;
  readonly messageAttributes?: Readonly<Record<string, unknown>>;
  readonly eventSource?: string;
  readonly eventSourceARN?: string;
  readonly awsRegion?: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** The Lambda partial-batch response (`ReportBatchItemFailures`). */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Per record: `undefined` for success, or the error that record failed with. */
export type BatchOutcome = ReadonlyMap<string, unknown>;

export interface SqsBatchHandlerOptions {
  readonly logger: Logger;
  /**
   * Processes the whole batch at once (so AWS calls can be shared across records)
   * and returns the error of each record that failed, keyed by `messageId`.
   * A rejection fails every record of the batch as retryable.
   */
  readonly handleBatch: (records: readonly SqsRecord[]) => Promise<BatchOutcome>;
  /**
   * Durable sink for records that failed permanently (malformed input, a 4xx from
   * ServiceNow): they leave the queue without being lost. Without a sink, or when
   * the sink itself fails, they return to the queue and reach its DLQ.
   */
  readonly deadLetter?: (record: SqsRecord, error: AppError) => Promise<void>;
}

/**
 * Back to the queue unless the failure's declaration says retrying can never help:
 * `now` and `operator` failures are redelivered (and after `maxReceiveCount` wait in
 * the DLQ for the operator); an unknown failure must not lose the message.
 */
export function isRetryableError(error: unknown): boolean {
  return retryClassOf(error) !== 'never';
}

/**
 * The one Lambda wrapper for SQS-triggered handlers. Maps each record's outcome
 * to the partial-batch response through Powertools batch:
 * - success → deleted from the queue;
 * - retryable error (or any non-`AppError`) → `batchItemFailures`, so SQS redelivers
 *   it and, after `maxReceiveCount`, moves it to the DLQ;
 * - permanent `AppError` → handed to `deadLetter` and deleted; without a sink it
 *   is reported as a failure like a retryable one (nothing is dropped).
 *
 * The event source mapping must enable `ReportBatchItemFailures`.
 */
export function createSqsBatchHandler(options: SqsBatchHandlerOptions): (event: SqsEvent) => Promise<SqsBatchResponse> {
  const { logger, handleBatch, deadLetter } = options;
  return async (event) => {
    let outcome: BatchOutcome;
    try {
      outcome = await handleBatch(event.Records);
    } catch (err) {
      logger.error({ err, records: event.Records.length }, 'batch failed as a whole; every record returns to the queue');
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    const recordHandler = async (record: SqsRecord): Promise<void> => {
      const failure = outcome.get(record.messageId);
      if (failure === undefined) return;
      const error = toError(failure);
      const retryable = isRetryableError(error);
      const code = error instanceof AppError ? error.code : 'UNEXPECTED';
      if (!retryable && deadLetter && error instanceof AppError) {
        logger.warn({ messageId: record.messageId, code, err: error }, 'record failed permanently; dead-lettered');
        await deadLetter(record, error);
        return;
      }
      logger.warn({ messageId: record.messageId, code, retryable, err: error }, 'record failed; returned to the queue');
      throw error;
    };
    // A fresh processor per invocation: it keeps per-run state.
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse({ Records: [...event.Records] }, recordHandler, processor, {
      throwOnFullBatchFailure: false,
    });
    return { batchItemFailures: response.batchItemFailures.map((f) => ({ itemIdentifier: f.itemIdentifier })) };
  };
}
