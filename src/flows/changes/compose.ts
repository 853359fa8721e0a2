import { randomUUID } from 'node:crypto';
import type { AwsPorts } from '../../aws/index.js';
import type { Config } from '../../config/index.js';
import type { Clock, Logger } from '../../core/index.js';
import type { PatchEvent, WindowExecutionEvent } from '../../domain/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/index.js';
import { type ChangeGates, createChangeGates } from './change-gates.js';
import { ChangeFlowError } from './errors.js';
import { createServiceNowWrites, serviceNowWriteHandlers } from './servicenow-writes.js';
import type { OutboxHandler } from '../outbox/index.js';
import { createPatchRuns, type PatchRuns, type PatchRunsDeps } from './patch-runs.js';

export interface ChangeFlowDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly aws: Pick<AwsPorts, 'patchExecution' | 'windows' | 'inventory'>;
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
  /** Unique lock-owner ids for the event guard's claims; default random UUIDs. */
  readonly ids?: () => string;
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
const GUARD_DONE_TTL_SECONDS = 2 * 86_400;
/** Longer than one guard call can take (a 10 s ServiceNow read and two SSM calls); a crashed attempt frees the execution after it. */
const GUARD_LEASE_TTL_SECONDS = 300;

/** Wires the patch-run and change-gate flows over injected ports; one call per composition root. */
export function createChangeFlows(deps: ChangeFlowDeps, options: ChangeFlowOptions = {}): ChangeFlows {
  const enqueued = options.wake;
  const newOwner = options.ids ?? randomUUID;
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
    freshnessMs: deps.config.patching.statusFreshnessSeconds * 1000,
    changeScope: { mode: deps.config.patching.changeScope, cmdb: deps.servicenow },
    fleet: deps.aws.inventory,
    suggestCloseCode: deps.config.patching.suggestCloseCode,
    ...(options.incidentNumbers ? { incidentNumbers: options.incidentNumbers } : {}),
  });
  const changeGates = createChangeGates({ ...common, windows: deps.aws.windows });
  /**
   * PENDING and IN_PROGRESS both arrive, possibly twice: one guard decision per
   * execution. `guard:<id>` marks a guard that finished, and is only held for good
   * once it has; a guard that throws frees it and rethrows, so the event's retry
   * guards again. `guard-lease:<id>` keeps two deliveries from guarding at once;
   * the one that finds it held fails retryably rather than skip a guard that may
   * yet fail.
   */
  async function guardOnce(event: WindowExecutionEvent): Promise<void> {
    const done = `guard:${event.windowExecutionId}`;
    const lease = `guard-lease:${event.windowExecutionId}`;
    const owner = `event-guard:${newOwner()}`;
    if (!(await deps.store.claim(lease, owner, GUARD_LEASE_TTL_SECONDS))) {
      throw new ChangeFlowError('GUARD_IN_PROGRESS', `The guard of window execution ${event.windowExecutionId} is running elsewhere; retry.`);
    }
    try {
      // Held for the lease only until the guard finished, so a crash here cannot mark the guard done.
      if (!(await deps.store.claim(done, owner, GUARD_LEASE_TTL_SECONDS))) return;
      try {
        await changeGates.guard({ windowId: event.windowId, windowExecutionId: event.windowExecutionId, accountId: event.accountId, region: event.region });
      } catch (err) {
        await deps.store.release(done, owner);
        throw err;
      }
      await deps.store.extendClaim(done, owner, GUARD_DONE_TTL_SECONDS);
    } finally {
      await deps.store.release(lease, owner);
    }
  }

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
        if (started && options.guardOnEvents) await guardOnce(event);
        await changeGates.recordWindowResult(event);
      }
    },
  };
}
