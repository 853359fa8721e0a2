/**
 * A value now, or a promise of it: what a port answers when one implementation
 * has the answer at once (SQLite, keys from configuration) and another does not
 * (DynamoDB, Secrets Manager). `await` takes either; a per-request path tests it
 * with `isPromise` and goes on in the same turn when it can, which saves the
 * promises and microtasks an `await` costs (and their async-hook callbacks while
 * a request context is active).
 */
export type Awaitable<T> = T | Promise<T>;

/** Whether an `Awaitable` is still to come. */
export function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise;
}
