import type { Clock } from '../core/index.js';

export type RateDecision =
  | { readonly allowed: true; readonly limit: number; readonly remaining: number }
  | { readonly allowed: false; readonly limit: number; readonly retryAfterSeconds: number };

/** Per-client request budget. */
export interface RateLimiter {
  /** Spends one request of `clientId`'s budget. */
  take(clientId: string): RateDecision;
}

export interface RateLimiterOptions {
  /** Requests per minute per client (`PATCHBRIDGE_API_RATE_LIMIT`). Also the burst size. */
  readonly perMinute: number;
  readonly clock: Clock;
  /** Idle clients are forgotten once this many are tracked. Default 10 000. */
  readonly maxClients?: number;
}

/**
 * A token bucket per client, refilled continuously at `perMinute / 60` per second.
 * In memory: each process (or Lambda container) enforces its own budget, which
 * bounds a single client's burst; API Gateway usage plans cap the total.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function prune(now: number) {
    for (const [id, b] of buckets) if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(id);
  }

  return {
    take(clientId) {
      const now = options.clock.now().getTime();
      let bucket = buckets.get(clientId);
      if (!bucket) {
        if (buckets.size >= maxClients) prune(now);
        bucket = { tokens: capacity, at: now };
        buckets.set(clientId, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, limit: capacity, remaining: Math.floor(bucket.tokens) };
      }
      return { allowed: false, limit: capacity, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
  };
}
