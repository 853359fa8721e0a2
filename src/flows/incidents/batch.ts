import pLimit from 'p-limit';
import { combineDrafts, type IncidentDraft, type PatchEvent, type ResolveRequest } from '../../domain/index.js';
import { isSnsEnvelopeShape, parseSnsEnvelope } from '../../events/index.js';
import { parseIncidentDraft } from './draft-schema.js';
import { IncidentError } from './errors.js';
import type { FailureProcessor, ProcessInput } from './processor.js';
import { isResolveRequestShape, parseResolveRequest } from './resolution.js';
import type { IncidentUpserter } from './upsert.js';

/**
 * One message of a batch, as either runtime delivers it (an SQS record, an
 * outbox item): its id, and how to read it. A message that cannot be read fails
 * alone; the rest of the batch goes on.
 */
export interface BatchMessage<T> {
  readonly id: string;
  readonly read: () => T;
}

/** The error of each message that failed, by id; a message not named succeeded. */
export type BatchFailures = Map<string, unknown>;

/** What the listener writes: a draft to upsert, or a resolve request. */
export type IncidentMessage = { readonly kind: 'draft'; readonly draft: IncidentDraft } | { readonly kind: 'resolve'; readonly request: ResolveRequest };

/**
 * The events of a batch of messages, enriched as a whole (so AWS reads are shared
 * by every record) and published as drafts. Used by the `patch-results` Lambda
 * and the standalone `patch-event` outbox handler alike.
 */
export async function processEventBatch(processor: FailureProcessor, messages: readonly BatchMessage<readonly PatchEvent[]>[]): Promise<BatchFailures> {
  const failures: BatchFailures = new Map();
  const inputs: ProcessInput[] = [];
  for (const message of messages) {
    try {
      for (const [i, event] of message.read().entries()) inputs.push({ id: `${message.id}#${i}`, event });
    } catch (err) {
      failures.set(message.id, err);
    }
  }
  const result = await processor.process(inputs);
  for (const [id, err] of result.failures) failures.set(id.slice(0, id.lastIndexOf('#')), err);
  return failures;
}

export interface UpsertBatchOptions {
  /** Incidents written to ServiceNow at once (bounded again by the client). Default 4. */
  readonly concurrency?: number;
}

/**
 * The listener's batch: the drafts of one incident are combined and written
 * once, incidents up to `concurrency` at a time; then the resolve requests,
 * one at a time (a new failure in the same batch makes a resolve of the older
 * version stale, and a redelivered copy then finds the incident resolved).
 * Used by the `servicenow-listener` Lambda and the standalone outbox handlers.
 */
export async function upsertDraftBatch(
  upserter: Pick<IncidentUpserter, 'upsert' | 'resolve'>,
  messages: readonly BatchMessage<IncidentMessage>[],
  options: UpsertBatchOptions = {},
): Promise<BatchFailures> {
  const failures: BatchFailures = new Map();
  const groups = new Map<string, { ids: string[]; drafts: IncidentDraft[] }>();
  const resolves: { id: string; request: ResolveRequest }[] = [];
  for (const message of messages) {
    try {
      const m = message.read();
      if (m.kind === 'resolve') {
        resolves.push({ id: message.id, request: m.request });
        continue;
      }
      const group = groups.get(m.draft.correlationId) ?? { ids: [], drafts: [] };
      group.ids.push(message.id);
      group.drafts.push(m.draft);
      groups.set(m.draft.correlationId, group);
    } catch (err) {
      failures.set(message.id, err);
    }
  }
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  await Promise.all(
    [...groups.values()].map((group) =>
      limit(async () => {
        try {
          await upserter.upsert(combineDrafts(group.drafts));
        } catch (err) {
          for (const id of group.ids) failures.set(id, err);
        }
      }),
    ),
  );
  for (const item of resolves) {
    try {
      await upserter.resolve(item.request);
    } catch (err) {
      failures.set(item.id, err);
    }
  }
  return failures;
}

/** A message the listener received: a draft or a resolve request, bare or in an SNS envelope (raw message delivery off). */
export function incidentMessageOf(body: string): IncidentMessage {
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
    if (isSnsEnvelopeShape(value)) value = JSON.parse(parseSnsEnvelope(value).Message) as unknown;
  } catch (err) {
    throw new IncidentError('INVALID_DRAFT', 'record body is not JSON', { cause: err });
  }
  return isResolveRequestShape(value) ? { kind: 'resolve', request: parseResolveRequest(value) } : { kind: 'draft', draft: parseIncidentDraft(value) };
}
