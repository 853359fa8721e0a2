import { type Clock, systemClock } from '../core/index.js';
import type { AwsContext } from './ports.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Calls per second per account and region for SSM read APIs with a published
 * quota: `GetAutomationExecution` 3 TPS. For the other reads AWS publishes no
 * per-API figure, so none is invented: they pass the throttle at once (counted)
 * unless `quotas` or `defaultTps` size them, and the SDK's adaptive retry backs
 * off when SSM throttles them. Writes are not held: `StartAutomationExecution`
 * has its own 1 TPS start queue with a deadline (`ssm-patch-execution.ts`).
 */
export const SSM_READ_QUOTAS: Readonly<Record<string, number>> = {
  GetAutomationExecution: 3,
};

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
  /** Rate for reads with no quota listed; default none (not held). */
  readonly defaultTps?: number;
}

export function createSsmThrottle(options: SsmThrottleOptions = {}): SsmThrottle {
  const clock = options.clock ?? systemClock;
  const quotas = { ...SSM_READ_QUOTAS, ...options.quotas };
  const defaultTps = options.defaultTps;
  const buckets = new Map<string, TokenBucket>();
  const admitted = new Map<string, number>();
  return {
    admitted,
    async take(ctx, api) {
      if (!READ.test(api)) return;
      const key = `${ctx.accountId}|${ctx.region}`;
      const rate = quotas[api] ?? defaultTps;
      if (rate !== undefined) {
        let bucket = buckets.get(api);
        if (!bucket) {
          // A burst of one second's worth, as AWS's own buckets allow.
          bucket = new TokenBucket(clock, rate, Math.max(1, Math.floor(rate)));
          buckets.set(api, bucket);
        }
        await bucket.take(key);
      }
      const counted = `${key}|${api}`;
      admitted.set(counted, (admitted.get(counted) ?? 0) + 1);
    },
  };
}
