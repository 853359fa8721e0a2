import type { Logger } from '../core/logger.js';
import { normaliseSqsRecord } from '../events/index.js';
import { createIncidentFlows, type FailureProcessor, type ProcessInput } from '../flows/incidents/index.js';
import { createChangeFlows } from '../flows/patch-runs/index.js';
import { buildOnce } from './build-once.js';
import { createSqsBatchHandler, type SqsBatchResponse, type SqsEvent } from './sqs-batch.js';

export interface PatchResultsHandlerDeps {
  readonly processor: FailureProcessor;
  readonly logger: Logger;
}

/**
 * `patch-results` Lambda (SQS ← PatchResults SNS and the `aws.ssm` EventBridge rule):
 * normalise every record, enrich the batch as a whole, publish drafts to the
 * monitoring topic. Malformed records fail permanently (to the DLQ after
 * `maxReceiveCount`); AWS or publish failures return to the queue.
 */
export function createPatchResultsHandler(deps: PatchResultsHandlerDeps): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return createSqsBatchHandler({
    logger: deps.logger,
    handleBatch: async (records) => {
      const failures = new Map<string, unknown>();
      const inputs: ProcessInput[] = [];
      for (const record of records) {
        try {
          for (const [i, event] of normaliseSqsRecord(record).entries()) inputs.push({ id: `${record.messageId}#${i}`, event });
        } catch (err) {
          failures.set(record.messageId, err);
        }
      }
      const result = await deps.processor.process(inputs);
      for (const [id, err] of result.failures) failures.set(id.slice(0, id.lastIndexOf('#')), err);
      return failures;
    },
  });
}

const deployed = buildOnce(() =>
  import('./context.js').then(async ({ lambdaContext }) => {
    const ctx = await lambdaContext();
    // Patch-run write-back and window results see every event; their ServiceNow
    // writes are queued and drained by the guard Lambda's schedule.
    const change = createChangeFlows(ctx);
    const flows = createIncidentFlows(ctx, { runtime: 'lambda', observe: (event) => change.recordEvent(event) });
    return createPatchResultsHandler({ processor: flows.processor, logger: ctx.logger });
  }),
);

/** The Lambda entry point, wired once per container from the Lambda composition root (`context.ts`). */
export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => (await deployed())(event);
