import type { Clock } from '../../core/index.js';

/**
 * When a stream of arrivals has been gathered long enough to hand over as one
 * batch, per outbox kind: once the burst has gathered `fullAt` items (more would
 * not make the batch cheaper), once the kind's stream has been quiet for
 * `quietMs`, or once the burst's first item has waited `maxWaitMs` (so a stream
 * that never pauses is still handed over). Items are enqueued due at once;
 * register `ready(kind)` as the kind's `OutboxHandler.ready`. The state is in
 * memory only: after a restart every kind is ready and whatever is queued goes,
 * so a kill loses nothing.
 */
export interface ArrivalBatching {
  /** `count` items of `kind` were just accepted. */
  arrived(kind: string, count?: number): void;
  /** Whether the items of `kind` waiting now should be leased; `true` also closes the burst. */
  ready(kind: string): boolean;
  /** Whether nothing of `kind` (of any kind when absent) arrived in the last `forMs` (default `quietMs`). */
  quiet(kind?: string, forMs?: number): boolean;
  /** The longest a burst waits (`maxWaitMs`). */
  readonly maxWaitMs: number;
}

export interface ArrivalBatchingOptions {
  readonly clock: Clock;
  /** Quiet time after the last arrival that ends a burst. */
  readonly quietMs: number;
  /** Longest the first arrival of a burst waits while arrivals go on. */
  readonly maxWaitMs: number;
  /** Items that make a full batch, handed over without waiting for more, by kind. Default: no such limit. */
  readonly fullAt?: (kind: string) => number;
  /**
   * Called when a burst is full, has gone quiet or has reached `maxWaitMs`, so
   * the worker need not wait for its next poll. A hint only: `ready` decides, on `clock`.
   */
  readonly wake?: () => void;
}

/** Debounce with a ceiling and a size limit, as the `linger` and batch-size settings of batching producers. */
export function createArrivalBatching(options: ArrivalBatchingOptions): ArrivalBatching {
  const { clock } = options;
  const quietMs = Math.max(0, options.quietMs);
  const maxWaitMs = Math.max(quietMs, options.maxWaitMs);
  const fullAt = (kind: string) => options.fullAt?.(kind) ?? Number.POSITIVE_INFINITY;
  const bursts = new Map<string, { first: number; count: number }>();
  const lastArrival = new Map<string, number>();
  let lastOfAny = Number.NEGATIVE_INFINITY;
  const sinceLast = (kind?: string) => clock.now().getTime() - (kind === undefined ? lastOfAny : (lastArrival.get(kind) ?? Number.NEGATIVE_INFINITY));
  // Real-time nudges for the worker (unref'd: they never keep a process alive). One debounce
  // timer, re-armed in place on every arrival, and one for the ceiling of the current burst.
  let quiet: NodeJS.Timeout | undefined;
  let ceilingArmed = false;
  const nudge = (ms: number, then?: () => void) =>
    setTimeout(() => {
      then?.();
      options.wake?.();
    }, ms).unref();
  return {
    arrived(kind, count = 1) {
      const now = clock.now().getTime();
      const burst = bursts.get(kind) ?? { first: now, count: 0 };
      const wasFull = burst.count >= fullAt(kind);
      burst.count += count;
      bursts.set(kind, burst);
      lastArrival.set(kind, now);
      lastOfAny = now;
      if (!options.wake || wasFull) return;
      if (burst.count >= fullAt(kind) || quietMs === 0) {
        options.wake();
        return;
      }
      if (quiet) quiet.refresh();
      else
        quiet = nudge(quietMs, () => {
          quiet = undefined;
        });
      if (!ceilingArmed) {
        ceilingArmed = true;
        nudge(maxWaitMs, () => {
          ceilingArmed = false;
        });
      }
    },
    ready(kind) {
      const burst = bursts.get(kind);
      if (!burst) return true;
      const waited = clock.now().getTime() - burst.first;
      if (burst.count < fullAt(kind) && sinceLast(kind) < quietMs && waited < maxWaitMs) return false;
      bursts.delete(kind);
      return true;
    },
    quiet(kind, forMs = quietMs) {
      return sinceLast(kind) >= forMs;
    },
    maxWaitMs,
  };
}
