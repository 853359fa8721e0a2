import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { PatchEvent } from '../../domain/index.js';
import {
  InvalidEventError,
  normaliseEventBridge,
  normaliseSnsNotification,
  parseSnsEnvelope,
  type SnsVerifier,
} from '../../events/index.js';
import { contentId, type DeadLetterSink } from '../outbox/index.js';
import type { EventIntake } from './standalone.js';

/** What a delivery came to. */
export type DeliveryOutcome =
  | { readonly kind: 'accepted'; readonly accepted: number; readonly duplicates: number; readonly ignored: number }
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'unsubscribed' };

export interface EventReceiver {
  /**
   * An SNS HTTPS delivery (the raw text body): verifies the signature, confirms
   * subscriptions, and accepts notifications. Rejections (malformed, forged,
   * wrong topic, untrusted URL) are recorded as dead letters and rethrown.
   */
  receiveSns(body: string): Promise<DeliveryOutcome>;
  /** An EventBridge API-destination call, already authenticated by the caller. */
  receiveEventBridge(body: unknown): Promise<DeliveryOutcome>;
}

/** Bound on what a rejected delivery keeps of its body. */
const RECORDED_BODY_CHARS = 64 * 1024;

export function createEventReceiver(deps: { intake: EventIntake; sns: SnsVerifier; deadLetters: DeadLetterSink; logger: Logger }): EventReceiver {
  async function record(source: string, body: string, err: unknown): Promise<void> {
    // Retryable failures (certificate fetch) are the sender's to retry, not ours to park.
    if (err instanceof AppError && err.retryable) return;
    try {
      await deps.deadLetters.record(`rejected:${contentId(body)}`, { source, payload: body.slice(0, RECORDED_BODY_CHARS), error: err });
    } catch (recordErr) {
      deps.logger.error({ err: recordErr, source }, 'could not record a rejected delivery');
    }
    deps.logger.warn({ source, code: err instanceof AppError ? err.code : 'UNEXPECTED', reason: err instanceof InvalidEventError ? err.reason : undefined }, 'delivery rejected');
  }

  async function accept(events: readonly PatchEvent[]): Promise<DeliveryOutcome> {
    const { accepted, duplicates } = await deps.intake.accept(events);
    // A delivery that normalises to nothing (automation steps, window state) carries nothing to act on.
    return { kind: 'accepted', accepted, duplicates, ignored: events.length === 0 ? 1 : 0 };
  }

  return {
    async receiveSns(body) {
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body) as unknown;
        } catch (err) {
          throw new InvalidEventError('SNS delivery body is not valid JSON', { cause: err });
        }
        const envelope = parseSnsEnvelope(parsed);
        if (envelope.Type === 'SubscriptionConfirmation') {
          await deps.sns.confirmSubscription(envelope);
          deps.logger.info({ topicArn: envelope.TopicArn }, 'SNS subscription confirmed');
          return { kind: 'confirmed' };
        }
        await deps.sns.verify(envelope);
        if (envelope.Type === 'UnsubscribeConfirmation') {
          deps.logger.warn({ topicArn: envelope.TopicArn }, 'SNS subscription removed');
          return { kind: 'unsubscribed' };
        }
        return await accept(normaliseSnsNotification(envelope));
      } catch (err) {
        await record('http:/v1/events (SNS)', body, err);
        throw err;
      }
    },
    async receiveEventBridge(body) {
      try {
        return await accept(normaliseEventBridge(body));
      } catch (err) {
        await record('http:/v1/events (EventBridge)', JSON.stringify(body) ?? '', err);
        throw err;
      }
    },
  };
}
