import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceNowClient } from '../../servicenow/index.js';
import { createServiceNowSimHarness, type ServiceNowSim } from '../../sim/servicenow/index.js';
import type { OutboxItem, PatchRunRecord } from '../../store/index.js';
import type { OutboxHandler } from '../outbox/index.js';
import { type IncidentToRaise, incidentSysId, patchRunRecordSysId, SERVICENOW_WRITE_KINDS, serviceNowWriteHandlers } from './servicenow-writes.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const INCIDENT: IncidentToRaise = {
  correlationId: 'pbguard:111122223333:eu-west-1:14bea65d-5ccc-462d-a2f3-e99c80000000',
  shortDescription: 'Maintenance window mw-0123456789abcdef0 cancelled: ServiceNow unreachable to confirm CHG0012345',
  description: 'patchbridge cancelled the execution.',
  accountId: '111122223333',
  region: 'eu-west-1',
  executionId: '14bea65d-5ccc-462d-a2f3-e99c80000000',
  changeNumber: 'CHG0012345',
  workNote: 'Still cancelled.',
};

function item(payload: IncidentToRaise): OutboxItem {
  const at = '2026-03-01T10:00:00.000Z';
  return { id: `${SERVICENOW_WRITE_KINDS.incident}:${payload.correlationId}`, kind: SERVICENOW_WRITE_KINDS.incident, payload, attempts: 0, nextAttemptAt: at, createdAt: at };
}

/** The Table-API incident handler against the ServiceNow simulator; `wrap` may stand between the handler and the real client. */
async function setup(wrap: (client: ServiceNowClient, sn: ServiceNowSim) => ServiceNowClient = (c) => c) {
  const harness = await createServiceNowSimHarness({ sim: { seed: 3 } });
  closers.push(() => harness.close());
  const { sim: sn, client } = harness;
  const handlers = serviceNowWriteHandlers({ store: { getPatchRun: async () => undefined, updatePatchRun: () => Promise.reject(new Error('unused')) }, servicenow: wrap(client, sn), mode: 'table' });
  const handler = handlers.find((h) => h.kind === SERVICENOW_WRITE_KINDS.incident) as OutboxHandler;
  const incidents = () => sn.state.records('incident').filter((r) => r['correlation_id'] === INCIDENT.correlationId);
  return { sn, handler, incidents };
}

describe('pb.incident through the Table API', () => {
  it('when two deliveries of the same incident both find none open, then one incident exists and the second delivery notes it', async () => {
    // Prepare: both lookups answer before either delivery creates (a lease that expired mid-batch). ServiceNow
    // refuses a second row with the same sys_id (the simulator would overwrite it), so the wrapper refuses too.
    let arrived = 0;
    let release: () => void = () => {};
    const bothLooked = new Promise<void>((r) => {
      release = r;
    });
    const { sn, handler, incidents } = await setup((client, sim) => ({
      ...client,
      findActiveIncidentByCorrelationId: async (id) => {
        const found = await client.findActiveIncidentByCorrelationId(id);
        if (++arrived === 2) release();
        await bothLooked;
        return found;
      },
      createRecord: async (table, values, fields) => {
        if (typeof values['sys_id'] === 'string' && sim.state.get(table, values['sys_id'])) throw new Error('Unique Key violation detected by database');
        return client.createRecord(table, values, fields);
      },
    }));

    // Act
    const outcomes = await Promise.all([handler.handle([item(INCIDENT)]), handler.handle([item(INCIDENT)])]);

    // Assess
    expect(outcomes.map((o) => o.size)).toEqual([0, 0]);
    expect(incidents()).toHaveLength(1);
    expect(incidents()[0]?.['sys_id']).toBe(incidentSysId(INCIDENT.correlationId));
    expect(sn.state.journal('incident', incidentSysId(INCIDENT.correlationId)).map((j) => j.value)).toEqual([INCIDENT.workNote, INCIDENT.workNote]);
  });

  it('when a redelivery comes after the incident was closed, then no second incident is created and the note goes on the first', async () => {
    // Prepare
    const { sn, handler, incidents } = await setup();
    await handler.handle([item(INCIDENT)]);
    const first = incidents()[0];
    sn.state.update('incident', String(first?.['sys_id']), { state: '7' });
    const notesBefore = sn.state.journal('incident', String(first?.['sys_id'])).length;

    // Act
    const outcome = await handler.handle([item(INCIDENT)]);

    // Assess
    expect(outcome.size).toBe(0);
    expect(incidents()).toHaveLength(1);
    expect(sn.state.journal('incident', String(first?.['sys_id'])).length).toBe(notesBefore + 1);
  });
});

describe('pb.patch-run-record', () => {
  const RUN: PatchRunRecord = {
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    changeNumber: 'CHG0030001',
    changeSysId: 'c'.repeat(32),
    requestedItem: 'RITM0010001',
    accountId: '111122223333',
    region: 'eu-west-1',
    clientToken: 't',
    request: { targets: { patchGroups: ['web'] } },
    status: 'InProgress',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
  };

  async function patchRunSetup(run: PatchRunRecord = RUN) {
    const harness = await createServiceNowSimHarness({ sim: { seed: 3 } });
    closers.push(() => harness.close());
    let stored = run;
    const handlers = serviceNowWriteHandlers({
      store: { getPatchRun: async () => stored, updatePatchRun: async (_id, patch) => { stored = { ...stored, ...patch }; return stored; } },
      servicenow: harness.client,
      mode: 'table',
    });
    const handler = handlers.find((h) => h.kind === SERVICENOW_WRITE_KINDS.patchRunRecord) as OutboxHandler;
    const at = '2026-03-01T10:00:00.000Z';
    const deliver = () => handler.handle([{ id: `pb.patch-run-record:${run.id}`, kind: SERVICENOW_WRITE_KINDS.patchRunRecord, payload: { runId: run.id }, attempts: 0, nextAttemptAt: at, createdAt: at }]);
    return { sn: harness.sim, deliver };
  }

  it('when a run names a requested item, then the record references it by sys_id, not by number', async () => {
    // Prepare
    const { sn, deliver } = await patchRunSetup();
    const ritm = sn.seed.requestedItem();
    // Act
    const outcome = await deliver();
    // Assess
    expect(outcome.size).toBe(0);
    expect(ritm['number']).toBe('RITM0010001');
    expect(sn.state.records('x_pbridge_patch_run')[0]?.['requested_item']).toBe(ritm['sys_id']);
  });

  it('when two deliveries of one patch run race past the existence check, then the second updates the record the first created', async () => {
    // Prepare: the first lookup misses the record another delivery has just created.
    const harness = await createServiceNowSimHarness({ sim: { seed: 3 } });
    closers.push(() => harness.close());
    const { requestedItem: _none, ...withoutItem } = RUN;
    let stored: PatchRunRecord = withoutItem;
    let misses = 1;
    const servicenow = Object.assign(Object.create(harness.client) as ServiceNowClient, {
      getRecord: async (...args: Parameters<ServiceNowClient['getRecord']>) => (misses-- > 0 ? undefined : harness.client.getRecord(...args)),
    });
    const handlers = serviceNowWriteHandlers({
      store: { getPatchRun: async () => stored, updatePatchRun: async (_id, patch) => { stored = { ...stored, ...patch }; return stored; } },
      servicenow,
      mode: 'table',
    });
    const handler = handlers.find((h) => h.kind === SERVICENOW_WRITE_KINDS.patchRunRecord) as OutboxHandler;
    const sysId = patchRunRecordSysId(RUN.id);
    harness.sim.seed.record('x_pbridge_patch_run', { sys_id: sysId, run_id: RUN.id, status: 'Pending' });
    const at = '2026-03-01T10:00:00.000Z';
    // Act
    const outcome = await handler.handle([{ id: `pb.patch-run-record:${RUN.id}`, kind: SERVICENOW_WRITE_KINDS.patchRunRecord, payload: { runId: RUN.id }, attempts: 0, nextAttemptAt: at, createdAt: at }]);
    // Assess
    expect(outcome.size).toBe(0);
    const records = harness.sim.state.records('x_pbridge_patch_run');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ sys_id: sysId, status: 'InProgress' });
    expect(harness.sim.calls('POST /api/now/table/x_pbridge_patch_run')).toBe(1);
  });
});
