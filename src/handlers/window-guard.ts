import { createGuardTask, failClosedGuard } from '../flows/changes/index.js';
import { buildOnce, cancelWithOwnCredentials, fallbackLogger, lambdaContext } from '../runtime/lambda/index.js';

/**
 * The deployed window guard, built once per container from the Lambda
 * composition root (loaded lazily, so a failure to load or build it is caught):
 * if that fails, it still cancels the window execution with the function's own
 * credentials (fail closed).
 */
export const handler = failClosedGuard(
  buildOnce(async () => {
    const [ctx, { createChangeFlows }, { createOutboxWorker }] = await Promise.all([lambdaContext(), import('../flows/changes/index.js'), import('../flows/outbox/index.js')]);
    const flows = createChangeFlows(ctx);
    const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
    return createGuardTask({ changeGates: flows.changeGates, worker, logger: ctx.logger });
  }),
  { logger: fallbackLogger, cancel: cancelWithOwnCredentials },
);
