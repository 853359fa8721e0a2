import { afterEach, describe, expect, it } from 'vitest';
import { AwsError, type AwsPorts, type MaintenanceWindows, type PatchExecution } from '../../aws/index.js';
import { loadConfig } from '../../config/index.js';
import { ManualClock, silentLogger } from '../../core/index.js';
import type { WindowExecutionEvent } from '../../domain/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import { createSqliteStore, type StateStore } from '../../store/index.js';
import { createChangeFlows } from './compose.js';

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function unused(name: string) {
  return () => Promise.reject(new Error(`${name} should not be called`));
}

function setup(guardOnEvents: boolean, cancelFailures = 0) {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const cancelled: string[] = [];
  const windows: MaintenanceWindows = {
    get: unused('get'),
    list: unused('list'),
    setEnabled: unused('setEnabled'),
    getExecution: unused('getExecution'),
    listExecutions: unused('listExecutions'),
    executionTasks: unused('executionTasks'),
    taskInvocations: unused('taskInvocations'),
    cancelExecution: async (_ctx, id) => {
      if (cancelFailures-- > 0) throw new AwsError('THROTTLED', 'Rate exceeded', { operation: 'SSM.CancelMaintenanceWindowExecution' });
      cancelled.push(id);
    },
    calendarState: unused('calendarState'),
  };
  const patchExecution: PatchExecution = {
    startPatchRun: unused('startPatchRun'),
    sendPatchCommand: unused('sendPatchCommand'),
    getRunStatus: unused('getRunStatus'),
    cancelRun: unused('cancelRun'),
  };
  const flows = createChangeFlows(
    {
      config: loadConfig({ PATCHBRIDGE_STORE: 'sqlite::memory:' }),
      logger: silentLogger(),
      clock,
      store,
      aws: { patchExecution, windows, inventory: {} as AwsPorts['inventory'] },
      servicenow: {} as ServiceNowClient,
    },
    { guardOnEvents },
  );
  return { flows, cancelled, store, clock };
}

function windowEvent(status: string, phase: WindowExecutionEvent['phase']): WindowExecutionEvent {
  return {
    kind: 'window-execution',
    source: 'eventbridge',
    accountId: '111122223333',
    region: 'eu-west-1',
    time: '2026-03-01T10:00:00Z',
    status,
    phase,
    windowId: 'mw-0123456789abcdef0',
    windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000',
  };
}

describe('createChangeFlows().recordEvent', () => {
  it('when guarding on events, then an ungated window execution that starts is cancelled once, however often it is reported', async () => {
    const { flows, cancelled } = setup(true);
    await flows.recordEvent(windowEvent('PENDING', 'pending'));
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));
    expect(cancelled).toEqual(['14bea65d-5ccc-462d-a2f3-e99c80000000']);
  });

  it('when not guarding on events (AWS, where the guard Lambda runs), then a start event cancels nothing', async () => {
    const { flows, cancelled } = setup(false);
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));
    expect(cancelled).toEqual([]);
  });

  it('when an execution finishes under no gate, then nothing is noted and nothing cancelled', async () => {
    const { flows, cancelled, store } = setup(true);
    await flows.recordEvent(windowEvent('SUCCESS', 'succeeded'));
    expect(cancelled).toEqual([]);
    expect(await store.outboxDepth()).toBe(0);
  });

  it('when the guard fails (a throttled cancel), then the event fails retryably and its redelivery guards again', async () => {
    // Prepare
    const { flows, cancelled } = setup(true, 1);

    // Act
    const first = flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));
    await expect(first).rejects.toMatchObject({ code: 'AWS_UNAVAILABLE', retryable: true });
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));

    // Assess
    expect(cancelled).toEqual(['14bea65d-5ccc-462d-a2f3-e99c80000000']);
  });

  it('when another delivery is guarding the same execution, then this one fails retryably instead of skipping the guard', async () => {
    // Prepare
    const { flows, cancelled, store } = setup(true);
    await store.claim('guard-lease:14bea65d-5ccc-462d-a2f3-e99c80000000', 'event-guard:other', 300);

    // Act
    const outcome = flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'GUARD_IN_PROGRESS', retryable: true });
    expect(cancelled).toEqual([]);
  });

  it('when a guard attempt died mid-way (its claims left behind), then a redelivery after the lease guards the execution', async () => {
    // Prepare
    const { flows, cancelled, store, clock } = setup(true);
    await store.claim('guard-lease:14bea65d-5ccc-462d-a2f3-e99c80000000', 'event-guard:dead', 300);
    await store.claim('guard:14bea65d-5ccc-462d-a2f3-e99c80000000', 'event-guard:dead', 300);
    await clock.advance(301_000);

    // Act
    await flows.recordEvent(windowEvent('IN_PROGRESS', 'running'));

    // Assess
    expect(cancelled).toEqual(['14bea65d-5ccc-462d-a2f3-e99c80000000']);
  });
});
