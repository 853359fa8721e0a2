import { drainEvent, type GuardInput, guardInput } from '../../events/index.js';
import type { GuardTask } from '../../flows/changes/index.js';
import type { Logger } from '../../core/index.js';

export interface FailClosedOptions {
  /** Cancels the window execution with whatever still works (the deployed guard: its own credentials). */
  readonly cancel: (input: GuardInput) => Promise<void>;
  readonly logger: Logger;
}

/**
 * Wraps the guard's construction: when the guard cannot be built (configuration,
 * secrets or store unavailable), a guard invocation still cancels its execution
 * (fail closed) instead of failing, which would let the window run. A drain event
 * just fails. Throws when even the cancellation fails.
 */
export function failClosedGuard(build: () => Promise<GuardTask>, options: FailClosedOptions): GuardTask {
  return async (event, context) => {
    let guard: GuardTask;
    try {
      guard = await build();
    } catch (err) {
      if (drainEvent.safeParse(event).success) throw err;
      const input = guardInput(event, context);
      options.logger.error({ err, ...input }, 'guard could not start; cancelling the window execution (fail closed)');
      await options.cancel(input);
      return { action: 'cancel', reason: 'patchbridge could not start to verify the change (fail closed)', windowId: input.windowId, windowExecutionId: input.windowExecutionId };
    }
    return guard(event, context);
  };
}
