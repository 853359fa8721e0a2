import { afterEach, describe, expect, it } from 'vitest';
import { type AwsSimHarness, createAwsSimHarness, GUARD_FUNCTION } from '../sim/aws/index.js';

let h: AwsSimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const fleet = { size: 24, seed: 41, patchGroups: ['web-prod', 'db-prod'], staleRate: 0, offlineRate: 0, failureRate: 0 };

describe('MaintenanceWindows over the simulator', () => {
  it('when windows are listed and one is read, then schedule, duration and the disabled gate come back', async () => {
    h = await createAwsSimHarness({ sim: { fleet } });

    const windows = await h.ports.windows.list(h.ctx);
    const one = await h.ports.windows.get(h.ctx, windows[0]!.windowId);
    const disabledOnly = await h.ports.windows.list(h.ctx, { enabled: false });

    expect(windows.map((w) => w.name)).toEqual(['patch-web-prod', 'patch-db-prod']);
    expect(one).toMatchObject({ enabled: false, durationHours: 4, cutoffHours: 1, schedule: expect.stringMatching(/^cron\(/) });
    expect(one.createdAt).toBeInstanceOf(Date);
    expect(disabledOnly).toHaveLength(2);
  });

  it('when a window is enabled with an end date and later disabled clearing it, then SSM reflects both and emits state-change events', async () => {
    h = await createAwsSimHarness({ sim: { fleet } });
    const { windowId } = h.sim.fleet.windows[0]!;

    const enabled = await h.ports.windows.setEnabled(h.ctx, windowId, true, { startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-02T06:00:00Z' });
    const disabled = await h.ports.windows.setEnabled(h.ctx, windowId, false, { endDate: null });
    await h.sim.settle();

    expect(enabled).toMatchObject({ enabled: true, endDate: '2026-03-02T06:00:00Z', startDate: '2026-03-01T00:00:00Z' });
    expect(disabled.enabled).toBe(false);
    expect(disabled.endDate).toBeUndefined();
    expect(disabled.startDate).toBe('2026-03-01T00:00:00Z');
    expect(disabled.schedule).toBe(enabled.schedule);
    const states = h.sim.sinks.events.filter((e) => e['detail-type'] === 'Maintenance Window State-change Notification');
    expect(states.map((e) => e.detail['status'])).toEqual(['ENABLED', 'DISABLED']);
  });

  it('when a disabled window comes due, then nothing runs', async () => {
    h = await createAwsSimHarness({ sim: { fleet } });

    const id = h.sim.runMaintenanceWindow(h.sim.fleet.windows[0]!.windowId);

    expect(id).toBeUndefined();
    expect(h.sim.state().windowExecutions.size).toBe(0);
  });

  it('when an enabled window runs, then its tasks run in priority order and each target gets a task invocation', async () => {
    const order: string[] = [];
    h = await createAwsSimHarness({ sim: { fleet, lambdas: { [GUARD_FUNCTION]: () => void order.push('guard') } } });
    const window = h.sim.fleet.windows[0]!;
    await h.ports.windows.setEnabled(h.ctx, window.windowId, true);
    const members = h.sim.fleet.instances.filter((i) => i.tags['Patch Group'] === 'web-prod');

    const executionId = h.sim.runMaintenanceWindow(window.windowId)!;
    await h.sim.settle();
    const execution = await h.ports.windows.getExecution(h.ctx, executionId);
    const tasks = await h.ports.windows.executionTasks(h.ctx, executionId);
    const invocations = await h.ports.windows.taskInvocations(h.ctx, executionId);
    const history = await h.ports.windows.listExecutions(h.ctx, window.windowId);

    expect(order).toEqual(['guard']);
    expect(execution).toMatchObject({ status: 'SUCCESS', taskIds: tasks.map((t) => t.taskExecutionId) });
    expect(tasks.map((t) => t.taskType)).toEqual(['LAMBDA', 'RUN_COMMAND']);
    expect(tasks[0]!.endedAt!.getTime()).toBeLessThanOrEqual(tasks[1]!.startedAt!.getTime());
    const runCommand = invocations.filter((i) => i.taskType === 'RUN_COMMAND');
    expect(runCommand).toHaveLength(members.length);
    expect(runCommand.every((i) => i.status === 'SUCCESS' && i.executionId && i.ownerInformation === 'web-prod')).toBe(true);
    expect(history.map((e) => e.windowExecutionId)).toEqual([executionId]);
    expect(history[0]?.windowId).toBe(window.windowId);
  });

  it('when the guard cancels the execution, then the patch task never starts and the execution ends CANCELLED', async () => {
    let harness: AwsSimHarness | undefined;
    h = await createAwsSimHarness({
      sim: {
        fleet,
        lambdas: {
          [GUARD_FUNCTION]: async (event) => {
            await harness!.ports.windows.cancelExecution({ accountId: event.accountId, region: event.region }, event.windowExecutionId);
          },
        },
      },
    });
    harness = h;
    const window = h.sim.fleet.windows[1]!;
    await h.ports.windows.setEnabled(h.ctx, window.windowId, true);

    const executionId = h.sim.runMaintenanceWindow(window.windowId)!;
    await h.sim.settle();
    const execution = await h.ports.windows.getExecution(h.ctx, executionId);
    const tasks = await h.ports.windows.executionTasks(h.ctx, executionId);

    expect(execution.status).toBe('CANCELLED');
    expect(tasks.map((t) => t.taskType)).toEqual(['LAMBDA']);
    expect(h.sim.count('SendCommand')).toBe(0);
    expect(h.sim.state().commands.size).toBe(0);
    const finalEvent = h.sim.sinks.events.filter((e) => e['detail-type'] === 'Maintenance Window Execution State-change Notification').pop();
    expect(finalEvent?.detail).toMatchObject({ 'window-execution-id': executionId, status: 'CANCELLED' });
  });

  it('when a change calendar is closed at a time, then calendarState says CLOSED with the next transition', async () => {
    h = await createAwsSimHarness({
      sim: {
        fleet,
        calendars: { 'freeze-calendar': { defaultState: 'OPEN', events: [{ start: '2026-12-20T00:00:00Z', end: '2027-01-03T00:00:00Z' }] } },
      },
    });

    const inside = await h.ports.windows.calendarState(h.ctx, ['freeze-calendar'], new Date('2026-12-25T12:00:00Z'));
    const before = await h.ports.windows.calendarState(h.ctx, ['freeze-calendar'], new Date('2026-12-01T00:00:00Z'));

    expect(inside).toEqual({ state: 'CLOSED', atTime: '2026-12-25T12:00:00Z', nextTransitionTime: '2027-01-03T00:00:00Z' });
    expect(before).toMatchObject({ state: 'OPEN', nextTransitionTime: '2026-12-20T00:00:00Z' });
  });

  it.each([
    ['an unknown window', (x: AwsSimHarness) => x.ports.windows.get(x.ctx, 'mw-0123456789abcdef0'), 'DoesNotExistException'],
    ['an unknown execution', (x: AwsSimHarness) => x.ports.windows.getExecution(x.ctx, '00000000-0000-4000-8000-000000000000'), 'DoesNotExistException'],
    ['an unknown calendar', (x: AwsSimHarness) => x.ports.windows.calendarState(x.ctx, ['nope']), 'InvalidDocument'],
  ])('when reading %s, then NOT_FOUND keeps the AWS error name', async (_label, call, awsName) => {
    h = await createAwsSimHarness({ sim: { fleet } });

    const err = await call(h).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'NOT_FOUND', awsErrorName: awsName });
  });
});
