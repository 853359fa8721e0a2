import { AppError, type Clock, sha256Hex, toError } from '../../core/index.js';
import type { StateStore } from '../../store/index.js';

/** Outbox kind of parked items: never leased by a worker, counted by `outboxDepth('dead-letter')`. */
export const DEAD_LETTER_KIND = 'dead-letter';

/** Far enough in the future that no lease ever picks a parked item up. */
export const PARKED_UNTIL = '9999-12-31T00:00:00.000Z';

export interface DeadLetter {
  /**
   * What failed: an outbox kind (`incident-draft`), `sqs:<queue>` or `http:/v1/events`.
   * An HTTP delivery is kept only once its sender was authenticated (a verified SNS
   * signature, the EventBridge connection's credentials), so callers cannot fill the store.
   */
  readonly source: string;
  /** The original payload (for replay) — never anything secret. */
  readonly payload: unknown;
  readonly error: { readonly code: string; readonly message: string };
  readonly attempts?: number;
  readonly failedAt: string;
}

export interface DeadLetterSink {
  /**
   * Parks a message that failed permanently (a payload no retry can fix) so it
   * is kept, with its payload and error, and counted (`outboxDepth('dead-letter')`)
   * rather than dropped. Idempotent on `id`.
   */
  record(id: string, letter: Omit<DeadLetter, 'failedAt' | 'error'> & { error: unknown }): Promise<void>;
}

/** A dead-letter sink over the state store's outbox (kind `dead-letter`). */
export function storeDeadLetters(store: StateStore, clock: Clock): DeadLetterSink {
  return {
    async record(id, letter) {
      const err = toError(letter.error);
      const payload: DeadLetter = {
        source: letter.source,
        payload: letter.payload,
        error: { code: err instanceof AppError ? err.code : 'UNEXPECTED', message: err.message.slice(0, 500) },
        ...(letter.attempts !== undefined ? { attempts: letter.attempts } : {}),
        failedAt: clock.now().toISOString(),
      };
      await store.enqueue({ id: `dead:${id}`, kind: DEAD_LETTER_KIND, payload, nextAttemptAt: PARKED_UNTIL });
    },
  };
}

/** A stable id for content that has none of its own (an HTTP body, an SQS body). */
export function contentId(content: string | Buffer): string {
  return sha256Hex(content).slice(0, 32);
}
