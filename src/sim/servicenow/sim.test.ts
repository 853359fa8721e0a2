import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { SteppingClock } from '../../servicenow/testing.js';
import { REOPEN_NOTE_PREFIX } from '../../domain/index.js';
import { createServiceNowSim, runServiceNowSimCli, SIM_DEFAULTS, type ServiceNowSim, type ServiceNowSimOptions } from './index.js';

const BASIC = `Basic ${Buffer.from(`${SIM_DEFAULTS.userName}:${SIM_DEFAULTS.password}`).toString('base64')}`;
const SYS_ID = /^[0-9a-f]{32}$/;
const SN_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function sim(options: ServiceNowSimOptions = {}): ServiceNowSim {
  return createServiceNowSim({ clock: new ManualClock('2026-05-01T12:00:00Z'), ...options });
}

const get = (s: ServiceNowSim, path: string) => request(s.app).get(path).set('Authorization', BASIC);
const post = (s: ServiceNowSim, path: string, body: object) => request(s.app).post(path).set('Authorization', BASIC).send(body);

describe('Table API envelopes and records', () => {
  it.each([
    { table: 'incident', number: 'INC0010001' },
    { table: 'change_request', number: 'CHG0030001' },
    { table: 'sc_req_item', number: 'RITM0010001' },
  ])('when a $table is created, then 201 {result} with number $number, a 32-hex sys_id and UTC timestamps', async ({ table, number }) => {
    // Prepare
    const s = sim();

    // Act
    const res = await post(s, `/api/now/table/${table}`, { short_description: 'x' });

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({ number, short_description: 'x', sys_created_on: '2026-05-01 12:00:00', active: 'true' });
    expect(res.body.result.sys_id).toMatch(SYS_ID);
    expect(res.headers['location']).toContain(`/api/now/table/${table}/${res.body.result.sys_id}`);
  });

  it('when a record is patched later, then sys_updated_on moves with the clock and sys_mod_count increments', async () => {
    // Prepare
    const clock = new ManualClock('2026-05-01T12:00:00Z');
    const s = sim({ clock });
    const created = s.seed.incident();
    await clock.advance(90_000);

    // Act
    const res = await request(s.app)
      .patch(`/api/now/table/incident/${created['sys_id']}`)
      .set('Authorization', BASIC)
      .send({ state: '2', unknown_field: 'ignored' });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ state: '2', active: 'true', sys_updated_on: '2026-05-01 12:01:30', sys_mod_count: '1' });
    expect(res.body.result).not.toHaveProperty('unknown_field');
  });

  it.each([
    { name: 'a missing record', path: `/api/now/table/incident/${'a'.repeat(32)}`, status: 404, message: 'No Record found' },
    { name: 'an unknown table', path: '/api/now/table/u_nope', status: 400, message: 'Invalid table u_nope' },
  ])('when GET hits $name, then $status with the error envelope', async ({ path, status, message }) => {
    // Act
    const res = await get(sim(), path);

    // Assess
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { message }, status: 'failure' });
    expect(res.body.error).toHaveProperty('detail');
  });

  it('when the body is not JSON, then 400 with the envelope', async () => {
    // Act
    const res = await request(sim().app)
      .post('/api/now/table/incident')
      .set('Authorization', BASIC)
      .set('Content-Type', 'application/json')
      .send('{not json');

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Exception while reading request');
  });

  it('when sysparm_fields is given, then only those known fields return; references are links unless excluded', async () => {
    // Prepare
    const s = sim();
    const group = s.seed.group({ name: 'Cloud Ops' });
    s.seed.incident({ assignment_group: 'Cloud Ops' });

    // Act
    const linked = await get(s, '/api/now/table/incident?sysparm_fields=number,assignment_group,not_a_field');
    const bare = await get(s, '/api/now/table/incident?sysparm_fields=number,assignment_group&sysparm_exclude_reference_link=true');

    // Assess
    expect(linked.body.result[0]).toEqual({
      number: 'INC0010001',
      assignment_group: { link: expect.stringContaining(`/api/now/table/sys_user_group/${group['sys_id']}`), value: group['sys_id'] },
    });
    expect(bare.body.result[0]).toEqual({ number: 'INC0010001', assignment_group: group['sys_id'] });
  });

  it('when work notes are written, then they append to sys_journal_field and read back as empty on the record', async () => {
    // Prepare
    const s = sim();
    const inc = s.seed.incident();
    const path = `/api/now/table/incident/${inc['sys_id']}`;

    // Act
    await request(s.app).patch(path).set('Authorization', BASIC).send({ work_notes: 'one' });
    await request(s.app).patch(path).set('Authorization', BASIC).send({ work_notes: 'two' });
    const record = await get(s, `${path}?sysparm_fields=work_notes`);
    const journal = await get(
      s,
      `/api/now/table/sys_journal_field?sysparm_query=element_id=${inc['sys_id']}^element=work_notes^ORDERBYsys_created_on&sysparm_fields=value,name`,
    );

    // Assess
    expect(record.body.result).toEqual({ work_notes: '' });
    expect(journal.body.result).toEqual([
      { value: 'one', name: 'incident' },
      { value: 'two', name: 'incident' },
    ]);
  });

  it('when two simulators run in one process, then their state and numbering are independent', async () => {
    // Prepare
    const a = sim();
    const b = sim();

    // Act
    a.seed.incident();
    const second = b.seed.incident();

    // Assess
    expect(second['number']).toBe('INC0010001');
    expect(a.state.records('incident')).toHaveLength(1);
    expect(b.state.records('incident')).toHaveLength(1);
  });

  it('when two simulators share a seed, then they generate the same sys_ids', () => {
    // Act
    const a = sim({ seed: 42 }).seed.incident();
    const b = sim({ seed: 42 }).seed.incident();
    const c = sim({ seed: 43 }).seed.incident();

    // Assess
    expect(a['sys_id']).toBe(b['sys_id']);
    expect(a['sys_id']).not.toBe(c['sys_id']);
  });
});

describe('pagination headers', () => {
  it('when a page is in the middle, then Link has first, prev, next and last, and X-Total-Count the full count', async () => {
    // Prepare
    const s = sim();
    for (let i = 0; i < 25; i++) s.seed.incident();

    // Act
    const res = await get(s, '/api/now/table/incident?sysparm_limit=10&sysparm_offset=10&sysparm_fields=number');

    // Assess
    expect(res.headers['x-total-count']).toBe('25');
    const links = Object.fromEntries(
      [...String(res.headers['link']).matchAll(/<([^>]+)>;rel="(\w+)"/g)].map((m) => [m[2], new URL(m[1] ?? '').searchParams.get('sysparm_offset')]),
    );
    expect(links).toEqual({ first: '0', prev: '0', next: '20', last: '20' });
    expect(res.body.result.map((r: { number: string }) => r.number)).toEqual(
      Array.from({ length: 10 }, (_, i) => `INC${String(10011 + i).padStart(7, '0')}`),
    );
  });

  it('when the last page is served, then Link has no next', async () => {
    // Prepare
    const s = sim();
    for (let i = 0; i < 5; i++) s.seed.incident();

    // Act
    const res = await get(s, '/api/now/table/incident?sysparm_limit=5&sysparm_offset=0');

    // Assess
    expect(String(res.headers['link'])).not.toContain('rel="next"');
  });
});

describe('encoded-query semantics', () => {
  function seeded(): ServiceNowSim {
    const s = sim();
    s.seed.changeRequest({ short_description: 'alpha', state: 'scheduled', approval: 'approved' }); // CHG0030001
    s.seed.changeRequest({ short_description: 'beta', state: 'implement', approval: 'requested' }); // CHG0030002
    s.seed.changeRequest({ short_description: 'Gamma', state: 'new', approval: 'not requested', assignment_group: '' }); // CHG0030003
    s.seed.changeRequest({ short_description: '', state: 'closed', approval: 'approved' }); // CHG0030004
    return s;
  }

  it.each([
    { query: 'number=CHG0030002', expected: ['CHG0030002'] },
    { query: 'approval!=approved', expected: ['CHG0030002', 'CHG0030003'] },
    { query: 'numberINCHG0030001,CHG0030003', expected: ['CHG0030001', 'CHG0030003'] },
    { query: 'numberNOT INCHG0030001,CHG0030003', expected: ['CHG0030002', 'CHG0030004'] },
    { query: 'short_descriptionSTARTSWITHgam', expected: ['CHG0030003'] },
    { query: 'short_descriptionLIKEET', expected: ['CHG0030002'] },
    { query: 'short_descriptionISEMPTY', expected: ['CHG0030004'] },
    { query: 'short_descriptionISNOTEMPTY', expected: ['CHG0030001', 'CHG0030002', 'CHG0030003'] },
    { query: 'approval=approved^active=true', expected: ['CHG0030001'] },
    { query: 'state=-2^ORstate=-1', expected: ['CHG0030001', 'CHG0030002'] },
    { query: 'active=true^state=-2^ORstate=-5', expected: ['CHG0030001', 'CHG0030003'] },
    { query: 'ORDERBYDESCnumber', expected: ['CHG0030004', 'CHG0030003', 'CHG0030002', 'CHG0030001'] },
    { query: 'approval=approved^ORDERBYshort_description', expected: ['CHG0030004', 'CHG0030001'] },
    { query: 'nmber=CHG0030001', expected: ['CHG0030001', 'CHG0030002', 'CHG0030003', 'CHG0030004'] },
    { query: 'nmber=CHG0030001^state=-1', expected: ['CHG0030002'] },
  ])('when sysparm_query is "$query", then $expected', async ({ query, expected }) => {
    // Act
    const res = await get(seeded(), `/api/now/table/change_request?sysparm_fields=number&sysparm_query=${encodeURIComponent(query)}`);

    // Assess
    expect(res.body.result.map((r: { number: string }) => r.number)).toEqual(expected);
  });
});

describe('authentication', () => {
  it('when client credentials are posted, then a bearer token with expires_in works until it expires', async () => {
    // Prepare
    const clock = new ManualClock('2026-05-01T12:00:00Z');
    const s = sim({ clock, tokenTtlSeconds: 60 });

    // Act
    const token = await request(s.app)
      .post('/oauth_token.do')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: SIM_DEFAULTS.clientId, client_secret: SIM_DEFAULTS.clientSecret });
    const auth = `Bearer ${token.body.access_token}`;
    const fresh = await request(s.app).get('/api/now/table/sys_user').set('Authorization', auth);
    await clock.advance(60_000);
    const expired = await request(s.app).get('/api/now/table/sys_user').set('Authorization', auth);

    // Assess
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 60, scope: 'useraccount' });
    expect(fresh.status).toBe(200);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' });
  });

  it.each([
    { name: 'a wrong client secret', body: { grant_type: 'client_credentials', client_id: SIM_DEFAULTS.clientId, client_secret: 'nope' } },
    { name: 'an unknown client', body: { grant_type: 'client_credentials', client_id: 'x', client_secret: SIM_DEFAULTS.clientSecret } },
    { name: 'another grant type', body: { grant_type: 'password', client_id: SIM_DEFAULTS.clientId, client_secret: SIM_DEFAULTS.clientSecret } },
  ])('when the token request has $name, then 401 access_denied', async ({ body }) => {
    // Act
    const res = await request(sim().app).post('/oauth_token.do').type('form').send(body);

    // Assess
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error_description: 'access_denied', error: 'server_error' });
  });

  it.each([
    { name: 'no credentials', header: undefined },
    { name: 'a wrong password', header: `Basic ${Buffer.from(`${SIM_DEFAULTS.userName}:wrong`).toString('base64')}` },
    { name: 'an unknown token', header: 'Bearer abc' },
  ])('when a REST call has $name, then 401 with the envelope', async ({ header }) => {
    // Act
    const req = request(sim().app).get('/api/now/table/incident');
    const res = await (header ? req.set('Authorization', header) : req);

    // Assess
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('User Not Authenticated');
  });

  it.each([
    { name: 'read a scoped table without x_pbridge.integration', method: 'get', path: '/api/now/table/x_pbridge_window', message: 'User Not Authorized' },
    { name: 'create an incident without itil', method: 'post', path: '/api/now/table/incident', message: 'Operation Failed' },
    { name: 'import without the import roles', method: 'post', path: '/api/now/import/x_pbridge_failure_import', message: 'Operation Failed' },
  ])('when a user tries to $name, then 403', async ({ method, path, message }) => {
    // Prepare
    const s = sim({ users: [{ userName: 'viewer', password: 'pw', roles: ['cmdb_read'] }] });
    const auth = `Basic ${Buffer.from('viewer:pw').toString('base64')}`;

    // Act
    const res = await (method === 'get' ? request(s.app).get(path) : request(s.app).post(path).send({ correlation_id: 'x' })).set(
      'Authorization',
      auth,
    );

    // Assess
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(message);
  });

  it('when REST access is role-restricted, then a user without snc_platform_rest_api_access gets 403', async () => {
    // Prepare
    const s = sim({ requireRestApiAccessRole: true, users: [{ userName: 'u', password: 'p', roles: ['itil'] }] });

    // Act
    const res = await request(s.app).get('/api/now/table/incident').set('Authorization', `Basic ${Buffer.from('u:p').toString('base64')}`);

    // Assess
    expect(res.status).toBe(403);
  });
});

describe('Import Set API (scoped app transform map)', () => {
  const path = '/api/now/import/x_pbridge_failure_import';
  const row = { correlation_id: 'pb:1', correlation_display: 'patchbridge', short_description: 'Patch failure', assignment_group: 'Cloud Ops' };

  it('when a row is inserted, then the documented response shape comes back', async () => {
    // Prepare
    const s = sim();
    const group = s.seed.group({ name: 'Cloud Ops' });

    // Act
    const res = await post(s, path, row);

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      import_set: 'ISET0010001',
      staging_table: 'x_pbridge_failure_import',
      result: [
        {
          transform_map: expect.any(String),
          table: 'incident',
          display_name: 'number',
          display_value: 'INC0010001',
          record_link: expect.stringMatching(/\/api\/now\/table\/incident\/[0-9a-f]{32}$/),
          status: 'inserted',
          sys_id: expect.stringMatching(SYS_ID),
        },
      ],
    });
    expect(s.state.records('incident')[0]).toMatchObject({ correlation_id: 'pb:1', assignment_group: group['sys_id'] });
  });

  it('when the same correlation id arrives while the incident is active, then it is updated, not duplicated', async () => {
    // Prepare
    const s = sim();
    s.seed.group({ name: 'Cloud Ops' });
    const first = await post(s, path, row);

    // Act
    const second = await post(s, path, { ...row, short_description: 'Patch failure (3 instances)' });

    // Assess
    expect(second.body.result[0]).toMatchObject({ status: 'updated', sys_id: first.body.result[0].sys_id, display_value: 'INC0010001' });
    expect(s.state.records('incident')).toHaveLength(1);
    expect(s.state.records('incident')[0]?.['short_description']).toBe('Patch failure (3 instances)');
  });

  it('when the matching incident is resolved, then the transform reopens it with a note', async () => {
    // Prepare
    const s = sim();
    s.seed.group({ name: 'Cloud Ops' });
    const resolved = s.seed.incident({ correlation_id: 'pb:1', state: '6' });

    // Act
    const res = await post(s, path, row);

    // Assess
    expect(res.body.result[0]).toMatchObject({ status: 'updated', display_value: 'INC0010001' });
    expect(s.state.get('incident', resolved['sys_id'] ?? '')).toMatchObject({ state: '2', active: 'true' });
    expect(s.state.journal('incident', resolved['sys_id'] ?? '')[0]?.value).toMatch(/reopened/);
  });

  it.each(['7', '8'])('when the matching incident is closed or cancelled (state %s), then coalescing skips it and inserts a new one', async (state) => {
    // Prepare
    const s = sim();
    s.seed.group({ name: 'Cloud Ops' });
    s.seed.incident({ correlation_id: 'pb:1', state });

    // Act
    const res = await post(s, path, row);

    // Assess
    expect(res.body.result[0]).toMatchObject({ status: 'inserted', display_value: 'INC0010002' });
  });

  it('when the matching incident is Resolved, then the reopen counts and the note leads with why, then the row note', async () => {
    // Prepare
    const s = sim();
    s.seed.group({ name: 'Cloud Ops' });
    const resolved = s.seed.incident({ correlation_id: 'pb:1', state: '6' });

    // Act
    const res = await post(s, path, { ...row, work_note: 'two more instances failed' });

    // Assess
    expect(res.body.result[0]).toMatchObject({ status: 'updated', sys_id: resolved['sys_id'] });
    expect(s.state.get('incident', resolved['sys_id'] ?? '')).toMatchObject({ state: '2', active: 'true', reopen_count: '1' });
    const notes = s.state.journal('incident', resolved['sys_id'] ?? '').map((j) => j.value);
    expect(notes).toEqual([`${REOPEN_NOTE_PREFIX}\ntwo more instances failed`]);
  });

  it('when the row names an unknown assignment group, then the incident is still created, with no group', async () => {
    // Prepare
    const s = sim();

    // Act
    const res = await post(s, path, { ...row, assignment_group: 'Nobody' });

    // Assess
    expect(res.body.result[0]).toMatchObject({ status: 'inserted' });
    expect(s.state.records('incident')[0]).toMatchObject({ correlation_id: 'pb:1', assignment_group: '' });
  });

  it.each([
    { name: 'no correlation id', body: { short_description: 'x' } },
    { name: 'a correlation id with a query separator', body: { ...row, correlation_id: 'pb^active=true' } },
    { name: 'an impact outside 1..3', body: { ...row, assignment_group: '', impact: '7' } },
  ])('when the row has $name, then its result is status "error" with a message and no incident is written', async ({ body }) => {
    // Prepare
    const s = sim();

    // Act
    const res = await post(s, path, body);

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.result[0]).toMatchObject({ status: 'error', error_message: expect.any(String), status_message: expect.any(String) });
    expect(s.state.records('incident')).toHaveLength(0);
  });

  it.each([
    { mode: 'sync' as const, hasResult: true },
    { mode: 'async' as const, hasResult: false },
  ])('when insertMultiple runs $mode, then it returns the set ids and results only when synchronous', async ({ mode, hasResult }) => {
    // Prepare
    const s = sim({ insertMultiple: mode });

    // Act
    const res = await post(s, `${path}/insertMultiple`, { records: [{ correlation_id: 'a' }, { correlation_id: 'b' }] });

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.import_set_id).toMatch(SYS_ID);
    expect(res.body.multi_import_set_id).toMatch(SYS_ID);
    expect('result' in res.body).toBe(hasResult);
    if (hasResult) expect(res.body.result.map((r: { status: string }) => r.status)).toEqual(['inserted', 'inserted']);
  });
});

describe('Attachment API', () => {
  it('when a file is posted to a record, then 201 with metadata and the bytes can be downloaded', async () => {
    // Prepare
    const s = sim();
    const ritm = s.seed.requestedItem();

    // Act
    const res = await request(s.app)
      .post(`/api/now/attachment/file?table_name=sc_req_item&table_sys_id=${ritm['sys_id']}&file_name=report.html`)
      .set('Authorization', BASIC)
      .set('Content-Type', 'text/html')
      .send('<h1>ok</h1>');
    const file = await get(s, `/api/now/attachment/${res.body.result.sys_id}/file`);

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      file_name: 'report.html',
      content_type: 'text/html',
      size_bytes: '11',
      table_name: 'sc_req_item',
      table_sys_id: ritm['sys_id'],
      download_link: expect.stringContaining(`/api/now/attachment/${res.body.result.sys_id}/file`),
    });
    expect(file.text).toBe('<h1>ok</h1>');
  });
});

describe('realism knobs', () => {
  it('when a user exceeds the rate limit, then 429 carries Retry-After and the X-RateLimit headers; other users are unaffected', async () => {
    // Prepare
    const clock = new ManualClock('2026-05-01T12:00:00.400Z');
    const s = sim({
      clock,
      rateLimit: { requestsPerSecond: 2, ruleSysId: 'c'.repeat(32) },
      users: [
        { userName: 'a', password: 'pa', roles: ['itil'] },
        { userName: 'b', password: 'pb', roles: ['itil'] },
      ],
    });
    const as = (u: string, p: string) => request(s.app).get('/api/now/table/sys_user').set('Authorization', `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`);

    // Act
    const statuses = [(await as('a', 'pa')).status, (await as('a', 'pa')).status];
    const limited = await as('a', 'pa');
    const other = await as('b', 'pb');
    await clock.advance(600);
    const after = await as('a', 'pa');

    // Assess
    expect(statuses).toEqual([200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers).toMatchObject({
      'retry-after': '1',
      'x-ratelimit-limit': '2',
      'x-ratelimit-reset': String(Date.parse('2026-05-01T12:00:01Z') / 1000),
      'x-ratelimit-rule': 'c'.repeat(32),
    });
    expect(limited.body.error.message).toBe('Rate limit exceeded');
    expect(other.status).toBe(200);
    expect(after.status).toBe(200);
  });

  it('when inside an outage window, then every call (token included) gets 503; outside it, calls succeed', async () => {
    // Prepare
    const clock = new ManualClock('2026-05-01T12:00:00Z');
    const s = sim({ clock, outages: [{ from: '2026-05-01T12:00:00Z', to: '2026-05-01T12:05:00Z' }] });

    // Act
    const during = await get(s, '/api/now/table/incident');
    const token = await request(s.app).post('/oauth_token.do').type('form').send({ grant_type: 'client_credentials' });
    await clock.advance(300_000);
    const after = await get(s, '/api/now/table/incident');

    // Assess
    expect([during.status, token.status, after.status]).toEqual([503, 503, 200]);
    expect(during.body.error.message).toBe('Service Unavailable');
  });

  it('when the instance hibernates, then every call answers 200 with an HTML page', async () => {
    // Prepare
    const s = sim({ hibernating: true });

    // Act
    const table = await get(s, '/api/now/table/incident');
    const token = await request(s.app).post('/oauth_token.do').type('form').send({});

    // Assess
    for (const res of [table, token]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('hibernating');
    }
  });

  it('when an error rate is set, then the same seed fails the same calls with 500/503', async () => {
    // Prepare
    const run = async () => {
      const s = sim({ seed: 7, errorRate: { rate: 0.5 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await get(s, '/api/now/table/sys_user')).status);
      return out;
    };

    // Act
    const first = await run();
    const second = await run();

    // Assess
    expect(first).toEqual(second);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
  });

  it.each([
    { latency: { kind: 'fixed', ms: 40 } as const, min: 40, max: 40 },
    { latency: { kind: 'uniform', minMs: 10, maxMs: 20 } as const, min: 10, max: 20 },
  ])('when latency is $latency.kind, then each call takes that long by the sim clock', async ({ latency, min, max }) => {
    // Prepare
    const clock = new SteppingClock();
    const s = sim({ clock, latency });

    // Act
    for (let i = 0; i < 5; i++) await get(s, '/api/now/table/sys_user');

    // Assess
    for (const r of s.requests) {
      expect(r.durationMs).toBeGreaterThanOrEqual(min);
      expect(r.durationMs).toBeLessThanOrEqual(max);
    }
  });
});

describe('request log and counters', () => {
  it('when calls are made, then they are counted per endpoint with sys_ids folded, and logged without credentials', async () => {
    // Prepare
    const s = sim();
    const inc = s.seed.incident();

    // Act
    await get(s, `/api/now/table/incident/${inc['sys_id']}`);
    await get(s, `/api/now/table/incident/${inc['sys_id']}?sysparm_fields=number`);
    await get(s, '/api/now/table/incident');

    // Assess
    expect(s.calls('GET /api/now/table/incident/:sys_id')).toBe(2);
    expect(s.calls(/^GET /)).toBe(3);
    expect(s.requests[1]).toMatchObject({ user: SIM_DEFAULTS.userName, auth: 'basic', status: 200, query: { sysparm_fields: 'number' } });
    expect(JSON.stringify(s.requests)).not.toContain(SIM_DEFAULTS.password);
    expect(s.requests[0]?.at).toBe('2026-05-01T12:00:00.000Z');
  });
});

describe('standalone CLI', () => {
  it('when run with --port 0, then it listens and serves the Table API', async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const s = await runServiceNowSimCli(['--port', '0', '--seed-demo'], (l) => lines.push(l));
    try {
      const res = await fetch(`${s.url}/api/now/table/change_request?sysparm_fields=number,approval`, { headers: { authorization: BASIC } });

      // Assess
      expect(lines[0]).toContain(s.url);
      expect(lines.join('\n')).not.toContain(SIM_DEFAULTS.password);
      expect(await res.json()).toEqual({ result: [{ number: 'CHG0030001', approval: 'approved' }] });
    } finally {
      await s.close();
    }
  });
});

describe('timestamps', () => {
  it('when records are created, then sys_created_on uses the Table API date format', () => {
    // Act
    const rec = sim().seed.changeRequest({ start: new Date('2026-06-01T01:02:03Z') });

    // Assess
    expect(rec['sys_created_on']).toMatch(SN_DATE);
    expect(rec['start_date']).toBe('2026-06-01 01:02:03');
  });
});
