import { createAwsClients, createMaintenanceWindows } from '../aws/index.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createGuardTask, drainEvent, type GuardInput, type GuardTask, guardInput } from '../flows/change-gates/index.js';
import { buildOnce } from './build-once.js';

export interface FailClosedOptions {
  /** Cancels the window execution with whatever still works (the deployed guard: ambient credentials). */
  readonly cancel: (input: GuardInput) => Promise<void>;
  readonly logger: Logger;
}

/**
 * Wraps the guard's construction: when the guard cannot be built (configuration,
 * secrets or store unavailable), a guard invocation still cancels its execution
 * (fail closed) instead of failing, which would let the window run. A drain event
 * just fails. Throws when even the cancellation fails.
 */
export function failClosedGuard(
  build: () => Promise<GuardTask>,
  options: FailClosedOptions,
): GuardTask {
  return async (event, context) => {
    let guard: Awaited<ReturnType<typeof build>>;
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

const fallbackLogger = createLogger({ name: 'window-guard' });

/**
 * The deployed guard: built once per container from the Lambda composition root;
 * if that fails, it still cancels the execution with the function's own credentials.
 */
export const handler = failClosedGuard(
  buildOnce(async () => {
    const [{ lambdaContext }, { createChangeFlows }, { createOutboxWorker }] = await Promise.all([
      import('./context.js'),
      import('../flows/patch-runs/index.js'),
      import('../flows/outbox/index.js'),
    ]);
    const ctx = await lambdaContext();
    const flows = createChangeFlows(ctx);
    const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
    return createGuardTask({ changeGates: flows.changeGates, worker, logger: ctx.logger });
  }),
  {
    logger: fallbackLogger,
    // Nothing of the configuration is trusted here: the function's own credentials, in the window's region.
    cancel: async (input) => {
      const logger = fallbackLogger;
      const clients = createAwsClients({ accounts: [], defaultRegion: input.region, logger });
      try {
        await createMaintenanceWindows({ clients, logger }).cancelExecution({ accountId: input.accountId, region: input.region }, input.windowExecutionId);
      } finally {
        clients.destroy();
      }
    },
  },
);
