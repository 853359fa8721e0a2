import { ConfigError, sha256Hex } from '../../core/index.js';
import type { Publisher } from '../../aws/index.js';
import type { IncidentDraft } from '../../domain/index.js';
import { arnScope } from '../../events/index.js';
import type { OutboxWriter } from '../../store/index.js';
import type { DraftPublisher } from './ports.js';
import { outboxResolveQueue, type ResolveQueue, snsResolveQueue } from './resolution.js';

/** Outbox kind of drafts waiting for the listener (standalone); they are held while failure events are still queued. */
export const INCIDENT_DRAFT_KIND = 'incident-draft';

/**
 * Outbox kind of complete drafts (standalone): every failure of their execution is
 * in them, so they are written at once rather than held with `incident-draft`.
 */
export const INCIDENT_COMPLETE_DRAFT_KIND = 'incident-draft-complete';

/**
 * AWS runtime: publishes each draft to the monitoring SNS topic, which feeds the
 * listener's SQS queue. The message is the draft as JSON (well under SNS's
 * 256 KiB: drafts are bounded by `maxInstancesPerDraft` and excerpt limits).
 */
export function snsDraftPublisher(options: { publisher: Publisher; topicArn: string }): DraftPublisher {
  const scope = arnScope(options.topicArn);
  if (!scope) throw new ConfigError('PATCHBRIDGE_MONITORING_TOPIC_ARN', 'an SNS topic ARN with account and region');
  return {
    async publish(draft) {
      await options.publisher.publish(scope, options.topicArn, draft.shortDescription, JSON.stringify(draft), {
        correlationId: draft.correlationId,
        patchGroup: draft.patchGroup.slice(0, 256),
      });
    },
  };
}

/**
 * Deterministic outbox id: the same draft published twice is enqueued once. A
 * complete draft has ids of its own, so an earlier held draft naming the same
 * instances does not swallow it (and with it, its release).
 */
export function draftOutboxId(draft: IncidentDraft, options: { readonly complete?: boolean } = {}): string {
  const instances = draft.instances.map((i) => i.instanceId).join(',');
  return `${options.complete ? 'complete-draft' : 'draft'}:${draft.correlationId}:${sha256Hex(instances).slice(0, 16)}`;
}

/**
 * Standalone runtime: the "monitoring topic" is the store's outbox (kind
 * `incident-draft`, or `incident-draft-complete` for complete drafts), drained
 * by the outbox worker into the listener. `wake` lets the worker start at once
 * instead of at its next poll.
 */
export function outboxDraftPublisher(options: { store: OutboxWriter; wake?: () => void }): DraftPublisher {
  // A batch's drafts are published together: one nudge once they are all in, so the
  // listener takes them in one round (one wave of writes) rather than the first few.
  let nudging = false;
  const wakeSoon = () => {
    if (nudging || !options.wake) return;
    nudging = true;
    setImmediate(() => {
      nudging = false;
      options.wake?.();
    });
  };
  return {
    async publish(draft, publishOptions = {}) {
      const kind = publishOptions.complete ? INCIDENT_COMPLETE_DRAFT_KIND : INCIDENT_DRAFT_KIND;
      await options.store.enqueue({ id: draftOutboxId(draft, publishOptions), kind, payload: draft });
      wakeSoon();
    },
  };
}

/**
 * Where the incident flow sends what the listener applies: drafts and resolve
 * requests. The composition root chooses; the flow does not know which runtime it runs in.
 */
export interface IncidentChannel {
  readonly drafts: DraftPublisher;
  readonly resolves: ResolveQueue;
}

/** The monitoring SNS topic, which feeds the listener's SQS queue (the AWS deployment). */
export function monitoringTopicChannel(options: { publisher: Publisher; topicArn: string | undefined }): IncidentChannel {
  const { topicArn, publisher } = options;
  if (!topicArn) throw new ConfigError('PATCHBRIDGE_MONITORING_TOPIC_ARN', 'required where drafts and resolve requests go through the monitoring topic');
  return { drafts: snsDraftPublisher({ publisher, topicArn }), resolves: snsResolveQueue({ publisher, topicArn }) };
}

/** The store's outbox, drained by the outbox worker into the listener (standalone). `wake` starts the worker at once. */
export function outboxChannel(options: { store: OutboxWriter; wake?: () => void }): IncidentChannel {
  return { drafts: outboxDraftPublisher(options), resolves: outboxResolveQueue(options) };
}
