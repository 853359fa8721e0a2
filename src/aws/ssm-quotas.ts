import { type Clock, systemClock } from '../core/clock.js';
import type { AwsContext } from './ports.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Calls per second per account and region for the SSM read APIs patchbridge uses.
 * `GetAutomationExecution` is published at 3 TPS. AWS publishes no per-API figure
 * for the other reads (they share SSM's default API throttle), so they run at
 * `DEFAULT_SSM_READ_TPS`, the rate the report benchmarks were sized to without
 * a throttled call. Writes are not listed: `StartAutomationExecution` has its own
 * 1 TPS start queue with a deadline (`ssm-patch-execution.ts`).
 */
export const SSM_READ_QUOTAS: Readonly<Record<string, number>> = {
  GetAutomationExecution: 3,
};

export const DEFAULT_SSM_READ_TPS = 20;

/** A read is what SSM names Get…, Describe… or List…. */
const READ = /^(Get|Describe|List)[A-Z]/;

/**
 * The one place every SSM read of a process waits for its turn: a token bucket
 * per (account, region, API), shared by the API, the guard and the flows because
 * every SSM client comes from the one client factory.
 */
export interface SsmThrottle {
  /** Waits for the API's next slot in `ctx`; non-read APIs pass at once. */
  take(ctx: AwsContext, api: string): Promise<void>;
  /** Calls let through so far, by `account|region|API` (for benchmarks and tests). */
  readonly admitted: ReadonlyMap<string, number>;
}

export interface SsmThrottleOptions {
  /** Real time: AWS throttles in real time, whatever clock the flows run on. Default the system clock. */
  readonly clock?: Clock;
  /** Overrides or additions to `SSM_READ_QUOTAS`, calls per second. */
  readonly quotas?: Readonly<Record<string, number>>;
  /** Rate for reads not listed; default `DEFAULT_SSM_READ_TPS`. */
  readonly defaultTps?: number;
}

export function createSsmThrottle(options: SsmThrottleOptions = {}): SsmThrottle {
  const clock = options.clock ?? systemClock;
  const quotas = { ...SSM_READ_QUOTAS, ...options.quotas };
  const defaultTps = options.defaultTps ?? DEFAULT_SSM_READ_TPS;
  const buckets = new Map<string, TokenBucket>();
  const admitted = new Map<string, number>();
  return {
    admitted,
    async take(ctx, api) {
      if (!READ.test(api)) return;
      let bucket = buckets.get(api);
      if (!bucket) {
        const rate = quotas[api] ?? defaultTps;
        // A burst of one second's worth, as AWS's own buckets allow.
        bucket = new TokenBucket(clock, rate, Math.max(1, Math.floor(rate)));
        buckets.set(api, bucket);
      }
      const key = `${ctx.accountId}|${ctx.region}`;
      await bucket.take(key);
      const counted = `${key}|${api}`;
      admitted.set(counted, (admitted.get(counted) ?? 0) + 1);
    },
  };
}
