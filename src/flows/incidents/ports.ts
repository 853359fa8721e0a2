import type { AwsPorts } from '../../aws/index.js';
import type { IncidentDraft } from '../../domain/index.js';

/** The AWS reads enrichment needs (a subset of `AwsPorts`, so fakes stay small). */
export type IncidentAwsPorts = Pick<AwsPorts, 'inventory' | 'windows' | 'patchExecution'>;

/**
 * The monitoring topic: where the enricher hands drafts to the listener.
 * SNS in AWS (`snsDraftPublisher`); the store's outbox in standalone
 * (`outboxDraftPublisher`). Publishing the same draft twice must be harmless:
 * the listener upserts on `correlationId`.
 */
export interface DraftPublisher {
  /**
   * `complete`: the draft names every failure of its execution (it reached a
   * final status and was listed whole), so the listener may write it without
   * waiting for more failures of the same incident.
   */
  publish(draft: IncidentDraft, options?: { readonly complete?: boolean }): Promise<void>;
}
