import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written on behalf of one API request carries. */
export interface RequestContext {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` as part of the request `context`: every log line written while it
 * (and whatever it awaits, schedules or calls) runs carries the request id. The
 * API's request-id middleware is the only caller in production.
 */
export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request the current code runs for, if any (see `runInRequestContext`). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
