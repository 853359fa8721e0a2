import type { Logger } from '../core/index.js';
import { createIncidentFlows, type IncidentUpserter, incidentMessageOf, monitoringTopicChannel, upsertDraftBatch } from '../flows/incidents/index.js';
import { buildOnce, createSqsBatchHandler, lambdaContext, type SqsBatchResponse, type SqsEvent } from '../runtime/lambda/index.js';

export interface ServiceNowListenerHandlerDeps {
  readonly upserter: IncidentUpserter;
  readonly logger: Logger;
  /** Incident keys written at once; records of one key always run in order. Default 4. */
  readonly concurrency?: number;
}

/**
 * `servicenow-listener` Lambda (SQS ← monitoring SNS): drafts and resolve requests,
 * one write per incident per batch. A key held by another listener (`INCIDENT_BUSY`)
 * and ServiceNow outages return to the queue.
 */
export function createServiceNowListenerHandler(deps: ServiceNowListenerHandlerDeps): (event: SqsEvent) => Promise<SqsBatchResponse> {
  const options = deps.concurrency === undefined ? {} : { concurrency: deps.concurrency };
  const messages = (records: SqsEvent['Records']) => records.map((record) => ({ id: record.messageId, read: () => incidentMessageOf(record.body) }));
  return createSqsBatchHandler({ logger: deps.logger, handleBatch: (records) => upsertDraftBatch(deps.upserter, messages(records), options) });
}

const deployed = buildOnce(async () => {
  const ctx = await lambdaContext();
  const channel = monitoringTopicChannel({ publisher: ctx.aws.publisher, topicArn: ctx.config.topics.monitoring });
  return createServiceNowListenerHandler({ upserter: createIncidentFlows(ctx, { channel }).upserter, logger: ctx.logger });
});

/** The Lambda entry point. */
export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => (await deployed())(event);
