import { buildOnce, cancelWithOwnCredentials, failClosedGuard, fallbackLogger, lambdaContext } from '../runtime/lambda/index.js';

/**
 * The deployed window guard. It statically loads only the Lambda support (the
 * event parsing and the own-credentials cancel); the composition root and the
 * flows load lazily inside the build, so if either fails to load or build, the
 * window execution is still cancelled with the function's own credentials (fail closed).
 */
export const handler = failClosedGuard(
  buildOnce(async () => {
    const [ctx, { createChangeFlows, createGuardTask }, { createOutboxWorker }] = await Promise.all([
      lambdaContext(),
      import('../flows/changes/index.js'),
      import('../flows/outbox/index.js'),
    ]);
    const flows = createChangeFlows(ctx);
    const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
    return createGuardTask({ changeGates: flows.changeGates, worker, logger: ctx.logger });
  }),
  { logger: fallbackLogger, cancel: cancelWithOwnCredentials },
);
