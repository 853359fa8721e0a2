import type { Clock } from './clock.js';

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`; the timer
 * never outlives the race. The promise itself is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** What `raceClock` settles with: the promise's value, or `late` when the clock ran out first. */
export type Raced<T> = { readonly late: false; readonly value: T } | { readonly late: true };

/**
 * Waits for `promise` at most `ms` on `clock` (so a test's manual clock decides
 * when time is up). A rejection before the deadline rejects; one after it is
 * settled here, not left unhandled (the caller stopped listening). The clock's
 * sleep is aborted either way, so no timer outlives the race. The promise itself
 * is not cancelled: a caller that can stop it aborts it on `late`.
 */
export async function raceClock<T>(clock: Pick<Clock, 'sleep'>, promise: Promise<T>, ms: number): Promise<Raced<T>> {
  const timer = new AbortController();
  const late = clock.sleep(ms, timer.signal).then(
    () => ({ late: true }) as const,
    () => ({ late: true }) as const,
  );
  try {
    return await Promise.race([promise.then((value) => ({ late: false, value }) as const), late]);
  } finally {
    timer.abort();
    promise.catch(() => undefined);
  }
}
