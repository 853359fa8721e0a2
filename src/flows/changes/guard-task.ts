import { z } from 'zod';
import { type Logger, ValidationError } from '../../core/index.js';
import type { OutboxWorker, RoundResult } from '../outbox/index.js';
import type { ChangeGates, GuardDecision, GuardInput } from './change-gates.js';
import { ID_PATTERNS } from '../../domain/index.js';

/**
 * The maintenance-window task payload: `{"windowId":"{{WINDOW_ID}}","windowExecutionId":"{{WINDOW_EXECUTION_ID}}"}`.
 * Account and region default to those of the function itself (the window's own).
 * Only the execution id is needed to cancel: a payload whose other fields are
 * wrong still gets its execution cancelled (no gate can match a window it cannot name).
 */
const executionId = z.string().regex(ID_PATTERNS.uuid);
const windowId = z.string().regex(ID_PATTERNS.windowId);
const accountId = z.string().regex(ID_PATTERNS.accountId);
const region = z.string().regex(ID_PATTERNS.region);
const guardEvent = z.looseObject({ windowExecutionId: executionId });
const UNNAMED_WINDOW = 'unnamed-window';

export const drainEvent = z.union([
  z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') }),
  z.object({ action: z.literal('drain') }),
]);

export interface GuardTaskDeps {
  readonly changeGates: Pick<ChangeGates, 'guard'>;
  /** Delivers the guard's notes (and any incident) now when ServiceNow is up; the scheduled drain retries the rest. */
  readonly worker?: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
}

/** The fields of the Lambda context the guard reads. */
export interface GuardLambdaContext {
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

/** Longest the guard waits, after deciding, to deliver its notes; the scheduled drain delivers the rest. */
const NOTE_DRAIN_MS = 5_000;

export type WindowGuardResult = GuardDecision | { readonly drained: RoundResult };

/** One invocation of the guard task: a maintenance window's first task, or the scheduled drain. */
export type GuardTask = (event: unknown, context?: GuardLambdaContext) => Promise<WindowGuardResult>;

/**
 * The guard Lambda, every maintenance window's first task. Returns the decision
 * (SSM keeps it as the task invocation's output). It cancels the execution itself
 * when the window is not authorised; it throws only when it cannot cancel it or the
 * payload names no execution. A payload naming no valid window cancels its execution.
 *
 * A scheduled event (an EventBridge rule every minute) or `{"action":"drain"}`
 * instead delivers the queued ServiceNow writes of the patch-run and change-gate
 * flows, so notes and the fail-closed incident reach ServiceNow once it is back.
 */
export function createGuardTask(deps: GuardTaskDeps): GuardTask {
  return async (event, context) => {
    if (drainEvent.safeParse(event).success) {
      if (!deps.worker) throw new ValidationError('INVALID_EVENT', 'window guard has no outbox worker to drain');
      const drained = await deps.worker.drain();
      deps.logger.info({ ...drained }, 'ServiceNow writes drained');
      return { drained };
    }
    const input = guardInput(event, context);
    if (input.windowId === UNNAMED_WINDOW) deps.logger.error({ ...input }, 'guard payload names no valid window; cancelling its execution');
    const decision = await deps.changeGates.guard(input);
    if (deps.worker) {
      // The decision is made (and a cancel sent): delivering notes must not hold the window's next task back.
      const budget = Math.max(0, Math.min(NOTE_DRAIN_MS, (context?.getRemainingTimeInMillis?.() ?? NOTE_DRAIN_MS + 1_000) - 1_000));
      const drained = deps.worker.drain({ maxRounds: 5 }).then(
        () => 'drained',
        (err: unknown) => {
          deps.logger.warn({ err }, 'guard notes stay queued for the next outbox drain');
          return 'failed';
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([drained, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('late'), budget)))]);
      clearTimeout(timer);
      if (late === 'late') deps.logger.warn({ budgetMs: budget }, 'guard notes stay queued for the next outbox drain (time is up)');
    }
    return decision;
  };
}

/**
 * The execution to guard, from the task payload and the function ARN. Throws
 * `INVALID_EVENT` only when no execution can be named to cancel.
 */
export function guardInput(event: unknown, context?: GuardLambdaContext): GuardInput {
  const parsed = guardEvent.safeParse(parseJson(event));
  if (!parsed.success) throw new ValidationError('INVALID_EVENT', 'window guard expects {windowId, windowExecutionId}');
  const data = parsed.data;
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME
  const arn = context?.invokedFunctionArn?.split(':') ?? [];
  const account = accountId.safeParse(data['accountId']).data ?? accountId.safeParse(arn[4]).data;
  const where = region.safeParse(data['region']).data ?? region.safeParse(arn[3]).data;
  if (!account || !where) throw new ValidationError('INVALID_EVENT', 'window guard cannot tell the window account and region');
  return { windowId: windowId.safeParse(data['windowId']).data ?? UNNAMED_WINDOW, windowExecutionId: data.windowExecutionId, accountId: account, region: where };
}

function parseJson(event: unknown): unknown {
  if (typeof event !== 'string') return event;
  try {
    return JSON.parse(event);
  } catch {
    return undefined;
  }
}


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
