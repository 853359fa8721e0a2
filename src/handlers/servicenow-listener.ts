import pLimit from 'p-limit';
import type { Logger } from '../core/logger.js';
import { combineDrafts, type IncidentDraft } from '../domain/index.js';
import { isSnsEnvelopeShape, parseSnsEnvelope } from '../events/index.js';
import type { ResolveRequest } from '../domain/index.js';
import {
  createIncidentFlows,
  type IncidentUpserter,
  IncidentError,
  isResolveRequestShape,
  parseIncidentDraft,
  parseResolveRequest,
} from '../flows/incidents/index.js';
import { buildOnce } from './build-once.js';
import { createSqsBatchHandler, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './sqs-batch.js';

export interface ServiceNowListenerHandlerDeps {
  readonly upserter: IncidentUpserter;
  readonly logger: Logger;
  /** Incident keys written at once; records of one key always run in order. Default 4. */
  readonly concurrency?: number;
}

type ListenerMessage = { readonly kind: 'draft'; readonly draft: IncidentDraft } | { readonly kind: 'resolve'; readonly request: ResolveRequest };

/** The draft or resolve request in a record: an SNS envelope around it, or the message itself (raw message delivery). */
function messageOf(record: SqsRecord): ListenerMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body) as unknown;
    if (isSnsEnvelopeShape(body)) body = JSON.parse(parseSnsEnvelope(body).Message) as unknown;
  } catch (err) {
    throw new IncidentError('INVALID_DRAFT', 'record body is not JSON', { cause: err });
  }
  return isResolveRequestShape(body) ? { kind: 'resolve', request: parseResolveRequest(body) } : { kind: 'draft', draft: parseIncidentDraft(body) };
}

/**
 * `servicenow-listener` Lambda (SQS ← monitoring SNS): upserts each draft into
 * ServiceNow. Records for one incident key are combined and written once; a key held by
 * another listener (`INCIDENT_BUSY`) and ServiceNow outages return to the queue.
 */
export function createServiceNowListenerHandler(deps: ServiceNowListenerHandlerDeps): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return createSqsBatchHandler({
    logger: deps.logger,
    handleBatch: async (records) => {
      const failures = new Map<string, unknown>();
      const groups = new Map<string, { record: SqsRecord; draft: IncidentDraft }[]>();
      const resolves: { record: SqsRecord; request: ResolveRequest }[] = [];
      for (const record of records) {
        try {
          const message = messageOf(record);
          if (message.kind === 'resolve') resolves.push({ record, request: message.request });
          else groups.set(message.draft.correlationId, [...(groups.get(message.draft.correlationId) ?? []), { record, draft: message.draft }]);
        } catch (err) {
          failures.set(record.messageId, err);
        }
      }
      const limit = pLimit(Math.max(1, deps.concurrency ?? 4));
      await Promise.all(
        [...groups.values()].map((group) =>
          limit(async () => {
            try {
              // Drafts of one incident in one batch are written once.
              await deps.upserter.upsert(combineDrafts(group.map((g) => g.draft)));
            } catch (err) {
              for (const { record } of group) failures.set(record.messageId, err);
            }
          }),
        ),
      );
      // Resolves after the drafts (a new failure in the same batch makes a resolve of the older version stale),
      // one at a time: they are rare, and a redelivered copy in the same batch then finds the incident resolved.
      for (const item of resolves) {
        try {
          await deps.upserter.resolve(item.request);
        } catch (err) {
          failures.set(item.record.messageId, err);
        }
      }
      return failures;
    },
  });
}

const deployed = buildOnce(() =>
  import('./context.js').then(async ({ lambdaContext }) => {
    const ctx = await lambdaContext();
    const flows = createIncidentFlows(ctx, { runtime: 'lambda' });
    return createServiceNowListenerHandler({ upserter: flows.upserter, logger: ctx.logger });
  }),
);

/** The Lambda entry point, wired once per container from the Lambda composition root (`context.ts`). */
export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => (await deployed())(event);
