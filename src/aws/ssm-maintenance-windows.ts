import {
  CancelMaintenanceWindowExecutionCommand,
  GetCalendarStateCommand,
  GetMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  type MaintenanceWindowFilter,
  paginateDescribeMaintenanceWindowExecutions,
  paginateDescribeMaintenanceWindowExecutionTaskInvocations,
  paginateDescribeMaintenanceWindowExecutionTasks,
  paginateDescribeMaintenanceWindows,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import type { Logger } from '../core/index.js';
import { awsCall, collectPages } from './call.js';
import type { AwsClients } from './client-factory.js';
import { defined, toMaintenanceWindow, toTaskInvocation, toWindowTask } from './map-ssm.js';
import type {
  AwsContext,
  CalendarState,
  MaintenanceWindow,
  MaintenanceWindows,
  WindowExecution,
  WindowExecutionStatus,
} from './ports.js';

export interface MaintenanceWindowsOptions {
  readonly clients: AwsClients;
  readonly logger: Logger;
}

/** Builds the `MaintenanceWindows` port over SSM Maintenance Windows and Change Calendar. */
export function createMaintenanceWindows(options: MaintenanceWindowsOptions): MaintenanceWindows {
  const { clients, logger } = options;

  const get = async (ctx: AwsContext, windowId: string): Promise<MaintenanceWindow> => {
    const out = await awsCall(ctx, 'SSM.GetMaintenanceWindow', () =>
      clients.ssm(ctx).send(new GetMaintenanceWindowCommand({ WindowId: windowId })),
    );
    return toMaintenanceWindow(out);
  };

  const list = async (ctx: AwsContext, filter: { name?: string; enabled?: boolean } = {}) => {
    const filters: MaintenanceWindowFilter[] = [];
    if (filter.name !== undefined) filters.push({ Key: 'Name', Values: [filter.name] });
    if (filter.enabled !== undefined) filters.push({ Key: 'Enabled', Values: [String(filter.enabled)] });
    const windows = await collectPages(
      ctx,
      'SSM.DescribeMaintenanceWindows',
      () =>
        paginateDescribeMaintenanceWindows(
          { client: clients.ssm(ctx), pageSize: 100 },
          { Filters: filters.length > 0 ? filters : undefined },
        ),
      (page) => page.WindowIdentities,
    );
    return windows.map(toMaintenanceWindow);
  };

  const setEnabled = async (
    ctx: AwsContext,
    windowId: string,
    enabled: boolean,
    opts: { startDate?: string | null; endDate?: string | null } = {},
  ) => {
    const clears = opts.startDate === null || opts.endDate === null;
    let request: ConstructorParameters<typeof UpdateMaintenanceWindowCommand>[0];
    if (clears) {
      // SSM only unsets an optional field through `Replace: true`, which also unsets
      // every field not sent: so the whole window is re-sent, minus the cleared dates.
      const current = await get(ctx, windowId);
      request = {
        WindowId: windowId,
        Replace: true,
        Name: current.name,
        Description: current.description,
        Schedule: current.schedule,
        ScheduleTimezone: current.scheduleTimezone,
        ScheduleOffset: current.scheduleOffset,
        Duration: current.durationHours,
        Cutoff: current.cutoffHours,
        AllowUnassociatedTargets: current.allowUnassociatedTargets ?? false,
        Enabled: enabled,
        StartDate: opts.startDate === null ? undefined : (opts.startDate ?? current.startDate),
        EndDate: opts.endDate === null ? undefined : (opts.endDate ?? current.endDate),
      };
    } else {
      request = { WindowId: windowId, Enabled: enabled, StartDate: opts.startDate ?? undefined, EndDate: opts.endDate ?? undefined };
    }
    await awsCall(ctx, 'SSM.UpdateMaintenanceWindow', () => clients.ssm(ctx).send(new UpdateMaintenanceWindowCommand(request)));
    logger.info({ accountId: ctx.accountId, region: ctx.region, windowId, enabled }, 'maintenance window updated');
    return get(ctx, windowId);
  };

  const getExecution = async (ctx: AwsContext, windowExecutionId: string): Promise<WindowExecution> => {
    const out = await awsCall(ctx, 'SSM.GetMaintenanceWindowExecution', () =>
      clients.ssm(ctx).send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: windowExecutionId })),
    );
    return defined({
      windowExecutionId: out.WindowExecutionId ?? windowExecutionId,
      // GetMaintenanceWindowExecution does not return the window id; callers use listExecutions for that.
      windowId: '',
      status: (out.Status ?? 'PENDING') as WindowExecutionStatus,
      statusDetails: out.StatusDetails,
      startedAt: out.StartTime,
      endedAt: out.EndTime,
      taskIds: out.TaskIds ?? [],
    });
  };

  const listExecutions = async (ctx: AwsContext, windowId: string): Promise<WindowExecution[]> => {
    const executions = await collectPages(
      ctx,
      'SSM.DescribeMaintenanceWindowExecutions',
      () => paginateDescribeMaintenanceWindowExecutions({ client: clients.ssm(ctx), pageSize: 100 }, { WindowId: windowId }),
      (page) => page.WindowExecutions,
    );
    return executions
      .map((e) =>
        defined<WindowExecution>({
          windowExecutionId: e.WindowExecutionId ?? '',
          windowId: e.WindowId ?? windowId,
          status: (e.Status ?? 'PENDING') as WindowExecutionStatus,
          statusDetails: e.StatusDetails,
          startedAt: e.StartTime,
          endedAt: e.EndTime,
          taskIds: [],
        }),
      )
      .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0));
  };

  const executionTasks = async (ctx: AwsContext, windowExecutionId: string) => {
    const tasks = await collectPages(
      ctx,
      'SSM.DescribeMaintenanceWindowExecutionTasks',
      () =>
        paginateDescribeMaintenanceWindowExecutionTasks(
          { client: clients.ssm(ctx), pageSize: 100 },
          { WindowExecutionId: windowExecutionId },
        ),
      (page) => page.WindowExecutionTaskIdentities,
    );
    return tasks.map(toWindowTask);
  };

  const taskInvocations = async (ctx: AwsContext, windowExecutionId: string, taskExecutionId?: string) => {
    const taskIds =
      taskExecutionId !== undefined
        ? [taskExecutionId]
        : (await executionTasks(ctx, windowExecutionId)).map((t) => t.taskExecutionId);
    const out = [];
    for (const taskId of taskIds) {
      const invocations = await collectPages(
        ctx,
        'SSM.DescribeMaintenanceWindowExecutionTaskInvocations',
        () =>
          paginateDescribeMaintenanceWindowExecutionTaskInvocations(
            { client: clients.ssm(ctx), pageSize: 100 },
            { WindowExecutionId: windowExecutionId, TaskId: taskId },
          ),
        (page) => page.WindowExecutionTaskInvocationIdentities,
      );
      out.push(...invocations.map(toTaskInvocation));
    }
    return out;
  };

  const cancelExecution = async (ctx: AwsContext, windowExecutionId: string) => {
    await awsCall(ctx, 'SSM.CancelMaintenanceWindowExecution', () =>
      clients.ssm(ctx).send(new CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: windowExecutionId })),
    );
    logger.info({ accountId: ctx.accountId, region: ctx.region, windowExecutionId }, 'maintenance window execution cancelled');
  };

  const calendarState = async (ctx: AwsContext, calendarNames: readonly string[], atTime?: Date): Promise<CalendarState> => {
    const out = await awsCall(ctx, 'SSM.GetCalendarState', () =>
      clients.ssm(ctx).send(new GetCalendarStateCommand({ CalendarNames: [...calendarNames], AtTime: atTime?.toISOString() })),
    );
    return defined({
      state: out.State === 'OPEN' ? 'OPEN' : 'CLOSED',
      atTime: out.AtTime ?? atTime?.toISOString() ?? '',
      nextTransitionTime: out.NextTransitionTime || undefined,
    });
  };

  return { get, list, setEnabled, getExecution, listExecutions, executionTasks, taskInvocations, cancelExecution, calendarState };
}
