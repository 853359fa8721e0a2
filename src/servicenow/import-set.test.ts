import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/index.js';
import { rejectionOf } from '../core/testing.js';
import { createServiceNowSimHarness, type ServiceNowSim, type ServiceNowSimHarness, type ServiceNowSimOptions } from '../sim/servicenow/index.js';
import { isServiceNowError, type ServiceNowClient, type ServiceNowError } from './index.js';
import { SteppingClock } from './testing.js';

/** Import Set API results as a real instance returns them (issue 14, point 2). */

const harnesses: ServiceNowSimHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function setup(options: ServiceNowSimOptions = {}): Promise<{ sim: ServiceNowSim; sn: ServiceNowClient }> {
  const harness = await createServiceNowSimHarness({ sim: options, clock: new SteppingClock() });
  harnesses.push(harness);
  return { sim: harness.sim, sn: harness.client };
}

const row = { correlation_id: 'pb:acct:us-east-1:exec-1', correlation_display: 'patchbridge', short_description: 'Patch failure' };

describe('single-row import results', () => {
  it('when the staging table transforms asynchronously, then importRow fails with non-retryable IMPORT_NOT_TRANSFORMED naming the import set mode, and never returns the staging row', async () => {
    // Prepare
    const { sim, sn } = await setup({ importSetMode: 'asynchronous' });
    // Act
    const error = await rejectionOf(sn.importRow('x_pbridge_failure_import', row));
    // Assess
    expect(isServiceNowError(error, 'IMPORT_NOT_TRANSFORMED')).toBe(true);
    const e = error as ServiceNowError;
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/import set mode is asynchronous/i);
    const staging = sim.state.records('sys_import_set_row')[0];
    expect(e.rows[0]).toMatchObject({ table: 'x_pbridge_failure_import', sys_id: staging?.['sys_id'] });
  });

  it.each(['ignored', 'skipped'] as const)('when the transform map answers %s, then importRow fails with IMPORT_NOT_TRANSFORMED naming the transform map', async (outcome) => {
    // Prepare
    const { sn } = await setup({ transformOutcome: outcome });
    // Act
    const error = await rejectionOf(sn.importRow('x_pbridge_failure_import', row));
    // Assess
    expect(isServiceNowError(error, 'IMPORT_NOT_TRANSFORMED')).toBe(true);
    expect((error as ServiceNowError).retryable).toBe(false);
    expect((error as ServiceNowError).message).toMatch(/transform map/i);
    expect((error as ServiceNowError).message).toContain(outcome);
  });
});

describe('insertMultiple results', () => {
  it('when insertMultiple answers only the import set ids (the platform default), then the outcome of every row is read from sys_import_set_row', async () => {
    // Prepare
    const { sim, sn } = await setup();
    // Act
    const result = await sn.importRows('x_pbridge_failure_import', [row, { ...row, correlation_id: 'pb:2' }]);
    // Assess
    const answer = sim.requests.find((r) => r.key === 'POST /api/now/import/x_pbridge_failure_import/insertMultiple');
    expect(answer?.status).toBe(201);
    expect(result.rows.map((r) => [r.status, r.table])).toEqual([
      ['inserted', 'incident'],
      ['inserted', 'incident'],
    ]);
    const incidents = sim.state.records('incident');
    expect(result.rows.map((r) => r.sys_id).sort()).toEqual(incidents.map((i) => i['sys_id']).sort());
    expect(sim.calls('GET /api/now/table/sys_import_set_row')).toBeGreaterThan(0);
  });

  it('when the asynchronous transform has not run yet, then the rows are reported unknown rather than guessed', async () => {
    // Prepare: the simulator's clock never moves, so its scheduled transform never runs.
    const { sn } = await setup({ clock: new ManualClock('2026-05-01T12:00:00Z'), asyncTransformDelayMs: 60_000 });
    // Act
    const result = await sn.importRows('x_pbridge_failure_import', [row]);
    // Assess
    expect(result.rows.map((r) => r.status)).toEqual(['unknown']);
    expect(result.rows[0]?.sys_id).toBe('');
  });
});
