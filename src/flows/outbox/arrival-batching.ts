import type { Clock } from '../../core/index.js';

/**
 * When a stream of arrivals has been gathered long enough to hand over as one
 * batch, per outbox kind: once the stream has gone quiet for `quietMs`, or once
 * the oldest arrival of the burst has waited `maxWaitMs` (so a storm that never
 * pauses is still handed over in large batches). Register `ready(kind)` as the
 * kind's `OutboxHandler.ready`. The state is in memory only: after a restart
 * every kind is ready and whatever is due goes, so a kill loses nothing.
 */
export interface ArrivalBatching {
  /** Items of `kind` were just accepted. */
  arrived(kind: string): void;
  /** Whether the items of `kind` waiting now should be leased; `true` also closes the burst. */
  ready(kind: string): boolean;
}

export interface ArrivalBatchingOptions {
  readonly clock: Clock;
  /** Quiet time after the last arrival that ends a burst. */
  readonly quietMs: number;
  /** Longest the first arrival of a burst waits while arrivals go on. */
  readonly maxWaitMs: number;
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
  const bursts = new Map<string, { first: number; last: number }>();
  // Real-time nudges for the worker (unref'd: they never keep a process alive). One debounce
  // timer, re-armed in place on every arrival, and one for the ceiling of the current burst.
  let quiet: NodeJS.Timeout | undefined;
  let ceiling: NodeJS.Timeout | undefined;
  const nudge = (which: 'quiet' | 'ceiling') => () => {
    if (which === 'quiet') quiet = undefined;
    else ceiling = undefined;
    options.wake?.();
  };
  return {
    arrived(kind) {
      const now = clock.now().getTime();
      const burst = bursts.get(kind);
      if (burst) burst.last = now;
      else bursts.set(kind, { first: now, last: now });
      if (!options.wake || quietMs === 0) return;
      if (quiet) quiet.refresh();
      else quiet = setTimeout(nudge('quiet'), quietMs).unref();
      ceiling ??= setTimeout(nudge('ceiling'), maxWaitMs).unref();
    },
    ready(kind) {
      const burst = bursts.get(kind);
      if (!burst) return true;
      const now = clock.now().getTime();
      if (now - burst.last < quietMs && now - burst.first < maxWaitMs) return false;
      bursts.delete(kind);
      return true;
    },
  };
}
