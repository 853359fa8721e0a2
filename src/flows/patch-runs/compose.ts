import type { AwsPorts } from '../../aws/index.js';
import type { Config } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { PatchEvent } from '../../domain/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/index.js';
import { type ChangeGates, createChangeGates, createServiceNowWrites, serviceNowWriteHandlers } from '../change-gates/index.js';
import type { OutboxHandler } from '../outbox/index.js';
import { createPatchRuns, type PatchRuns, type PatchRunsDeps } from './patch-runs.js';

export interface ChangeFlowDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly aws: Pick<AwsPorts, 'patchExecution' | 'windows'>;
  readonly servicenow: ServiceNowClient;
}

export interface ChangeFlowOptions {
  /** Wakes the outbox worker after a ServiceNow write is queued (standalone). */
  readonly wake?: () => void;
  /** Incident numbers for a run's completion note (see `PatchRunsDeps.incidentNumbers`). */
  readonly incidentNumbers?: PatchRunsDeps['incidentNumbers'];
  /**
   * Standalone: run the guard when an event says a window execution started (once
   * per execution), for windows whose first task cannot call the guard Lambda. In
   * AWS leave it off: the guard Lambda is the window's first task.
   */
  readonly guardOnEvents?: boolean;
}

export interface ChangeFlows {
  readonly patchRuns: PatchRuns;
  readonly changeGates: ChangeGates;
  /** Register with the outbox worker: they deliver the ServiceNow writes of both flows. */
  readonly outboxHandlers: readonly OutboxHandler[];
  /**
   * Hand every normalised `PatchEvent` here, successes included: automation,
   * command and invocation events drive patch-run write-back; window-execution
   * events put the window's result on its change. Others are ignored.
   */
  recordEvent(event: PatchEvent): Promise<void>;
}

/** Longer than any maintenance window can last (24 h). */
const GUARD_CLAIM_TTL_SECONDS = 2 * 86_400;

/** Wires the patch-run and change-gate flows over injected ports; one call per composition root. */
export function createChangeFlows(deps: ChangeFlowDeps, options: ChangeFlowOptions = {}): ChangeFlows {
  const enqueued = options.wake;
  const writes = createServiceNowWrites({
    store: {
      enqueue: async (item) => {
        const queued = await deps.store.enqueue(item);
        enqueued?.();
        return queued;
      },
    },
  });
  const common = {
    store: deps.store,
    servicenow: deps.servicenow,
    writes,
    clock: deps.clock,
    logger: deps.logger,
    managedAccounts: deps.config.aws.accounts.map((a) => a.id),
  };
  const patchRuns = createPatchRuns({
    ...common,
    execution: deps.aws.patchExecution,
    runbook: deps.config.patching.runbook,
    ...(options.incidentNumbers ? { incidentNumbers: options.incidentNumbers } : {}),
  });
  const changeGates = createChangeGates({ ...common, windows: deps.aws.windows });
  return {
    patchRuns,
    changeGates,
    outboxHandlers: serviceNowWriteHandlers({ store: deps.store, servicenow: deps.servicenow, mode: deps.config.servicenow.mode }),
    async recordEvent(event) {
      if (event.kind === 'automation' || event.kind === 'command' || event.kind === 'invocation') {
        await patchRuns.recordPatchRunProgress(event);
      } else if (event.kind === 'window-execution') {
        const started = event.phase === 'pending' || event.phase === 'running';
        // PENDING and IN_PROGRESS both arrive, possibly twice: one guard decision per execution.
        if (started && options.guardOnEvents && (await deps.store.claim(`guard:${event.windowExecutionId}`, 'event-guard', GUARD_CLAIM_TTL_SECONDS))) {
          await changeGates.guard({ windowId: event.windowId, windowExecutionId: event.windowExecutionId, accountId: event.accountId, region: event.region });
        }
        await changeGates.recordWindowResult(event);
      }
    },
  };
}
