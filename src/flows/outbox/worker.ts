import pLimit from 'p-limit';
import { AppError, type Clock, fullJitterDelay, type Logger, retryClassOf, toError } from '../../core/index.js';
import type { OutboxItem, StateStore } from '../../store/index.js';
import { DEAD_LETTER_KIND, type DeadLetterSink, storeDeadLetters } from './dead-letter.js';

/** Per item: `undefined` = delivered, otherwise the error it failed with. */
export type OutboxOutcome = ReadonlyMap<string, unknown>;

/** Delivers one kind of outbox item. Register one per kind with the worker. */
export interface OutboxHandler {
  readonly kind: string;
  /** Items leased and handed over together (at most 1000). Default 10. */
  readonly batchSize?: number;
  /**
   * Delivers a batch and returns the error of each failed item by id. A
   * rejection fails every item of the batch (as retryable unless it is a
   * permanent `AppError`).
   */
  handle(items: readonly OutboxItem[]): Promise<OutboxOutcome>;
  /**
   * Asked before each lease: `false` leaves this kind's items queued for this
   * round (they stay durable and are asked about again at the next poll).
   * Lets a handler wait for work that would fold into the same delivery.
   */
  ready?(): Promise<boolean>;
}

export interface BackoffOptions {
  /** First retry delay ceiling. Default 2 000 ms. */
  readonly baseMs?: number;
  /** Cap on one delay. Default 15 minutes: ServiceNow maintenance rarely lasts less. */
  readonly maxMs?: number;
}

export interface OutboxWorkerOptions {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly handlers: readonly OutboxHandler[];
  /** Idle wait between polls. Default 1 000 ms (`PATCHBRIDGE_OUTBOX_POLL_MS`). */
  readonly pollMs?: number;
  /**
   * How long a leased item is ours before another worker may take it. Default
   * 30 s: the heartbeat renews it every third while a batch runs, so a slow
   * batch keeps it, and a killed worker's items are free again within 30 s.
   */
  readonly leaseMs?: number;
  /**
   * This node's stable identity (standalone: kept in the data directory). Its
   * leases carry it, and `start()` first releases the leases a killed
   * predecessor with the same identity left behind.
   */
  readonly owner?: string;
  readonly backoff?: BackoffOptions;
  /** Where permanent failures are parked. Default: the store's `dead-letter` kind. */
  readonly deadLetters?: DeadLetterSink;
  /** `[0, 1)`; injected so tests get deterministic jitter. */
  readonly random?: () => number;
}

export interface RoundResult {
  readonly delivered: number;
  readonly retried: number;
  readonly deadLettered: number;
}

export interface OutboxWorker {
  /** Starts polling in the background; `stop()` ends it. */
  start(): void;
  /** Stops polling and waits for the round in progress to finish. */
  stop(): Promise<void>;
  /** Cuts the current idle wait short (call after enqueueing). */
  wake(): void;
  /** One round: leases and handles one batch of every registered kind. */
  runOnce(): Promise<RoundResult>;
  /** Runs rounds until one leases nothing; returns the totals. */
  drain(options?: { maxRounds?: number }): Promise<RoundResult>;
}

/** Delay before retry `attempt` (1-based): full jitter over an exponential ceiling. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 2_000;
  const max = options.maxMs ?? 15 * 60_000;
  return Math.max(base / 2, fullJitterDelay(attempt - 1, base, max, random));
}

function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('retryAfterMs' in error)) return undefined;
  const value = (error as { retryAfterMs: unknown }).retryAfterMs;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/**
 * The standalone runtime's durable delivery loop: kind → handler registry,
 * leases, per-item ack, retry with exponential backoff (honouring a server's
 * `Retry-After`), and a dead-letter park for permanent failures. Retryable
 * failures are retried for as long as it takes: an item leaves the outbox only
 * when delivered or parked, so nothing is dropped while ServiceNow is down.
 */
/** Default of `OutboxWorkerOptions.leaseMs`. */
export const DEFAULT_LEASE_MS = 30_000;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, logger } = options;
  const pollMs = options.pollMs ?? 1_000;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const random = options.random ?? Math.random;
  const deadLetters = options.deadLetters ?? storeDeadLetters(store, clock);
  const handlers = options.handlers.filter((h) => h.kind !== DEAD_LETTER_KIND);
  const kinds = new Set<string>();
  for (const h of handlers) {
    if (kinds.has(h.kind)) throw new Error(`two outbox handlers for kind "${h.kind}"`);
    kinds.add(h.kind);
  }

  let running: Promise<void> | undefined;
  let stopped = true;
  let idle: AbortController | undefined;

  async function settle(handler: OutboxHandler, item: OutboxItem, failure: unknown): Promise<'delivered' | 'retried' | 'dead'> {
    const token = item.leaseToken ?? '';
    if (failure === undefined) {
      await store.ack(item.id, token);
      return 'delivered';
    }
    const error = toError(failure);
    // `operator` failures (a rotated password, a missing role) wait with backoff for the fix, so nothing accepted is lost to them.
    const retryable = retryClassOf(error) !== 'never';
    const attempt = item.attempts + 1;
    const code = error instanceof AppError ? error.code : 'UNEXPECTED';
    if (!retryable) {
      await deadLetters.record(item.id, { source: handler.kind, payload: item.payload, error, attempts: attempt });
      await store.ack(item.id, token);
      logger.error({ outboxId: item.id, kind: handler.kind, code, attempts: attempt, err: error }, 'outbox item failed permanently; parked as dead letter');
      return 'dead';
    }
    const delay = Math.max(backoffDelay(attempt, options.backoff, random), retryAfterOf(error) ?? 0);
    const next = new Date(clock.now().getTime() + delay).toISOString();
    await store.fail(item.id, token, `${code}: ${error.message}`, next);
    logger.warn({ outboxId: item.id, kind: handler.kind, code, attempts: attempt, nextAttemptAt: next }, 'outbox delivery failed; will retry');
    return 'retried';
  }

  /**
   * Renews the batch's leases every third of a lease while it is handled, so a
   * slow batch (ServiceNow retrying within its budget) is never taken and
   * delivered a second time by another worker.
   */
  function keepLeases(items: readonly OutboxItem[]): { stop(): Promise<void> } {
    const controller = new AbortController();
    const every = Math.max(1, Math.floor(leaseMs / 3));
    // One listener for the whole batch: a new one per beat would pile up on the signal for as long as the batch runs.
    const stopped = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
    const beat = (async () => {
      while (!controller.signal.aborted) {
        await Promise.race([clock.sleep(every, controller.signal).catch(() => undefined), stopped]);
        if (controller.signal.aborted) return;
        for (const item of items) {
          try {
            const held = await store.renewLease(item.id, item.leaseToken ?? '', leaseMs);
            if (!held) logger.warn({ outboxId: item.id }, 'outbox lease lost before the batch finished');
          } catch (err) {
            logger.warn({ outboxId: item.id, err }, 'outbox lease renewal failed');
          }
        }
      }
    })();
    return {
      async stop() {
        controller.abort();
        await beat;
      },
    };
  }

  async function runHandler(handler: OutboxHandler): Promise<RoundResult> {
    if (handler.ready && !(await handler.ready())) return { delivered: 0, retried: 0, deadLettered: 0 };
    const items = await store.lease({
      limit: Math.min(1000, Math.max(1, handler.batchSize ?? 10)),
      leaseMs,
      kind: handler.kind,
      ...(options.owner ? { owner: options.owner } : {}),
    });
    if (items.length === 0) return { delivered: 0, retried: 0, deadLettered: 0 };
    let outcome: OutboxOutcome;
    const heartbeat = keepLeases(items);
    try {
      outcome = await handler.handle(items);
    } catch (err) {
      logger.error({ kind: handler.kind, items: items.length, err }, 'outbox handler failed for the whole batch');
      outcome = new Map(items.map((i) => [i.id, err]));
    } finally {
      await heartbeat.stop();
    }
    const result = { delivered: 0, retried: 0, deadLettered: 0 };
    for (const item of items) {
      const state = await settle(handler, item, outcome.get(item.id));
      if (state === 'delivered') result.delivered++;
      else if (state === 'retried') result.retried++;
      else result.deadLettered++;
    }
    return result;
  }

  async function runOnce(): Promise<RoundResult> {
    const total = { delivered: 0, retried: 0, deadLettered: 0 };
    for (const handler of handlers) {
      const r = await runHandler(handler);
      total.delivered += r.delivered;
      total.retried += r.retried;
      total.deadLettered += r.deadLettered;
    }
    return total;
  }

  /** A restart reclaims what this node held when it died, so nothing waits out a lease. */
  async function reclaim(): Promise<void> {
    if (!options.owner || !store.releaseLeases) return;
    try {
      const released = await store.releaseLeases(options.owner);
      if (released > 0) logger.warn({ released, owner: options.owner }, 'outbox: reclaimed leases a previous run of this node left behind');
    } catch (err) {
      logger.warn({ err }, 'outbox: could not reclaim earlier leases; they expire on their own');
    }
  }

  async function loop(): Promise<void> {
    await reclaim();
    while (!stopped) {
      let busy = false;
      try {
        const r = await runOnce();
        busy = r.delivered + r.retried + r.deadLettered > 0;
      } catch (err) {
        logger.error({ err }, 'outbox round failed; retrying after the poll interval');
      }
      if (busy || stopped) continue;
      const controller = new AbortController();
      idle = controller;
      const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
      // An abort (wake/stop) ends the wait early; that rejection is the signal, not a failure.
      // The race also covers clocks whose sleep ignores the signal (ManualClock).
      await Promise.race([clock.sleep(pollMs, controller.signal).catch(() => undefined), aborted]);
      idle = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      stopped = false;
      running = loop().finally(() => {
        running = undefined;
      });
    },
    async stop() {
      stopped = true;
      idle?.abort();
      await running;
    },
    wake() {
      idle?.abort();
    },
    runOnce,
    async drain(drainOptions = {}) {
      const total = { delivered: 0, retried: 0, deadLettered: 0 };
      const maxRounds = drainOptions.maxRounds ?? 1_000;
      for (let round = 0; round < maxRounds; round++) {
        const r = await runOnce();
        total.delivered += r.delivered;
        total.retried += r.retried;
        total.deadLettered += r.deadLettered;
        if (r.delivered + r.retried + r.deadLettered === 0) break;
      }
      return total;
    },
  };
}

/**
 * Adapts a per-item function to an `OutboxHandler`. Items sharing a `groupKey`
 * run one after another in lease order (e.g. writes to one incident); groups
 * run up to `concurrency` at once.
 */
export function itemHandler(
  kind: string,
  handle: (item: OutboxItem) => Promise<void>,
  options: { batchSize?: number; concurrency?: number; groupKey?: (item: OutboxItem) => string } = {},
): OutboxHandler {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  return {
    kind,
    batchSize: options.batchSize ?? 20,
    async handle(items) {
      const groups = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const key = options.groupKey ? options.groupKey(item) : item.id;
        const list = groups.get(key) ?? [];
        list.push(item);
        groups.set(key, list);
      }
      const failures = new Map<string, unknown>();
      const limit = pLimit(Math.max(1, concurrency));
      await Promise.all(
        [...groups.values()].map((group) =>
          limit(async () => {
            // One group's items in order; groups side by side.
            for (const item of group) {
              try {
                await handle(item);
              } catch (err) {
                failures.set(item.id, err);
              }
            }
          }),
        ),
      );
      return failures;
    },
  };
}
