import { normaliseSqsRecord } from '../events/index.js';
import { createIncidentFlows, type FailureProcessor, monitoringTopicChannel, processEventBatch } from '../flows/incidents/index.js';
import { createChangeFlows } from '../flows/changes/index.js';
import { buildOnce, createSqsBatchHandler, lambdaContext, type SqsBatchResponse, type SqsEvent } from '../runtime/lambda/index.js';
import type { Logger } from '../core/index.js';

/**
 * `patch-results` Lambda (SQS ← PatchResults SNS and the `aws.ssm` EventBridge rule):
 * the batch's events are enriched as a whole and published to the monitoring topic.
 * Malformed records fail permanently (DLQ after `maxReceiveCount`); AWS or publish failures return to the queue.
 */
export function createPatchResultsHandler(deps: { readonly processor: FailureProcessor; readonly logger: Logger }): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return createSqsBatchHandler({
    logger: deps.logger,
    handleBatch: (records) => processEventBatch(deps.processor, records.map((record) => ({ id: record.messageId, read: () => normaliseSqsRecord(record) }))),
  });
}

const deployed = buildOnce(async () => {
  const ctx = await lambdaContext();
  // Patch-run write-back and window results see every event; their ServiceNow writes are drained by the guard Lambda's schedule.
  const change = createChangeFlows(ctx);
  const channel = monitoringTopicChannel({ publisher: ctx.aws.publisher, topicArn: ctx.config.topics.monitoring });
  const flows = createIncidentFlows(ctx, { channel, observe: (event) => change.recordEvent(event) });
  return createPatchResultsHandler({ processor: flows.processor, logger: ctx.logger });
});

/** The Lambda entry point. */
export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => (await deployed())(event);
