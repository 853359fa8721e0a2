import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChangeGates, GuardDecision } from '../flows/change-gates/index.js';
import type { OutboxWorker, RoundResult } from '../flows/outbox/index.js';

/**
 * The maintenance-window task payload: `{"windowId":"{{WINDOW_ID}}","windowExecutionId":"{{WINDOW_EXECUTION_ID}}"}`.
 * Account and region default to those of the function itself (the window's own).
 */
const guardEvent = z.looseObject({
  windowId: z.string().regex(/^mw-[0-9a-f]{17}$/),
  windowExecutionId: z.string().regex(/^[0-9a-f-]{36}$/),
  accountId: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/).optional(),
});

const drainEvent = z.union([
  z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') }),
  z.object({ action: z.literal('drain') }),
]);

export interface WindowGuardHandlerDeps {
  readonly changeGates: Pick<ChangeGates, 'guard'>;
  /** Delivers the guard's notes (and any incident) now when ServiceNow is up; the scheduled drain retries the rest. */
  readonly worker?: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
}

/** The fields of the Lambda context the guard reads. */
export interface GuardLambdaContext {
  readonly invokedFunctionArn?: string;
}

export type WindowGuardResult = GuardDecision | { readonly drained: RoundResult };

/**
 * The guard Lambda, every maintenance window's first task. Returns the decision
 * (SSM keeps it as the task invocation's output). It cancels the execution itself
 * when the window is not authorised; it throws only when it cannot cancel it or the
 * payload names no window.
 *
 * A scheduled event (an EventBridge rule every minute) or `{"action":"drain"}`
 * instead delivers the queued ServiceNow writes of the patch-run and change-gate
 * flows, so notes and the fail-closed incident reach ServiceNow once it is back.
 */
export function createWindowGuardHandler(deps: WindowGuardHandlerDeps): (event: unknown, context?: GuardLambdaContext) => Promise<WindowGuardResult> {
  return async (event, context) => {
    if (drainEvent.safeParse(event).success) {
      if (!deps.worker) throw new ValidationError('INVALID_EVENT', 'window guard has no outbox worker to drain');
      const drained = await deps.worker.drain();
      deps.logger.info({ ...drained }, 'ServiceNow writes drained');
      return { drained };
    }
    const parsed = guardEvent.safeParse(typeof event === 'string' ? JSON.parse(event) : event);
    if (!parsed.success) throw new ValidationError('INVALID_EVENT', 'window guard expects {windowId, windowExecutionId}');
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME
    const arn = context?.invokedFunctionArn?.split(':') ?? [];
    const accountId = parsed.data.accountId ?? arn[4];
    const region = parsed.data.region ?? arn[3];
    if (!accountId || !region) throw new ValidationError('INVALID_EVENT', 'window guard cannot tell the window account and region');
    const decision = await deps.changeGates.guard({ windowId: parsed.data.windowId, windowExecutionId: parsed.data.windowExecutionId, accountId, region });
    if (deps.worker) {
      try {
        await deps.worker.drain({ maxRounds: 5 });
      } catch (err) {
        deps.logger.warn({ err }, 'guard notes stay queued for the next outbox drain');
      }
    }
    return decision;
  };
}

let built: Promise<(event: unknown, context?: GuardLambdaContext) => Promise<WindowGuardResult>> | undefined;

/** The deployed guard: built once per container from the Lambda composition root. */
export const handler = async (event: unknown, context?: GuardLambdaContext): Promise<WindowGuardResult> => {
  built ??= (async () => {
    const [{ lambdaContext }, { createChangeFlows }, { createOutboxWorker }] = await Promise.all([
      import('./context.js'),
      import('../flows/patch-runs/index.js'),
      import('../flows/outbox/index.js'),
    ]);
    const ctx = await lambdaContext();
    const flows = createChangeFlows(ctx);
    const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
    return createWindowGuardHandler({ changeGates: flows.changeGates, worker, logger: ctx.logger });
  })().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return (await built)(event, context);
};
