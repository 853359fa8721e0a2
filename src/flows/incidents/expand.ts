import { type AwsContext, AwsError, type CommandInvocation, type InvocationFilterStatus, type WindowExecution, type WindowTaskInvocation } from '../../aws/index.js';
import { type EventPhase, type ExecutionRef, isFailurePhase, markersFromComment, type PatchEvent, phaseOfStatus } from '../../domain/index.js';
import type { PatchRunStore } from '../../store/index.js';
import { IncidentError } from './errors.js';
import type { IncidentAwsPorts } from './ports.js';

/** One failure event to enrich, under the key callers use to map results back. */
export interface KeyedEvent {
  readonly key: string;
  readonly event: PatchEvent;
}

/** A failed instance found by expansion, before enrichment. */
export interface FailedUnit {
  readonly keys: Set<string>;
  readonly ctx: AwsContext;
  readonly instanceId: string;
  readonly commandId?: string;
  readonly status: string;
  readonly statusDetails?: string;
  readonly execution: ExecutionRef;
  readonly changeNumber?: string;
  readonly time: string;
  readonly output?: string;
}

export interface Expansion {
  readonly units: readonly FailedUnit[];
  /** Events that could not be expanded, by key. */
  readonly failures: Map<string, unknown>;
  /** Change numbers of automation executions reached through command markers, from patch runs started by the API. */
  readonly automationChanges: ReadonlyMap<string, string | undefined>;
  /**
   * Executions (`executionKey`) whose every failure this batch listed, with the
   * keys of the events that listed them: a command, automation or window execution
   * that reported a final failure status was expanded whole, so no later event can
   * add an instance to it. Drafts of such an execution need not wait for more.
   */
  readonly complete: ReadonlyMap<string, readonly string[]>;
}

/** Identity of an execution within its account and region, as `Expansion.complete` holds it. */
export const executionKey = (ctx: AwsContext, execution: Pick<ExecutionRef, 'kind' | 'id'>) => `${scopeKey(ctx)}/${execution.kind}/${execution.id}`;

/**
 * Whether an execution-level event reports a status the execution will not
 * leave: failed, timed out or cancelled, but not still cancelling.
 */
function isFinalFailure(event: PatchEvent): boolean {
  return isFailurePhase(event.phase) && event.status.toLowerCase().replace(/[\s_-]/g, '') !== 'cancelling';
}

export interface ExpandDeps {
  readonly aws: Pick<IncidentAwsPorts, 'inventory' | 'windows' | 'patchExecution'>;
  /** For the change number of automation executions started by `/v1/patch-runs`. */
  readonly store: PatchRunStore;
}

export const scopeKey = (ctx: AwsContext) => `${ctx.accountId}/${ctx.region}`;

/** Executions of a window searched for a command that names only its window. */
const RECENT_WINDOW_EXECUTIONS = 5;

/**
 * The `ListCommandInvocations` `Status` filter that lists the invocations of a
 * failure phase (`TimedOut` covers delivery and execution time-outs).
 */
const FILTER_STATUS: Partial<Record<EventPhase, InvocationFilterStatus>> = { failed: 'Failed', 'timed-out': 'TimedOut', cancelled: 'Cancelled' };
/** Every status a finished failed invocation can have (`Cancelling` is not finished: a `Cancelled` follows). */
const FAILURE_FILTERS: readonly InvocationFilterStatus[] = ['Failed', 'TimedOut', 'Cancelled'];

function isFailedInvocation(inv: CommandInvocation): boolean {
  const phase = phaseOfStatus(inv.status);
  return phase !== undefined && isFailurePhase(phase);
}

/** The output of the plugin that failed (or the first one), as ListCommandInvocations returns it. */
function pluginOutput(inv: CommandInvocation | undefined): string | undefined {
  const plugins = inv?.plugins ?? [];
  const failed = plugins.find((p) => p.status !== 'Success' && p.output) ?? plugins.find((p) => p.output);
  return failed?.output;
}

/** Memoises one read per (account, region, id) for the batch. */
function memoised<T>(read: (ctx: AwsContext, id: string) => Promise<T>): (ctx: AwsContext, id: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (ctx, id) => {
    const key = `${scopeKey(ctx)}/${id}`;
    let p = cache.get(key);
    if (!p) {
      p = read(ctx, id);
      cache.set(key, p);
    }
    return p;
  };
}

/**
 * Phase 1 of enrichment: every event to its failed instances. Every AWS read is
 * memoised for the batch: one listing per command and failure status, window execution or window;
 * several events of one window execution expand it once.
 */
export async function expandEvents(deps: ExpandDeps, events: readonly KeyedEvent[]): Promise<Expansion> {
  const { aws } = deps;
  const failures = new Map<string, unknown>();
  const units: FailedUnit[] = [];
  const statusGroup = (ctx: AwsContext, commandId: string, status: InvocationFilterStatus) => `${scopeKey(ctx)}/${commandId}/${status}`;
  const statusListings = new Map<string, Promise<CommandInvocation[]>>();
  /** One `Status`-filtered listing per (account, region, command, status) for the batch: a page per 50 failures instead of a call each. */
  const listByStatus = (ctx: AwsContext, commandId: string, status: InvocationFilterStatus): Promise<CommandInvocation[]> => {
    const group = statusGroup(ctx, commandId, status);
    let listing = statusListings.get(group);
    if (!listing) {
      listing = aws.inventory.listCommandInvocations(ctx, commandId, { status, withDetails: true });
      statusListings.set(group, listing);
    }
    return listing;
  };
  /**
   * A command's failed invocations. A command of up to 50 targets is read whole
   * in one call; a larger one by failure status, so its cost follows the
   * failures (a page per 50 of each status), not the targets, whose successes a
   * whole listing would page through, output and all.
   */
  const listFailed = memoised<CommandInvocation[]>(async (ctx, commandId) => {
    const first = await aws.inventory.firstCommandInvocations(ctx, commandId, { withDetails: true });
    if (first.complete) return first.invocations.filter(isFailedInvocation);
    return (await Promise.all(FAILURE_FILTERS.map((status) => listByStatus(ctx, commandId, status)))).flat();
  });
  const listTasks = memoised<WindowTaskInvocation[]>((ctx, windowExecutionId) => aws.windows.taskInvocations(ctx, windowExecutionId));
  const listExecutions = memoised<WindowExecution[]>((ctx, windowId) => aws.windows.listExecutions(ctx, windowId));
  const automationChange = async (executionId: string): Promise<string | undefined> =>
    (await deps.store.findPatchRunByExecution(executionId))?.changeNumber;

  /** The window execution that ran `commandId`, for commands whose comment names only the window: the newest executions are searched. */
  const windowExecutionOf = async (ctx: AwsContext, windowId: string, commandId: string): Promise<string | undefined> => {
    const executions = await listExecutions(ctx, windowId);
    for (const execution of executions.slice(0, RECENT_WINDOW_EXECUTIONS)) {
      const tasks = await listTasks(ctx, execution.windowExecutionId);
      if (tasks.some((t) => t.executionId === commandId)) return execution.windowExecutionId;
    }
    return undefined;
  };

  /** Where a failed invocation belongs: fixed by its event, or read from its command's comment. */
  const resolveExecution = async (ctx: AwsContext, inv: CommandInvocation, fixed: ExecutionRef | undefined): Promise<{ execution: ExecutionRef; change?: string }> => {
    const markers = markersFromComment(inv.comment);
    const change = markers.changeNumber ? { change: markers.changeNumber } : {};
    if (fixed) return { execution: fixed, ...change };
    const windowId = markers.windowId;
    const windowExecutionId = markers.windowExecutionId ?? (windowId ? await windowExecutionOf(ctx, windowId, inv.commandId) : undefined);
    if (windowExecutionId) return { execution: { kind: 'maintenance-window', id: windowExecutionId, ...(windowId ? { windowId } : {}) }, ...change };
    if (markers.automationExecutionId) return { execution: { kind: 'automation', id: markers.automationExecutionId }, ...change };
    return { execution: { kind: 'command', id: inv.commandId }, ...change };
  };

  const addUnit = async (key: string, ctx: AwsContext, inv: CommandInvocation, time: string, fixed?: ExecutionRef, fixedChange?: string) => {
    const { execution, change } = await resolveExecution(ctx, inv, fixed);
    const changeNumber = fixedChange ?? change;
    const output = pluginOutput(inv);
    units.push({
      keys: new Set([key]),
      ctx,
      instanceId: inv.instanceId,
      commandId: inv.commandId,
      status: inv.status,
      ...(inv.statusDetails && inv.statusDetails !== inv.status ? { statusDetails: inv.statusDetails } : {}),
      execution,
      ...(changeNumber ? { changeNumber } : {}),
      time,
      ...(output ? { output } : {}),
    });
  };

  const windowDone = new Map<string, Promise<void>>();
  const commandEventIds = new Set<string>();
  for (const { event } of events) if (event.kind === 'command') commandEventIds.add(`${event.accountId}/${event.region}/${event.commandId}`);
  // Invocation events of one command and status: two or more share one filtered listing.
  const sameStatus = new Map<string, number>();
  for (const { event } of events) {
    const status = FILTER_STATUS[event.phase];
    if (event.kind !== 'invocation' || !status) continue;
    const group = statusGroup(event, event.commandId, status);
    sameStatus.set(group, (sameStatus.get(group) ?? 0) + 1);
  }
  /** The invocation an event reports: from a listing the batch makes anyway, else a call for this instance alone. */
  const invocationOf = async (ctx: AwsContext, event: Extract<PatchEvent, { kind: 'invocation' }>): Promise<CommandInvocation | undefined> => {
    const mine = (listed: readonly CommandInvocation[]) => listed.find((i) => i.instanceId === event.instanceId);
    const status = FILTER_STATUS[event.phase];
    // An instance a listing lacks (its status moved on, or the listing lags) is asked for on its own.
    if (status && commandEventIds.has(`${scopeKey(ctx)}/${event.commandId}`)) {
      // The batch lists the command's failures anyway, for its command event.
      const listed = mine(await listFailed(ctx, event.commandId));
      if (listed) return listed;
    } else if (status && (sameStatus.get(statusGroup(ctx, event.commandId, status)) ?? 0) >= 2) {
      const listed = mine(await listByStatus(ctx, event.commandId, status));
      if (listed) return listed;
    }
    return mine(await aws.inventory.listCommandInvocations(ctx, event.commandId, { instanceId: event.instanceId, withDetails: true }));
  };

  const expandWindow = async (key: string, ctx: AwsContext, windowId: string, windowExecutionId: string, time: string) => {
    const execution: ExecutionRef = { kind: 'maintenance-window', id: windowExecutionId, windowId };
    const failed = (await listTasks(ctx, windowExecutionId)).filter((t) => {
      const phase = phaseOfStatus(t.status);
      return t.executionId && phase !== undefined && isFailurePhase(phase);
    });
    await Promise.all(
      failed.map(async (t) => {
        const executionId = t.executionId ?? '';
        if (t.taskType === 'RUN_COMMAND') {
          for (const inv of await listFailed(ctx, executionId)) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, time, execution);
        } else if (t.taskType === 'AUTOMATION') {
          const status = await aws.patchExecution.getRunStatus(ctx, { kind: 'automation', executionId }, { withDetails: true });
          for (const inv of status.invocations) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, time, execution);
        }
      }),
    );
  };

  const complete = new Map<string, string[]>();
  const listedWhole = (ctx: AwsContext, execution: Pick<ExecutionRef, 'kind' | 'id'>, key: string) => {
    const k = executionKey(ctx, execution);
    complete.set(k, [...(complete.get(k) ?? []), key]);
  };

  const expand = async ({ key, event }: KeyedEvent): Promise<void> => {
    const ctx: AwsContext = { accountId: event.accountId, region: event.region };
    switch (event.kind) {
      case 'window-execution':
      case 'window-task':
      case 'window-target-invocation': {
        // Several events of one window execution expand it once; the others share its outcome.
        const wk = `${scopeKey(ctx)}/${event.windowExecutionId}`;
        let run = windowDone.get(wk);
        if (!run) {
          run = expandWindow(key, ctx, event.windowId, event.windowExecutionId, event.time);
          windowDone.set(wk, run);
        }
        await run;
        // A task or target may fail while others still run; only the execution's own final status closes it.
        if (event.kind === 'window-execution' && isFinalFailure(event)) listedWhole(ctx, { kind: 'maintenance-window', id: event.windowExecutionId }, key);
        return;
      }
      case 'automation': {
        const status = await aws.patchExecution.getRunStatus(ctx, { kind: 'automation', executionId: event.executionId }, { withDetails: true });
        const change = await automationChange(event.executionId);
        const execution: ExecutionRef = { kind: 'automation', id: event.executionId };
        for (const inv of status.invocations) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, event.time, execution, change);
        if (isFinalFailure(event)) listedWhole(ctx, execution, key);
        return;
      }
      case 'command': {
        for (const inv of await listFailed(ctx, event.commandId)) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, event.time);
        // Whole only as an execution of its own: a command a window or runbook sent is one part of that execution.
        if (isFinalFailure(event)) listedWhole(ctx, { kind: 'command', id: event.commandId }, key);
        return;
      }
      case 'invocation': {
        const phase = phaseOfStatus(event.status);
        const inv: CommandInvocation = (await invocationOf(ctx, event)) ?? {
          commandId: event.commandId,
          instanceId: event.instanceId,
          status: phase === 'timed-out' ? 'TimedOut' : phase === 'cancelled' ? 'Cancelled' : 'Failed',
          statusDetails: event.status,
          documentName: event.documentName,
        };
        await addUnit(key, ctx, inv, event.time);
        return;
      }
    }
  };

  await Promise.all(
    events.map((e) =>
      expand(e).catch((err: unknown) => {
        if (!failures.has(e.key)) failures.set(e.key, err instanceof AwsError && err.code === 'NOT_FOUND' ? new IncidentError('EXECUTION_NOT_FOUND', err.message, { cause: err }) : err);
      }),
    ),
  );

  const automationIds = new Set(units.filter((u) => u.execution.kind === 'automation' && !u.changeNumber).map((u) => u.execution.id));
  const automationChanges = new Map<string, string | undefined>();
  await Promise.all([...automationIds].map(async (id) => automationChanges.set(id, await automationChange(id))));
  return { units, failures, automationChanges, complete };
}
