import { describe, expect, it } from 'vitest';
import { AwsError, type MaintenanceWindows } from '../../aws/index.js';
import { ManualClock, silentLogger, ValidationError } from '../../core/index.js';
import { approvedChange } from '../../servicenow/testing.js';
import { type GateAuthorisation, StoreError } from '../../store/index.js';
import { createChangeGates } from './change-gates.js';
import { ChangeFlowError } from './errors.js';
import type { IncidentToRaise, ServiceNowWrites } from './servicenow-writes.js';
import type { ChangeReader } from './verify-change.js';

type Change = NonNullable<Awaited<ReturnType<ChangeReader['getChangeRequest']>>>;

const T0 = new Date('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;
const INPUT = { windowId: 'mw-0123456789abcdef0', windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000', accountId: '111122223333', region: 'eu-west-1' };
const GATE: GateAuthorisation = {
  windowId: INPUT.windowId,
  accountId: INPUT.accountId,
  region: INPUT.region,
  changeNumber: 'CHG0012345',
  changeSysId: 'a'.repeat(32),
  start: new Date(T0.getTime() - HOUR).toISOString(),
  end: new Date(T0.getTime() + 3 * HOUR).toISOString(),
  revoked: false,
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
};

function change(values: Partial<Change> = {}): Change {
  return approvedChange({ sys_id: GATE.changeSysId, number: GATE.changeNumber, start_date: new Date(GATE.start), end_date: new Date(GATE.end), ...values });
}

function unused(name: string) {
  return () => Promise.reject(new Error(`${name} should not be called`));
}

interface Faults {
  getGate?: () => Promise<GateAuthorisation | undefined>;
  putGate?: () => Promise<void>;
  changeNote?: () => Promise<void>;
  raiseIncident?: () => Promise<void>;
  setEnabled?: () => Promise<void>;
  cancelExecution?: () => Promise<void>;
  getChangeRequest?: () => Promise<Change | undefined>;
}

/** The guard over fakes at its ports; `faults` replaces a port call with one that fails. */
function setup(faults: Faults = {}) {
  const cancelled: string[] = [];
  const disabled: string[] = [];
  const puts: GateAuthorisation[] = [];
  const notes: { key: string; text: string }[] = [];
  const incidents: IncidentToRaise[] = [];
  const windows: MaintenanceWindows = {
    get: unused('get'),
    list: unused('list'),
    setEnabled: async (_ctx, windowId, enabled) => {
      if (faults.setEnabled) await faults.setEnabled();
      else if (!enabled) disabled.push(windowId);
      return { windowId, name: 'patch-web-prod', enabled, schedule: 'cron(0 2 ? * SUN *)', durationHours: 3, cutoffHours: 1 };
    },
    getExecution: unused('getExecution'),
    listExecutions: unused('listExecutions'),
    executionTasks: unused('executionTasks'),
    taskInvocations: unused('taskInvocations'),
    cancelExecution: faults.cancelExecution ?? (async (_ctx, id) => void cancelled.push(id)),
    calendarState: unused('calendarState'),
  };
  const writes: ServiceNowWrites = {
    syncPatchRun: unused('syncPatchRun'),
    changeNote: faults.changeNote ?? (async (_sysId, text, key) => void notes.push({ key, text })),
    raiseIncident: faults.raiseIncident ?? (async (i) => void incidents.push(i)),
    suggestCloseCode: unused('suggestCloseCode'),
  };
  const gates = createChangeGates({
    store: {
      getGate: faults.getGate ?? (async () => GATE),
      putGate: faults.putGate ?? (async (g) => void puts.push(g)),
      listGates: unused('listGates'),
    },
    windows,
    servicenow: { getChangeRequest: faults.getChangeRequest ?? (async () => change()) },
    writes,
    clock: new ManualClock(T0),
    logger: silentLogger(),
  });
  return { gates, cancelled, disabled, puts, notes, incidents };
}

const throttled = () => Promise.reject(new StoreError('UNAVAILABLE', 'ProvisionedThroughputExceededException'));
const badPayload = () => Promise.reject(new Error('zod: outbox payload has the wrong shape'));

describe('guard: a change that no longer qualifies', () => {
  it.each([
    ['the store cannot record the revocation', { putGate: throttled }],
    ['the change note cannot be queued', { changeNote: badPayload }],
    ['the window cannot be disabled', { setEnabled: () => Promise.reject(new AwsError('THROTTLED', 'Rate exceeded')) }],
  ])('when %s, then the execution is still cancelled and the guard does not throw', async (_what, faults: Faults) => {
    // Prepare
    const { gates, cancelled } = setup({ ...faults, getChangeRequest: async () => change({ approval: 'rejected' }) });

    // Act
    const decision = await gates.guard(INPUT);

    // Assess
    expect(cancelled).toEqual([INPUT.windowExecutionId]);
    expect(decision).toMatchObject({ action: 'cancel', changeRequest: GATE.changeNumber });
    expect(decision.reason).toMatch(/not approved/);
  });

  it('when putGate throws, then the window is still disabled and both notes are still queued', async () => {
    // Prepare
    const { gates, cancelled, disabled, notes } = setup({ putGate: throttled, getChangeRequest: async () => change({ state: 4 }) });

    // Act
    await gates.guard(INPUT);

    // Assess
    expect(cancelled).toEqual([INPUT.windowExecutionId]);
    expect(disabled).toEqual([INPUT.windowId]);
    expect(notes.map((n) => n.key)).toEqual([`guard:${INPUT.windowExecutionId}`, `gate-revoked:${GATE.windowId}:${GATE.changeNumber}:${GATE.createdAt}`]);
    expect(notes[1]?.text).toMatch(/recording the revocation failed/);
  });

  it('when everything works, then it cancels before it revokes, disables and notes', async () => {
    // Prepare
    const order: string[] = [];
    const { gates } = setup({
      getChangeRequest: async () => change({ approval: 'rejected' }),
      cancelExecution: async () => void order.push('cancel'),
      setEnabled: async () => void order.push('disable'),
      putGate: async () => void order.push('revoke'),
      changeNote: async (..._args: unknown[]) => void order.push('note'),
    });

    // Act
    await gates.guard(INPUT);

    // Assess
    expect(order[0]).toBe('cancel');
    expect(order.slice(1).sort()).toEqual(['disable', 'note', 'note', 'revoke']);
  });
});

describe('guard: fail closed on anything unexpected', () => {
  it.each([
    ['ServiceNow rejects the stored change number', { getChangeRequest: () => Promise.reject(new ValidationError('VALIDATION_FAILED', 'bad change number')) }],
    ['the change read throws something odd', { getChangeRequest: () => Promise.reject(new TypeError('cannot read properties of undefined')) }],
    ['the gate store is down', { getGate: throttled }],
  ])('when %s, then the execution is cancelled', async (_what, faults: Faults) => {
    // Prepare
    const { gates, cancelled } = setup(faults);

    // Act
    const decision = await gates.guard(INPUT);

    // Assess
    expect(decision.action).toBe('cancel');
    expect(cancelled).toEqual([INPUT.windowExecutionId]);
  });

  it('when ServiceNow is unreachable and the incident cannot be queued, then the execution is cancelled and the guard does not throw', async () => {
    // Prepare
    const { gates, cancelled } = setup({
      getChangeRequest: () => Promise.reject(new Error('ECONNREFUSED')),
      raiseIncident: throttled,
      changeNote: throttled,
    });

    // Act
    const decision = await gates.guard(INPUT);

    // Assess
    expect(decision).toMatchObject({ action: 'cancel', reason: expect.stringMatching(/fail closed/) });
    expect(cancelled).toEqual([INPUT.windowExecutionId]);
  });

  it('when the cancellation itself fails, then the guard throws (the only case it does) and tries no second cancel', async () => {
    // Prepare
    let attempts = 0;
    const { gates } = setup({
      getChangeRequest: async () => change({ approval: 'rejected' }),
      cancelExecution: () => {
        attempts++;
        return Promise.reject(new AwsError('THROTTLED', 'Rate exceeded'));
      },
    });

    // Act
    const outcome = gates.guard(INPUT);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ChangeFlowError);
    await expect(outcome).rejects.toMatchObject({ code: 'AWS_UNAVAILABLE', retryable: true });
    expect(attempts).toBe(1);
  });

  it('when the change is confirmed but its note cannot be queued, then the execution is allowed', async () => {
    // Prepare
    const { gates, cancelled } = setup({ changeNote: throttled });

    // Act
    const decision = await gates.guard(INPUT);

    // Assess
    expect(decision).toMatchObject({ action: 'allow', changeRequest: GATE.changeNumber });
    expect(cancelled).toEqual([]);
  });
});
