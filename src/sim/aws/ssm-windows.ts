import { resolveTargets, type SimWindow, type SimWindowTask } from './fleet.js';
import { windowExecutionEvent, windowStateEvent, windowTargetInvocationEvent, windowTaskEvent } from './notifications.js';
import { startAutomation, stopAutomation } from './ssm-automation.js';
import { cancelCommand, startCommand } from './ssm-commands.js';
import type {
  AccountState,
  SimCore,
  SimTaskExecution,
  SimTaskInvocation,
  SimWindowExecution,
  WindowStatus,
} from './state.js';
import { epoch, type JsonInput, page, SimAwsError } from './wire.js';
import { ID_PATTERNS } from '../../domain/index.js';

const { windowId: WINDOW_ID, uuid: EXECUTION_ID } = ID_PATTERNS;
const TERMINAL = new Set<WindowStatus>(['SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING']);

export function findWindow(state: AccountState, windowId: string): SimWindow {
  const w = state.fleet.windows.find((x) => x.windowId === windowId);
  if (!w) throw new SimAwsError('DoesNotExistException', `Maintenance window ${windowId} does not exist`);
  return w;
}

function getExecution(state: AccountState, id: string): SimWindowExecution {
  const e = state.windowExecutions.get(id);
  if (!e) throw new SimAwsError('DoesNotExistException', `Maintenance window execution ${id} does not exist`);
  return e;
}

function statusFromCommand(status: string): WindowStatus {
  if (status === 'Success') return 'SUCCESS';
  if (status === 'Cancelled') return 'CANCELLED';
  if (status === 'TimedOut') return 'TIMED_OUT';
  return 'FAILED';
}

function rollUp(statuses: readonly WindowStatus[]): WindowStatus {
  if (statuses.every((s) => s === 'SUCCESS')) return 'SUCCESS';
  if (statuses.some((s) => s === 'FAILED')) return 'FAILED';
  if (statuses.some((s) => s === 'TIMED_OUT')) return 'TIMED_OUT';
  if (statuses.some((s) => s === 'CANCELLED')) return 'CANCELLED';
  return 'FAILED';
}

function parseLimit(spec: string | undefined, total: number, fallback: number, floor: number): number {
  if (!spec) return fallback;
  const m = /^(\d+)(%?)$/.exec(spec.trim());
  if (!m) return fallback;
  const n = Number(m[1]);
  return Math.max(floor, m[2] === '%' ? Math.ceil((n * total) / 100) : n);
}

export interface RunWindowOptions {
  /** Run even if the window is disabled or outside its start/end dates. */
  readonly force?: boolean;
}

/**
 * Starts a maintenance window execution now. Its tasks run one after another in
 * priority order; LAMBDA tasks call the handler registered for the function.
 * Returns `undefined`, and starts nothing, when the window is disabled or outside
 * its start/end dates, as the SSM scheduler would not fire it.
 */
export function runWindow(core: SimCore, state: AccountState, window: SimWindow, options: RunWindowOptions = {}): string | undefined {
  const now = core.scheduler.now();
  const outsideDates =
    (window.startDate !== undefined && now < Date.parse(window.startDate)) || (window.endDate !== undefined && now > Date.parse(window.endDate));
  if (!options.force && (!window.enabled || outsideDates)) return undefined;
  const execution: SimWindowExecution = {
    windowExecutionId: core.rng.uuid(),
    windowId: window.windowId,
    status: 'PENDING',
    startAt: now,
    tasks: [],
    cancelRequested: false,
    running: { commands: new Set(), automations: new Set() },
  };
  state.windowExecutions.set(execution.windowExecutionId, execution);
  const scope = state.scope;
  const emitExecution = () =>
    core.deliveries.emitEvent(
      windowExecutionEvent(
        scope,
        core.rng.uuid(),
        {
          windowId: window.windowId,
          windowExecutionId: execution.windowExecutionId,
          status: execution.status,
          startAt: execution.startAt,
          ...(execution.endAt === undefined ? {} : { endAt: execution.endAt }),
        },
        core.scheduler.now(),
      ),
    );
  const emitTask = (t: SimTaskExecution) =>
    core.deliveries.emitEvent(
      windowTaskEvent(
        scope,
        core.rng.uuid(),
        {
          windowId: window.windowId,
          windowExecutionId: execution.windowExecutionId,
          taskExecutionId: t.taskExecutionId,
          status: t.status,
          startAt: t.startAt ?? execution.startAt,
          ...(t.endAt === undefined ? {} : { endAt: t.endAt }),
        },
        core.scheduler.now(),
      ),
    );

  const tasks = [...window.tasks].sort((a, b) => a.priority - b.priority);

  const finishExecution = () => {
    execution.endAt = core.scheduler.now();
    if (execution.cancelRequested) execution.status = 'CANCELLED';
    else execution.status = execution.tasks.length === 0 ? 'SUCCESS' : rollUp(execution.tasks.map((t) => t.status));
    emitExecution();
  };

  const runTask = (index: number) => {
    const spec = tasks[index];
    if (!spec || execution.cancelRequested) return finishExecution();
    const task: SimTaskExecution = {
      taskExecutionId: core.rng.uuid(),
      windowTaskId: spec.windowTaskId,
      taskArn: spec.taskArn,
      taskType: spec.taskType,
      status: 'IN_PROGRESS',
      startAt: core.scheduler.now(),
      invocations: [],
    };
    execution.tasks.push(task);
    emitTask(task);
    const done = () => {
      task.endAt = core.scheduler.now();
      task.status = task.invocations.length === 0 ? 'SUCCESS' : rollUp(task.invocations.map((i) => i.status));
      if (task.invocations.length === 0) task.statusDetails = 'No invocations to execute';
      emitTask(task);
      execution.running.commands.clear();
      execution.running.automations.clear();
      core.scheduler.after(1_000, () => runTask(index + 1));
    };
    startTask(core, state, window, execution, spec, task, done);
  };

  core.scheduler.at(now, () => {
    execution.status = 'IN_PROGRESS';
    emitExecution();
    runTask(0);
  });
  return execution.windowExecutionId;
}

function startTask(
  core: SimCore,
  state: AccountState,
  window: SimWindow,
  execution: SimWindowExecution,
  spec: SimWindowTask,
  task: SimTaskExecution,
  done: () => void,
): void {
  const emitTarget = (inv: SimTaskInvocation) => {
    if (!inv.windowTargetId) return;
    core.deliveries.emitEvent(
      windowTargetInvocationEvent(
        state.scope,
        core.rng.uuid(),
        {
          windowId: window.windowId,
          windowExecutionId: execution.windowExecutionId,
          taskExecutionId: task.taskExecutionId,
          windowTargetId: inv.windowTargetId,
          status: inv.status,
          startAt: inv.startAt ?? task.startAt ?? execution.startAt,
          ...(inv.endAt === undefined ? {} : { endAt: inv.endAt }),
          ...(inv.ownerInformation === undefined ? {} : { ownerInformation: inv.ownerInformation }),
        },
        core.scheduler.now(),
      ),
    );
  };

  if (spec.taskType === 'LAMBDA' || spec.taskType === 'STEP_FUNCTIONS') {
    const inv: SimTaskInvocation = {
      invocationId: core.rng.uuid(),
      executionId: core.rng.uuid(),
      taskType: spec.taskType,
      parameters: spec.payload ?? '',
      status: 'IN_PROGRESS',
      startAt: core.scheduler.now(),
    };
    task.invocations.push(inv);
    const name = spec.taskArn.split(':').pop() ?? spec.taskArn;
    const handler = spec.taskType === 'LAMBDA' ? (core.lambdas.get(spec.taskArn) ?? core.lambdas.get(name)) : undefined;
    const settle = (status: WindowStatus, details?: string) => {
      // Back onto the simulated timeline: the handler ran outside it (it may have called the API).
      core.scheduler.after(500, () => {
        inv.status = status;
        inv.endAt = core.scheduler.now();
        if (details) inv.statusDetails = details.slice(0, 250);
        done();
      });
    };
    if (!handler) {
      settle('SUCCESS');
      return;
    }
    // Not awaited inside the scheduler job: the handler may wait on simulated work.
    const work = Promise.resolve()
      .then(() =>
        handler({
          accountId: state.scope.accountId,
          region: state.scope.region,
          functionArn: spec.taskArn,
          windowId: window.windowId,
          windowExecutionId: execution.windowExecutionId,
          taskExecutionId: task.taskExecutionId,
          windowTaskId: spec.windowTaskId,
          ...(spec.payload === undefined ? {} : { payload: spec.payload }),
        }),
      )
      .then(
        () => settle('SUCCESS'),
        (err: unknown) => settle('FAILED', err instanceof Error ? err.message : String(err)),
      );
    core.track(work);
    return;
  }

  if (spec.taskType === 'AUTOMATION') {
    const inv: SimTaskInvocation = {
      invocationId: core.rng.uuid(),
      taskType: 'AUTOMATION',
      parameters: JSON.stringify(spec.parameters),
      status: 'IN_PROGRESS',
      startAt: core.scheduler.now(),
    };
    task.invocations.push(inv);
    const a = startAutomation(core, state, {
      documentName: spec.taskArn,
      parameters: spec.parameters,
      targets: window.targets.filter((t) => spec.windowTargetIds.includes(t.windowTargetId)).flatMap((t) => t.targets),
      executedBy: `arn:aws:sts::${state.scope.accountId}:assumed-role/AWSServiceRoleForAmazonSSM/MaintenanceWindow`,
    });
    inv.executionId = a.executionId;
    execution.running.automations.add(a.executionId);
    a.onDone.push((done2) => {
      inv.status = statusFromCommand(done2.status);
      inv.endAt = core.scheduler.now();
      done();
    });
    return;
  }

  // RUN_COMMAND: one command per target instance, MaxConcurrency at a time.
  const registered = window.targets.filter((t) => spec.windowTargetIds.includes(t.windowTargetId));
  const work = registered.flatMap((t) => resolveTargets(state.fleet, t.targets).map((instance) => ({ target: t, instance })));
  const slots = parseLimit(spec.maxConcurrency, work.length, work.length || 1, 1);
  const maxErrors = parseLimit(spec.maxErrors, work.length, work.length, 0);
  let running = 0;
  let errors = 0;
  let finished = false;
  if (work.length === 0) {
    done();
    return;
  }
  const queue = [...work];
  const next = () => {
    while (running < slots && queue.length > 0 && !execution.cancelRequested && errors <= maxErrors) {
      const { target, instance } = queue.shift()!;
      running++;
      const inv: SimTaskInvocation = {
        invocationId: core.rng.uuid(),
        taskType: 'RUN_COMMAND',
        parameters: JSON.stringify({ documentName: spec.taskArn, parameters: spec.parameters }),
        status: 'IN_PROGRESS',
        startAt: core.scheduler.now(),
        windowTargetId: target.windowTargetId,
        ...(target.ownerInformation === undefined ? {} : { ownerInformation: target.ownerInformation }),
      };
      task.invocations.push(inv);
      emitTarget(inv);
      const command = startCommand(core, state, {
        documentName: spec.taskArn,
        parameters: spec.parameters,
        instanceIds: [instance.instanceId],
        comment: `Maintenance window ${window.windowId} task ${spec.name}`.slice(0, 100),
        maxConcurrency: '1',
        maxErrors: '0',
        ...(spec.serviceRoleArn ? { serviceRoleArn: spec.serviceRoleArn } : {}),
        ...(spec.notification ? { notification: spec.notification } : {}),
      });
      inv.executionId = command.commandId;
      execution.running.commands.add(command.commandId);
      command.onDone.push((c) => {
        inv.status = statusFromCommand(c.status);
        inv.endAt = core.scheduler.now();
        if (inv.status !== 'SUCCESS') errors++;
        emitTarget(inv);
        running--;
        next();
        // Done when nothing runs and nothing more will start (all sent, cancelled, or past MaxErrors).
        if (!finished && running === 0 && (queue.length === 0 || execution.cancelRequested || errors > maxErrors)) {
          finished = true;
          done();
        }
      });
    }
  };
  next();
}

/** Cancels an execution: running commands and automations stop, no further task starts. */
export function cancelExecution(core: SimCore, state: AccountState, execution: SimWindowExecution): void {
  if (TERMINAL.has(execution.status) || execution.cancelRequested) return;
  execution.cancelRequested = true;
  execution.status = 'CANCELLING';
  for (const id of execution.running.commands) {
    const c = state.commands.get(id);
    if (c) cancelCommand(core, c);
  }
  for (const id of execution.running.automations) {
    const a = state.automations.get(id);
    if (a && !['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(a.status)) stopAutomation(core, state, a);
  }
}

function windowJson(w: SimWindow) {
  return {
    WindowId: w.windowId,
    Name: w.name,
    ...(w.description ? { Description: w.description } : {}),
    ...(w.startDate ? { StartDate: w.startDate } : {}),
    ...(w.endDate ? { EndDate: w.endDate } : {}),
    Schedule: w.schedule,
    ...(w.scheduleTimezone ? { ScheduleTimezone: w.scheduleTimezone } : {}),
    ...(w.scheduleOffset === undefined ? {} : { ScheduleOffset: w.scheduleOffset }),
    Duration: w.duration,
    Cutoff: w.cutoff,
    AllowUnassociatedTargets: w.allowUnassociatedTargets,
    Enabled: w.enabled,
  };
}

function executionSummary(e: SimWindowExecution) {
  return {
    WindowId: e.windowId,
    WindowExecutionId: e.windowExecutionId,
    Status: e.status,
    ...(e.statusDetails ? { StatusDetails: e.statusDetails } : {}),
    StartTime: epoch(e.startAt),
    ...(e.endAt === undefined ? {} : { EndTime: epoch(e.endAt) }),
  };
}

const MONTH_MS = 31 * 86_400_000;

/** `GetCalendarState`: OPEN only when every calendar is open at `at`. */
export function calendarState(core: SimCore, names: readonly string[], at: number) {
  let open = true;
  let nextTransition: number | undefined;
  for (const name of names) {
    const cal = core.calendars.get(name);
    if (!cal) throw new SimAwsError('InvalidDocument', `Document ${name} does not exist or is not a change calendar.`);
    const inEvent = cal.events.some((e) => at >= e.start && at < e.end);
    const state = inEvent ? (cal.defaultState === 'OPEN' ? 'CLOSED' : 'OPEN') : cal.defaultState;
    if (state === 'CLOSED') open = false;
    for (const e of cal.events) {
      for (const t of [e.start, e.end]) if (t > at && (nextTransition === undefined || t < nextTransition)) nextTransition = t;
    }
  }
  return {
    State: open ? 'OPEN' : 'CLOSED',
    AtTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(nextTransition !== undefined && nextTransition - at < 12 * MONTH_MS
      ? { NextTransitionTime: new Date(nextTransition).toISOString().replace(/\.\d{3}Z$/, 'Z') }
      : {}),
  };
}

export const windowHandlers = {
  GetMaintenanceWindow(_core: SimCore, state: AccountState, input: JsonInput) {
    const w = findWindow(state, input.need('WindowId', { pattern: WINDOW_ID }));
    return { ...windowJson(w), CreatedDate: epoch(w.createdAt), ModifiedDate: epoch(w.modifiedAt) };
  },

  DescribeMaintenanceWindows(_core: SimCore, state: AccountState, input: JsonInput) {
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 100;
    let windows = state.fleet.windows;
    for (const f of input.keyValues('Filters')) {
      if (f.key === 'Name') windows = windows.filter((w) => f.values.includes(w.name));
      else if (f.key === 'Enabled') windows = windows.filter((w) => f.values.includes(String(w.enabled)));
      else throw new SimAwsError('ValidationException', `Filter key ${f.key} is not valid.`);
    }
    const p = page('DescribeMaintenanceWindows', windows, input.str('NextToken'), size);
    return { WindowIdentities: p.items.map(windowJson), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  UpdateMaintenanceWindow(core: SimCore, state: AccountState, input: JsonInput) {
    const w = findWindow(state, input.need('WindowId', { pattern: WINDOW_ID }));
    const replace = input.bool('Replace') ?? false;
    const wasEnabled = w.enabled;
    const opt = <T>(value: T | undefined, current: T | undefined): T | undefined => (value !== undefined ? value : replace ? undefined : current);
    if (replace) {
      for (const required of ['Name', 'Schedule', 'Duration', 'Cutoff', 'AllowUnassociatedTargets']) {
        if (input.raw[required] === undefined) throw new SimAwsError('ValidationException', `${required} is required when Replace is true.`);
      }
    }
    w.name = input.str('Name', { max: 128 }) ?? w.name;
    w.description = opt(input.str('Description', { max: 128 }), w.description);
    w.startDate = opt(input.str('StartDate'), w.startDate);
    w.endDate = opt(input.str('EndDate'), w.endDate);
    w.schedule = input.str('Schedule') ?? w.schedule;
    w.scheduleTimezone = opt(input.str('ScheduleTimezone'), w.scheduleTimezone);
    w.scheduleOffset = opt(input.int('ScheduleOffset', { min: 1, max: 6 }), w.scheduleOffset);
    w.duration = input.int('Duration', { min: 1, max: 24 }) ?? w.duration;
    w.cutoff = input.int('Cutoff', { min: 0, max: 23 }) ?? w.cutoff;
    w.allowUnassociatedTargets = input.bool('AllowUnassociatedTargets') ?? w.allowUnassociatedTargets;
    w.enabled = input.bool('Enabled') ?? (replace ? true : w.enabled);
    for (const d of [w.startDate, w.endDate]) {
      if (d !== undefined && Number.isNaN(Date.parse(d))) throw new SimAwsError('ValidationException', `Date ${d} is not a valid ISO-8601 date.`);
    }
    w.modifiedAt = core.scheduler.now();
    if (w.enabled !== wasEnabled) {
      core.deliveries.emitEvent(windowStateEvent(state.scope, core.rng.uuid(), w.windowId, w.enabled, w.modifiedAt));
    }
    return windowJson(w);
  },

  DescribeMaintenanceWindowTasks(_core: SimCore, state: AccountState, input: JsonInput) {
    const w = findWindow(state, input.need('WindowId', { pattern: WINDOW_ID }));
    return {
      Tasks: w.tasks.map((t) => ({
        WindowId: w.windowId,
        WindowTaskId: t.windowTaskId,
        TaskArn: t.taskArn,
        Type: t.taskType,
        Targets: t.windowTargetIds.length > 0 ? [{ Key: 'WindowTargetIds', Values: t.windowTargetIds }] : [],
        Priority: t.priority,
        Name: t.name,
        ...(t.maxConcurrency ? { MaxConcurrency: t.maxConcurrency } : {}),
        ...(t.maxErrors ? { MaxErrors: t.maxErrors } : {}),
        ...(t.serviceRoleArn ? { ServiceRoleArn: t.serviceRoleArn } : {}),
      })),
    };
  },

  DescribeMaintenanceWindowTargets(_core: SimCore, state: AccountState, input: JsonInput) {
    const w = findWindow(state, input.need('WindowId', { pattern: WINDOW_ID }));
    return {
      Targets: w.targets.map((t) => ({
        WindowId: w.windowId,
        WindowTargetId: t.windowTargetId,
        ResourceType: 'INSTANCE',
        Targets: t.targets.map((x) => ({ Key: x.key, Values: x.values })),
        ...(t.ownerInformation ? { OwnerInformation: t.ownerInformation } : {}),
      })),
    };
  },

  GetMaintenanceWindowExecution(_core: SimCore, state: AccountState, input: JsonInput) {
    const e = getExecution(state, input.need('WindowExecutionId', { pattern: EXECUTION_ID }));
    const { WindowId: _omitted, ...summary } = executionSummary(e);
    return { ...summary, TaskIds: e.tasks.map((t) => t.taskExecutionId) };
  },

  DescribeMaintenanceWindowExecutions(_core: SimCore, state: AccountState, input: JsonInput) {
    const windowId = input.need('WindowId', { pattern: WINDOW_ID });
    findWindow(state, windowId);
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 100;
    let list = [...state.windowExecutions.values()].filter((e) => e.windowId === windowId).sort((a, b) => b.startAt - a.startAt);
    for (const f of input.keyValues('Filters')) {
      const t = Date.parse(f.values[0] ?? '');
      if (f.key === 'ExecutedBefore') list = list.filter((e) => e.startAt < t);
      else if (f.key === 'ExecutedAfter') list = list.filter((e) => e.startAt > t);
    }
    const p = page(`DescribeMaintenanceWindowExecutions:${windowId}`, list, input.str('NextToken'), size);
    return { WindowExecutions: p.items.map(executionSummary), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  DescribeMaintenanceWindowExecutionTasks(_core: SimCore, state: AccountState, input: JsonInput) {
    const e = getExecution(state, input.need('WindowExecutionId', { pattern: EXECUTION_ID }));
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 100;
    const p = page(`DescribeMaintenanceWindowExecutionTasks:${e.windowExecutionId}`, e.tasks, input.str('NextToken'), size);
    return {
      WindowExecutionTaskIdentities: p.items.map((t) => ({
        WindowExecutionId: e.windowExecutionId,
        TaskExecutionId: t.taskExecutionId,
        Status: t.status,
        ...(t.statusDetails ? { StatusDetails: t.statusDetails } : {}),
        ...(t.startAt === undefined ? {} : { StartTime: epoch(t.startAt) }),
        ...(t.endAt === undefined ? {} : { EndTime: epoch(t.endAt) }),
        TaskArn: t.taskArn,
        TaskType: t.taskType,
      })),
      ...(p.nextToken ? { NextToken: p.nextToken } : {}),
    };
  },

  DescribeMaintenanceWindowExecutionTaskInvocations(_core: SimCore, state: AccountState, input: JsonInput) {
    const e = getExecution(state, input.need('WindowExecutionId', { pattern: EXECUTION_ID }));
    const taskId = input.need('TaskId', { pattern: EXECUTION_ID });
    const task = e.tasks.find((t) => t.taskExecutionId === taskId);
    if (!task) throw new SimAwsError('DoesNotExistException', `Task execution ${taskId} does not exist`);
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 100;
    const p = page(`DescribeMaintenanceWindowExecutionTaskInvocations:${taskId}`, task.invocations, input.str('NextToken'), size);
    return {
      WindowExecutionTaskInvocationIdentities: p.items.map((i) => ({
        WindowExecutionId: e.windowExecutionId,
        TaskExecutionId: task.taskExecutionId,
        InvocationId: i.invocationId,
        ...(i.executionId ? { ExecutionId: i.executionId } : {}),
        TaskType: i.taskType,
        Parameters: i.parameters,
        Status: i.status,
        ...(i.statusDetails ? { StatusDetails: i.statusDetails } : {}),
        ...(i.startAt === undefined ? {} : { StartTime: epoch(i.startAt) }),
        ...(i.endAt === undefined ? {} : { EndTime: epoch(i.endAt) }),
        ...(i.ownerInformation ? { OwnerInformation: i.ownerInformation } : {}),
        ...(i.windowTargetId ? { WindowTargetId: i.windowTargetId } : {}),
      })),
      ...(p.nextToken ? { NextToken: p.nextToken } : {}),
    };
  },

  CancelMaintenanceWindowExecution(core: SimCore, state: AccountState, input: JsonInput) {
    const e = getExecution(state, input.need('WindowExecutionId', { pattern: EXECUTION_ID }));
    cancelExecution(core, state, e);
    return { WindowExecutionId: e.windowExecutionId };
  },

  GetCalendarState(core: SimCore, _state: AccountState, input: JsonInput) {
    const names = input.strList('CalendarNames', { min: 1 });
    if (!names) throw new SimAwsError('ValidationException', 'CalendarNames is required.');
    const atRaw = input.str('AtTime');
    const at = atRaw === undefined ? core.scheduler.now() : Date.parse(atRaw);
    if (Number.isNaN(at)) throw new SimAwsError('InvalidDocumentType', `AtTime ${atRaw} is not a valid ISO-8601 time.`);
    return calendarState(core, names, at);
  },
} as const;
