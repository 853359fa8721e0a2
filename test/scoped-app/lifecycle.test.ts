import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../src/core/testing.js';
import { REOPEN_NOTE_PREFIX } from '../../src/domain/index.js';
import { type FailureImportRow, isServiceNowError, type ServiceNowError } from '../../src/servicenow/index.js';
import { createServiceNowSimHarness, type ServiceNowSimHarness } from '../../src/sim/servicenow/index.js';

// The incident lifecycle of the scoped app's transform map, through the real
// client (Import Set API over HTTP) against the simulator, which runs the app's
// own transform module and coalesce fields.

const harnesses: ServiceNowSimHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function setup() {
  const h = await createServiceNowSimHarness();
  harnesses.push(h);
  h.sim.seed.group({ name: 'Cloud Operations' });
  const incidents = (key: string) => h.sim.state.records('incident').filter((r) => r['correlation_id'] === key);
  const notes = (sysId: string) => h.sim.state.journal('incident', sysId).map((j) => j.value);
  return { ...h, incidents, notes };
}

const row = (extra: Partial<FailureImportRow> = {}): FailureImportRow => ({
  correlation_id: 'pb:123456789012:us-east-1:exec-1:web',
  correlation_display: 'patchbridge',
  short_description: 'Patching failed on 2 instances of web',
  assignment_group: 'Cloud Operations',
  impact: '2',
  urgency: '2',
  work_note: 'i-0123456789abcdef0 and i-0123456789abcdef1 failed',
  ...extra,
});
const KEY = row().correlation_id;

describe('the failure import lifecycle, through the client against the simulator', () => {
  it('when the key has an open incident, then the row updates it and opens nothing new', async () => {
    // Prepare
    const { client, incidents, notes } = await setup();
    const first = await client.importRow('x_pbridge_failure_import', row());

    // Act
    const second = await client.importRow('x_pbridge_failure_import', row({ short_description: 'Patching failed on 3 instances of web', work_note: 'one more' }));

    // Assess
    expect(first.status).toBe('inserted');
    expect(second).toMatchObject({ status: 'updated', sys_id: first.sys_id, display_value: first.display_value });
    expect(incidents(KEY)).toHaveLength(1);
    expect(incidents(KEY)[0]).toMatchObject({ short_description: 'Patching failed on 3 instances of web', active: 'true' });
    expect(notes(first.sys_id)).toHaveLength(2);
  });

  it('when the key has a Resolved incident, then the row reopens it with a note saying why', async () => {
    // Prepare
    const { client, incidents, notes } = await setup();
    const first = await client.importRow('x_pbridge_failure_import', row());
    await client.patchRecord('incident', first.sys_id, { state: 6, close_code: 'Solution provided', close_notes: 'patched' }, ['state']);

    // Act
    const again = await client.importRow('x_pbridge_failure_import', row({ work_note: 'failed again' }));

    // Assess
    expect(again).toMatchObject({ status: 'updated', sys_id: first.sys_id });
    expect(incidents(KEY)).toHaveLength(1);
    expect(incidents(KEY)[0]).toMatchObject({ state: '2', active: 'true', reopen_count: '1' });
    expect(notes(first.sys_id).at(-1)).toBe(`${REOPEN_NOTE_PREFIX}\nfailed again`);
  });

  it.each([
    { name: 'Closed', state: 7 },
    { name: 'Cancelled', state: 8 },
  ])('when the key has only a $name incident, then the row opens a new incident and leaves the old one alone', async ({ state }) => {
    // Prepare
    const { client, incidents, sim } = await setup();
    const first = await client.importRow('x_pbridge_failure_import', row());
    await client.patchRecord('incident', first.sys_id, { state, close_code: 'Solution provided', close_notes: 'done' }, ['state']);
    const closed = sim.state.get('incident', first.sys_id);

    // Act
    const next = await client.importRow('x_pbridge_failure_import', row({ work_note: 'failed again' }));

    // Assess
    expect(next.status).toBe('inserted');
    expect(next.sys_id).not.toBe(first.sys_id);
    expect(incidents(KEY)).toHaveLength(2);
    expect(sim.state.get('incident', first.sys_id)).toEqual(closed);
  });

  it.each([
    { name: 'empty', key: '' },
    { name: 'blank', key: '   ' },
  ])('when the key is $name, then the row is refused and no incident is opened or touched', async ({ key }) => {
    // Prepare
    const { client, sim } = await setup();
    await client.importRow('x_pbridge_failure_import', row());
    const before = sim.state.records('incident');

    // Act
    const error = await rejectionOf(client.importRow('x_pbridge_failure_import', row({ correlation_id: key })));

    // Assess
    expect(isServiceNowError(error, 'IMPORT_ROW_ERROR')).toBe(true);
    expect((error as ServiceNowError).rows[0]).toMatchObject({ status: 'error', error_message: expect.stringContaining('correlation_id') });
    expect(sim.state.records('incident')).toEqual(before);
  });
});
