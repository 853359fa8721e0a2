import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { createServiceNowSim, SIM_DEFAULTS, type ServiceNowSim, type ServiceNowSimOptions } from './index.js';

/** Behaviours of a real instance that patchbridge's promises depend on (issue 14). */

const BASIC = `Basic ${Buffer.from(`${SIM_DEFAULTS.userName}:${SIM_DEFAULTS.password}`).toString('base64')}`;

function sim(options: ServiceNowSimOptions = {}): ServiceNowSim {
  return createServiceNowSim({ clock: new ManualClock('2026-05-01T12:00:00Z'), ...options });
}

const patch = (s: ServiceNowSim, path: string, body: object) => request(s.app).patch(path).set('Authorization', BASIC).send(body);
const post = (s: ServiceNowSim, path: string, body: object) => request(s.app).post(path).set('Authorization', BASIC).send(body);
const get = (s: ServiceNowSim, path: string) => request(s.app).get(path).set('Authorization', BASIC);

describe('incident lifecycle', () => {
  it.each([
    { state: '6', name: 'Resolved', active: 'true' },
    { state: '7', name: 'Closed', active: 'false' },
    { state: '8', name: 'Cancelled', active: 'false' },
  ])('when an incident becomes $name, then active is $active (a resolved incident stays active until it is closed)', async ({ state, active }) => {
    // Prepare
    const s = sim();
    const incident = s.seed.incident();
    // Act
    const res = await patch(s, `/api/now/table/incident/${incident['sys_id']}`, { state, close_code: 'Solution provided', close_notes: 'fixed' });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ state, active });
  });

  it.each([
    { state: '6', body: {}, missing: ['Resolution code', 'Resolution notes'] },
    { state: '7', body: { close_code: 'Solution provided' }, missing: ['Resolution notes'] },
    { state: '6', body: { close_notes: 'fixed' }, missing: ['Resolution code'] },
  ])('when an incident is set to state $state without $missing through the Table API, then the data policy refuses the write (403) and nothing changes', async ({ state, body, missing }) => {
    // Prepare
    const s = sim();
    const incident = s.seed.incident();
    // Act
    const res = await patch(s, `/api/now/table/incident/${incident['sys_id']}`, { state, ...body, work_notes: 'resolving' });
    const created = await post(s, '/api/now/table/incident', { state, ...body });
    // Assess
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('Operation Failed');
    for (const label of missing) expect(res.body.error.detail).toContain(`${label} is mandatory`);
    expect(created.status).toBe(403);
    expect(s.state.get('incident', incident['sys_id'] ?? '')?.['state']).toBe('1');
    expect(s.state.journal('incident', incident['sys_id'] ?? '')).toEqual([]);
  });
});

describe('reference fields and display values', () => {
  it('when a reference field is written with a name, then the Table API stores it as given unless sysparm_input_display_value=true', async () => {
    // Prepare
    const s = sim();
    const group = s.seed.group({ name: 'Cloud Ops' });
    // Act
    const raw = await post(s, '/api/now/table/incident', { assignment_group: 'Cloud Ops' });
    const resolved = await post(s, '/api/now/table/incident?sysparm_input_display_value=true', { assignment_group: 'Cloud Ops' });
    const bySysId = await post(s, '/api/now/table/incident', { assignment_group: group['sys_id'] });
    // Assess
    expect(s.state.get('incident', raw.body.result.sys_id)?.['assignment_group']).toBe('Cloud Ops');
    expect(s.state.get('incident', resolved.body.result.sys_id)?.['assignment_group']).toBe(group['sys_id']);
    expect(s.state.get('incident', bySysId.body.result.sys_id)?.['assignment_group']).toBe(group['sys_id']);
  });

  it('when sysparm_display_value is true or all, then references read as names and date-times move into the user time zone', async () => {
    // Prepare: the integration user works in New York (UTC-4 in May).
    const s = sim();
    const user = s.state.findByDisplay('sys_user', SIM_DEFAULTS.userName);
    s.state.update('sys_user', user?.['sys_id'] ?? '', { time_zone: 'America/New_York' });
    const group = s.seed.group({ name: 'Cloud Ops' });
    const incident = s.seed.incident({ assignment_group: group['sys_id'] });
    const path = `/api/now/table/incident/${incident['sys_id']}?sysparm_fields=assignment_group,sys_created_on&sysparm_exclude_reference_link=true`;
    // Act
    const plain = await get(s, path);
    const display = await get(s, `${path}&sysparm_display_value=true`);
    const all = await get(s, `${path}&sysparm_display_value=all`);
    // Assess
    expect(plain.body.result).toEqual({ assignment_group: group['sys_id'], sys_created_on: '2026-05-01 12:00:00' });
    expect(display.body.result).toEqual({ assignment_group: 'Cloud Ops', sys_created_on: '2026-05-01 08:00:00' });
    expect(all.body.result).toEqual({
      assignment_group: { value: group['sys_id'], display_value: 'Cloud Ops' },
      sys_created_on: { value: '2026-05-01 12:00:00', display_value: '2026-05-01 08:00:00' },
    });
  });
});

describe('created records', () => {
  it('when a POST supplies the sys_id of an existing record, then the insert fails with 403 Operation Failed and the record is unchanged', async () => {
    // Prepare
    const s = sim();
    const existing = s.seed.incident({ short_description: 'original' });
    // Act
    const res = await post(s, '/api/now/table/incident', { sys_id: existing['sys_id'], short_description: 'replacement' });
    // Assess
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ message: 'Operation Failed', detail: expect.stringContaining('Error during insert of incident') });
    expect(s.state.get('incident', existing['sys_id'] ?? '')).toMatchObject({ short_description: 'original', number: existing['number'] });
    expect(s.state.records('incident')).toHaveLength(1);
  });
});

describe('smaller truths', () => {
  it('when a value is longer than its column, then the instance stores it truncated to the column length', async () => {
    // Prepare
    const s = sim();
    // Act
    const res = await post(s, '/api/now/table/incident', { short_description: 'x'.repeat(200), correlation_id: 'c'.repeat(120), description: 'd'.repeat(4100) });
    // Assess
    const stored = s.state.get('incident', res.body.result.sys_id);
    expect([stored?.['short_description']?.length, stored?.['correlation_id']?.length, stored?.['description']?.length]).toEqual([160, 100, 4000]);
  });

  it('when a file is attached to a record that does not exist, then 404', async () => {
    // Prepare
    const s = sim();
    // Act
    const res = await request(s.app)
      .post(`/api/now/attachment/file?table_name=sc_req_item&table_sys_id=${'a'.repeat(32)}&file_name=r.csv`)
      .set('Authorization', BASIC)
      .set('Content-Type', 'text/csv')
      .send('a,b\n');
    // Assess
    expect(res.status).toBe(404);
  });
});

describe('the strict query check (a test instrument)', () => {
  it.each([
    ["correlation_id=x' OR 1=1 --", 'a quote and spaces'],
    ['correlation_id=pb:1^NQactive=true', 'a new-query term'],
    ['number=CHG0000001^ORnumber=<script>', 'markup'],
    ['object_idINi-0123456789abcdef0,i-0\u0007', 'a control character in an IN list'],
    ['name=[code]x[/code]', 'a [code] tag in a name'],
  ])('when a query carries %s (%s), then the simulator records a violation', async (query) => {
    // Prepare
    const s = sim();
    // Act
    await get(s, `/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}`);
    // Assess
    expect(s.queryViolations.map((v) => v.query)).toEqual([query]);
  });

  it('when queries use keys, names from configuration and ordering only, then nothing is recorded', async () => {
    // Prepare
    const s = sim();
    // Act
    for (const query of [
      'correlation_id=pb:111122223333:eu-west-1:0a1b:3f2a^active=true',
      'object_idINi-0123456789abcdef0,mi-0123456789abcdef0^install_status!=7^ORDERBYDESCsys_updated_on',
      'name=Cloud Operations^active=true',
      'approval=not requested',
      'assignment_groupISEMPTY',
    ]) {
      await get(s, `/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}`);
    }
    // Assess
    expect(s.queryViolations).toEqual([]);
  });
});
