import type { Clock } from '../../core/index.js';

/**
 * When a stream of arrivals has been gathered long enough to hand over as one
 * batch, per outbox kind: `quietMs` after the kind's stream went quiet, `quietMs` after
 * the burst gathered `fullAt` items (more would not make the batch cheaper), or
 * once the burst's first item has waited `maxWaitMs` (so a stream that never
 * pauses is still handed over). Items should be enqueued due `quietMs` after
 * their arrival, so each batch takes what arrived up to then. Register
 * `ready(kind)` as the kind's `OutboxHandler.ready`. The state is in memory
 * only: after a restart every kind is ready and whatever is due goes, so a kill
 * loses nothing.
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
  /** Items that make a full batch: a burst that gathers them goes `quietMs` later without waiting for more. Default: no such limit. */
  readonly fullAt?: number;
  /**
   * Called when a burst has gone quiet or reached `maxWaitMs`, so the worker
   * need not wait for its next poll. A hint only: `ready` decides, on `clock`.
   */
  readonly wake?: () => void;
}

/** Debounce with a ceiling, as `linger` settings of batching producers do. */
export function createArrivalBatching(options: ArrivalBatchingOptions): ArrivalBatching {
  const { clock } = options;
  const quietMs = Math.max(0, options.quietMs);
  const maxWaitMs = Math.max(quietMs, options.maxWaitMs);
  const fullAt = options.fullAt ?? Number.POSITIVE_INFINITY;
  const bursts = new Map<string, { first: number; count: number; fullSince?: number }>();
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
      lastArrival.set(kind, now);
      lastOfAny = now;
      burst.count += count;
      bursts.set(kind, burst);
      const filled = burst.fullSince === undefined && burst.count >= fullAt;
      if (filled) burst.fullSince = now;
      if (!options.wake || quietMs === 0) return;
      if (filled) {
        // A full batch is due `quietMs` from now whatever else arrives: not a debounce.
        nudge(quietMs);
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
      const now = clock.now().getTime();
      const full = burst.fullSince !== undefined && now - burst.fullSince >= quietMs;
      if (!full && sinceLast(kind) < quietMs && now - burst.first < maxWaitMs) return false;
      bursts.delete(kind);
      return true;
    },
    quiet(kind, forMs = quietMs) {
      return sinceLast(kind) >= forMs;
    },
    maxWaitMs,
  };
}
