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
  /**
   * Waits for the API's next slot in `ctx` and resolves `true`; non-read APIs pass
   * at once. With `maxWaitMs`, a caller whose slot would come later than that
   * resolves `false` at once and takes no slot, so it delays nobody behind it.
   */
  take(ctx: AwsContext, api: string, options?: { readonly maxWaitMs?: number }): Promise<boolean>;
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
    async take(ctx, api, takeOptions = {}) {
      if (!READ.test(api)) return true;
      const key = `${ctx.accountId}|${ctx.region}`;
      const rate = quotas[api] ?? defaultTps;
      if (rate !== undefined) {
        let bucket = buckets.get(api);
        if (!bucket) {
          // A burst of one second's worth, as AWS's own buckets allow.
          bucket = new TokenBucket(clock, rate, Math.max(1, Math.floor(rate)));
          buckets.set(api, bucket);
        }
        const maxWait = takeOptions.maxWaitMs;
        if (!(await bucket.take(key, maxWait === undefined ? {} : { deadline: clock.now().getTime() + Math.max(0, maxWait) }))) return false;
      }
      const counted = `${key}|${api}`;
      admitted.set(counted, (admitted.get(counted) ?? 0) + 1);
      return true;
    },
  };
}

/** Where a command carries its `maxWaitMs` to the quota middleware (the SDK's handler context). */
export const SSM_MAX_WAIT_CONTEXT = 'patchbridgeSsmMaxWaitMs';

/**
 * Marks one SSM command as willing to wait at most `maxWaitMs` for its quota slot
 * in this process (`SsmThrottle.take`); past that it fails `THROTTLED` without
 * reaching SSM. For reads made on someone's behalf who will not wait longer: a
 * slot they would take beyond it only pushes back the reads behind them.
 */
export function withSsmMaxWait<C extends { readonly middlewareStack: object }>(command: C, maxWaitMs: number | undefined): C {
  if (maxWaitMs === undefined) return command;
  // Typed by the command's own input and output; this step only passes its arguments on, so any command's stack takes it.
  (command.middlewareStack as CommandStack).add(
    (next, context) => (args) => {
      context[SSM_MAX_WAIT_CONTEXT] = maxWaitMs;
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'patchbridgeSsmMaxWait' },
  );
  return command;
}

/** What `withSsmMaxWait` needs of a command's own middleware stack (any SDK command's fits). */
interface CommandStack {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; priority: 'high'; name: string },
  ): void;
}
