import { z } from 'zod';
import { type Clock, DeclaredError, type ErrorSpecs, spec } from '../../core/index.js';
import type { OutboxItem, StateStore } from '../../store/index.js';
import { DEAD_LETTER_KIND, type DeadLetter } from './dead-letter.js';

export type DeadLetterErrorCode = 'DEAD_LETTER_NOT_FOUND' | 'DEAD_LETTER_INVALID' | 'NOT_REPLAYABLE';

/**
 * An operator action on a dead letter failed.
 * - `DEAD_LETTER_NOT_FOUND`: no parked item has that id (never parked, or already replayed).
 * - `DEAD_LETTER_INVALID`: the parked payload is not a dead letter, so nothing can be requeued from it.
 * - `NOT_REPLAYABLE`: the source never reached the outbox (`http:/v1/events`, `sqs:<queue>`),
 *   so there is no kind to requeue it under; it has to be re-sent by its sender.
 */
export const DEAD_LETTER_ERRORS: ErrorSpecs<DeadLetterErrorCode> = {
  DEAD_LETTER_NOT_FOUND: spec(404, 'never'),
  DEAD_LETTER_INVALID: spec(422, 'never'),
  NOT_REPLAYABLE: spec(409, 'never'),
};

export class DeadLetterError extends DeclaredError(DEAD_LETTER_ERRORS) {}

const deadLetterSchema = z.object({
  source: z.string().min(1),
  payload: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }),
  attempts: z.number().int().nonnegative().optional(),
  failedAt: z.string(),
});

/** One parked item as listed: its dead letter, or why its payload could not be read. */
export type DeadLetterEntry =
  | { readonly id: string; readonly createdAt: string; readonly valid: true; readonly letter: DeadLetter }
  | { readonly id: string; readonly createdAt: string; readonly valid: false; readonly problem: string };

export interface DeadLetterPage {
  readonly items: readonly DeadLetterEntry[];
  /** Pass back to continue; absent on the last page. */
  readonly nextCursor?: string;
}

export interface ReplayResult {
  readonly deadLetterId: string;
  /** The outbox kind the payload went back to (the letter's `source`). */
  readonly kind: string;
  /** Id of the requeued item. */
  readonly replayId: string;
  /** `false` when an earlier, interrupted replay had already enqueued it. */
  readonly enqueued: boolean;
}

// A plain name is an outbox kind; `http:…` and `sqs:…` sources were refused before reaching the outbox.
const OUTBOX_KIND = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// A replayed item that fails again is parked as `dead:replay:<base>:<n>`; its next replay counts on from n.
const REPLAYED = /^dead:replay:(.+):(\d+)$/;

function toEntry(item: OutboxItem): DeadLetterEntry {
  const parsed = deadLetterSchema.safeParse(item.payload);
  if (!parsed.success) {
    return { id: item.id, createdAt: item.createdAt, valid: false, problem: z.prettifyError(parsed.error) };
  }
  const { attempts, ...rest } = parsed.data;
  return { id: item.id, createdAt: item.createdAt, valid: true, letter: { ...rest, ...(attempts === undefined ? {} : { attempts }) } };
}

/**
 * Parked deliveries, oldest first. A payload that is not a dead letter is
 * listed with the reason (`valid: false`) rather than failing the listing.
 * `limit` is 1–1000; a bad cursor is a `ValidationError`.
 */
export async function listDeadLetters(store: StateStore, query: { limit: number; cursor?: string }): Promise<DeadLetterPage> {
  const page = await store.listOutbox({ kind: DEAD_LETTER_KIND, limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  return { items: page.items.map(toEntry), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
}

/**
 * The id a dead letter is requeued under. Deterministic, so a replay
 * interrupted after enqueueing and run again does not enqueue twice; a letter
 * that fails again after replay gets the next number, not a nested id.
 */
export function replayIdOf(deadLetterId: string): string {
  const again = REPLAYED.exec(deadLetterId);
  if (again?.[1] !== undefined && again[2] !== undefined) return `replay:${again[1]}:${Number(again[2]) + 1}`;
  return `replay:${deadLetterId}:1`;
}

/**
 * Puts a dead letter's original payload back on the outbox under its original
 * kind (due now), then deletes the dead letter. Enqueue comes first, so a crash
 * in between leaves the letter in place and a rerun is a no-op enqueue.
 * Throws `DeadLetterError` when the id is unknown, the payload is unreadable,
 * or the source is not an outbox kind.
 */
export async function replayDeadLetter(store: StateStore, id: string, deps: { clock: Clock }): Promise<ReplayResult> {
  const item = await store.getOutboxItem(id);
  if (item === undefined || item.kind !== DEAD_LETTER_KIND) {
    throw new DeadLetterError('DEAD_LETTER_NOT_FOUND', `no dead letter with id ${id}`, { details: { id } });
  }
  const entry = toEntry(item);
  if (!entry.valid) {
    throw new DeadLetterError('DEAD_LETTER_INVALID', `dead letter ${id} cannot be read: ${entry.problem}`, { details: { id } });
  }
  const kind = entry.letter.source;
  if (!OUTBOX_KIND.test(kind) || kind === DEAD_LETTER_KIND) {
    throw new DeadLetterError('NOT_REPLAYABLE', `dead letter ${id} came from ${kind}, not the outbox; it must be re-sent by its sender`, {
      details: { id, source: kind },
    });
  }
  const replayId = replayIdOf(id);
  const enqueued = await store.enqueue({ id: replayId, kind, payload: entry.letter.payload, nextAttemptAt: deps.clock.now().toISOString() });
  await store.deleteOutboxItem(id);
  return { deadLetterId: id, kind, replayId, enqueued };
}
