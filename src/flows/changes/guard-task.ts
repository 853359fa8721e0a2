import { type Logger, ValidationError } from '../../core/index.js';
import type { OutboxWorker, RoundResult } from '../outbox/index.js';
import { drainEvent, type GuardLambdaContext, guardInput, UNNAMED_WINDOW } from '../../events/index.js';
import type { ChangeGates, GuardDecision } from './change-gates.js';

export interface GuardTaskDeps {
  readonly changeGates: Pick<ChangeGates, 'guard'>;
  /** Delivers the guard's notes (and any incident) now when ServiceNow is up; the scheduled drain retries the rest. */
  readonly worker?: Pick<OutboxWorker, 'drain'>;
  readonly logger: Logger;
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
