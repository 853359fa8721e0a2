import { AppError, type Logger } from '../../core/index.js';
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
   * subscriptions, and accepts notifications. Every rejection is rethrown,
   * logged (code and reason, never the body) and counted in `rejections()`.
   * Only a delivery whose signature verified and that failed later (a
   * malformed event inside a genuine message) is kept as a dead letter: the
   * store holds nothing an unauthenticated caller sent.
   */
  receiveSns(body: string): Promise<DeliveryOutcome>;
  /**
   * An EventBridge API-destination call, already authenticated by the caller.
   * Rejections are counted, logged and kept as dead letters.
   */
  receiveEventBridge(body: unknown): Promise<DeliveryOutcome>;
  /** Deliveries refused since start, by error code (for metrics and tests). */
  rejections(): Readonly<Record<string, number>>;
}

/** Bound on what a rejected, authenticated delivery keeps of its body. */
const RECORDED_BODY_CHARS = 64 * 1024;
/** Bound on the reason logged for a rejection: it may echo caller-chosen text. */
const LOGGED_REASON_CHARS = 200;

export function createEventReceiver(deps: { intake: EventIntake; sns: SnsVerifier; deadLetters: DeadLetterSink; logger: Logger }): EventReceiver {
  const rejected = new Map<string, number>();

  /** Counts and logs a rejection; keeps the body as a dead letter only when the sender was authenticated. */
  async function reject(source: string, body: string, err: unknown, authenticated: boolean): Promise<void> {
    const code = err instanceof AppError ? err.code : 'UNEXPECTED';
    rejected.set(code, (rejected.get(code) ?? 0) + 1);
    const reason = err instanceof InvalidEventError ? err.reason.slice(0, LOGGED_REASON_CHARS) : undefined;
    deps.logger.warn({ source, code, reason, authenticated, bytes: body.length }, 'delivery rejected');
    // Retryable failures (certificate fetch) are the sender's to retry, not ours to park.
    if (!authenticated || (err instanceof AppError && err.retryable)) return;
    try {
      await deps.deadLetters.record(`rejected:${contentId(body)}`, { source, payload: body.slice(0, RECORDED_BODY_CHARS), error: err });
    } catch (recordErr) {
      deps.logger.error({ err: recordErr, source }, 'could not record a rejected delivery');
    }
  }

  async function accept(events: readonly PatchEvent[]): Promise<DeliveryOutcome> {
    const { accepted, duplicates } = await deps.intake.accept(events);
    // A delivery that normalises to nothing (automation steps, window state) carries nothing to act on.
    return { kind: 'accepted', accepted, duplicates, ignored: events.length === 0 ? 1 : 0 };
  }

  return {
    async receiveSns(body) {
      let verified = false;
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
        verified = true;
        if (envelope.Type === 'UnsubscribeConfirmation') {
          deps.logger.warn({ topicArn: envelope.TopicArn }, 'SNS subscription removed');
          return { kind: 'unsubscribed' };
        }
        return await accept(normaliseSnsNotification(envelope));
      } catch (err) {
        await reject('http:/v1/events (SNS)', body, err, verified);
        throw err;
      }
    },
    async receiveEventBridge(body) {
      try {
        return await accept(normaliseEventBridge(body));
      } catch (err) {
        await reject('http:/v1/events (EventBridge)', JSON.stringify(body) ?? '', err, true);
        throw err;
      }
    },
    rejections() {
      return Object.fromEntries(rejected);
    },
  };
}
