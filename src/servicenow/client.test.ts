import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, createLogger, ValidationError } from '../core/index.js';
import { rejectionOf } from '../core/testing.js';
import { createServiceNowSim, SIM_DEFAULTS, type ServiceNowSim, type ServiceNowSimOptions } from '../sim/servicenow/index.js';
import { type CreateServiceNowClientOptions, CHANGE_STATE, createServiceNowClient, encodedQuery, isServiceNowError, type ServiceNowClient, ServiceNowError, type ServiceNowLimits, staticCredentials } from './index.js';
import { rotatingCredentials, SteppingClock } from './testing.js';

const OAUTH = { kind: 'oauth', clientId: SIM_DEFAULTS.clientId, clientSecret: SIM_DEFAULTS.clientSecret } as const;
const BASIC = { kind: 'basic', username: SIM_DEFAULTS.userName, password: SIM_DEFAULTS.password } as const;
const FAST: Partial<ServiceNowLimits> = { baseDelayMs: 5, maxDelayMs: 50, retryBudgetMs: 2_000, timeoutMs: 2_000 };

const sims: ServiceNowSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function startSim(options: ServiceNowSimOptions = {}): Promise<{ sim: ServiceNowSim; url: string }> {
  const sim = createServiceNowSim(options);
  sims.push(sim);
  return { sim, url: await sim.listen(0) };
}

function client(url: string, overrides: Partial<CreateServiceNowClientOptions> = {}): ServiceNowClient {
  return createServiceNowClient({ instanceUrl: url, auth: staticCredentials(OAUTH), limits: FAST, random: () => 0.5, ...overrides });
}

describe('OAuth client credentials', () => {
  it('when 20 calls start together without a token, then one token request serves them all', async () => {
    // Prepare
    const { sim, url } = await startSim();
    sim.seed.changeRequest();
    const sn = client(url);

    // Act
    const changes = await Promise.all(Array.from({ length: 20 }, () => sn.getChangeRequest('CHG0030001')));

    // Assess
    expect(changes.every((c) => c?.number === 'CHG0030001')).toBe(true);
    expect(sim.calls('POST /oauth_token.do')).toBe(1);
    expect(sim.calls('GET /api/now/table/change_request')).toBe(20);
    expect(sim.requests.filter((r) => r.key.startsWith('GET')).every((r) => r.auth === 'bearer')).toBe(true);
  });

  it('when the token nears expiry (within the skew), then a new token is fetched', async () => {
    // Prepare
    const clock = new SteppingClock();
    const { sim, url } = await startSim({ clock, tokenTtlSeconds: 120 });
    const sn = client(url, { clock, limits: { ...FAST, tokenSkewMs: 60_000 } });
    await sn.ping();

    // Act
    clock.advance(59_000);
    await sn.ping();
    const before = sim.calls('POST /oauth_token.do');
    clock.advance(2_000);
    await sn.ping();

    // Assess
    expect(before).toBe(1);
    expect(sim.calls('POST /oauth_token.do')).toBe(2);
  });

  it('when tokens live shorter than twice the skew, then each is still reused for half its lifetime', async () => {
    // Prepare
    const clock = new SteppingClock();
    const { sim, url } = await startSim({ clock, tokenTtlSeconds: 30 });
    const sn = client(url, { clock, limits: { ...FAST, tokenSkewMs: 60_000 } });

    // Act
    await sn.ping();
    clock.advance(14_000);
    await sn.ping();
    const reused = sim.calls('POST /oauth_token.do');
    clock.advance(1_000);
    await sn.ping();

    // Assess
    expect(reused).toBe(1);
    expect(sim.calls('POST /oauth_token.do')).toBe(2);
  });
});

describe('credential rotation', () => {
  it.each([
    {
      kind: 'oauth',
      initial: OAUTH,
      rotated: { ...OAUTH, clientSecret: 'rotated-secret' },
      rotate: (sim: ServiceNowSim) => {
        sim.auth.setClientSecret(SIM_DEFAULTS.clientId, 'rotated-secret');
        sim.auth.revokeTokens();
      },
    },
    {
      kind: 'basic',
      initial: BASIC,
      rotated: { ...BASIC, password: 'rotated-password' },
      rotate: (sim: ServiceNowSim) => sim.auth.setPassword(SIM_DEFAULTS.userName, 'rotated-password'),
    },
  ])('when the $kind secret is rotated, then the 401 re-reads it once and the call succeeds', async ({ initial, rotated, rotate }) => {
    // Prepare
    const { sim, url } = await startSim();
    sim.seed.changeRequest();
    const creds = rotatingCredentials(initial);
    const sn = client(url, { auth: creds.source });
    await sn.ping();
    rotate(sim);
    creds.rotate(rotated);

    // Act
    const change = await sn.getChangeRequest('CHG0030001');

    // Assess
    expect(change?.number).toBe('CHG0030001');
    expect(creds.reads).toBe(2);
    expect(sim.requests.filter((r) => r.key === 'GET /api/now/table/change_request').map((r) => r.status)).toEqual([401, 200]);
  });

  it('when the secret store still holds the old secret, then UNAUTHORIZED after one re-read and no loop', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const creds = rotatingCredentials(BASIC);
    const sn = client(url, { auth: creds.source });
    sim.auth.setPassword(SIM_DEFAULTS.userName, 'changed-elsewhere');

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(isServiceNowError(error, 'UNAUTHORIZED')).toBe(true);
    expect((error as ServiceNowError).retryable).toBe(false);
    expect((error as ServiceNowError).envelope?.message).toBe('User Not Authenticated');
    expect(creds.reads).toBe(2);
    expect(sim.calls('GET /api/now/table/sys_user')).toBe(2);
  });

  it('when the instance URL is only in the secret, then the client uses it', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const sn = createServiceNowClient({ auth: staticCredentials({ ...BASIC, instanceUrl: url }), limits: FAST });

    // Act
    await sn.ping();

    // Assess
    expect(sim.calls('GET /api/now/table/sys_user')).toBe(1);
  });
});

describe('retries', () => {
  it('when rate limited, then the client waits at least Retry-After before the next attempt', async () => {
    // Prepare
    const clock = new SteppingClock('2026-01-01T00:00:00.250Z');
    const { sim, url } = await startSim({ clock, rateLimit: { requestsPerSecond: 1 } });
    const sn = client(url, { clock, auth: staticCredentials(BASIC), limits: { ...FAST, retryBudgetMs: 10_000 } });
    await sn.ping();

    // Act
    await sn.ping();

    // Assess
    const pings = sim.requests.filter((r) => r.key === 'GET /api/now/table/sys_user');
    expect(pings.map((r) => r.status)).toEqual([200, 429, 200]);
    const limited = pings[1];
    const retried = pings[2];
    expect(limited && retried && Date.parse(retried.at) - Date.parse(limited.at)).toBeGreaterThanOrEqual(1_000);
    expect(clock.sleeps.length).toBe(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1_000);
  });

  it('when Retry-After exceeds the remaining budget, then RATE_LIMITED at once with the wait attached', async () => {
    // Prepare
    const clock = new SteppingClock();
    const { sim, url } = await startSim({ clock, rateLimit: { requestsPerSecond: 1, windowMs: 3_600_000 } });
    const sn = client(url, { clock, auth: staticCredentials(BASIC), limits: { ...FAST, retryBudgetMs: 60_000 } });
    await sn.ping();

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(isServiceNowError(error, 'RATE_LIMITED')).toBe(true);
    expect((error as ServiceNowError).retryable).toBe(true);
    expect((error as ServiceNowError).retryAfterMs).toBe(3_600_000);
    expect(clock.sleeps).toEqual([]);
    expect(sim.calls('GET /api/now/table/sys_user')).toBe(2);
  });

  it('when an outage ends inside the budget, then the call succeeds after backing off', async () => {
    // Prepare
    const clock = new SteppingClock();
    const start = clock.now().getTime();
    const { sim, url } = await startSim({ clock, outages: [{ from: start, to: start + 3_000 }] });
    sim.seed.changeRequest();
    const sn = client(url, { clock, limits: { ...FAST, baseDelayMs: 250, maxDelayMs: 4_000, retryBudgetMs: 20_000, maxRetries: 10 } });

    // Act
    const change = await sn.getChangeRequest('CHG0030001');

    // Assess
    expect(change?.state).toBe(CHANGE_STATE.SCHEDULED);
    expect(sim.requests.filter((r) => r.status === 503).length).toBeGreaterThan(1);
    expect(clock.now().getTime() - start).toBeGreaterThanOrEqual(3_000);
    expect(clock.now().getTime() - start).toBeLessThan(20_000);
    // Full jitter with random()=0.5: half of each exponential ceiling.
    expect(clock.sleeps.slice(0, 3)).toEqual([125, 250, 500]);
  });

  it('when an outage outlasts the budget, then UNAVAILABLE (retryable) once the budget is spent', async () => {
    // Prepare
    const clock = new SteppingClock();
    const start = clock.now().getTime();
    const { url } = await startSim({ clock, outages: [{ from: start, to: start + 3_600_000 }] });
    const sn = client(url, { clock, auth: staticCredentials(BASIC), limits: { ...FAST, baseDelayMs: 1_000, maxDelayMs: 8_000, retryBudgetMs: 15_000 } });

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(isServiceNowError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as ServiceNowError).status).toBe(503);
    expect((error as ServiceNowError).retryable).toBe(true);
    expect(clock.now().getTime() - start).toBeLessThanOrEqual(15_000);
  });

  it.each([
    {
      status: 404,
      code: 'NOT_FOUND',
      key: 'POST /api/now/attachment/file',
      act: (sn: ServiceNowClient) =>
        sn.uploadAttachment({ table: 'incident', sysId: 'f'.repeat(32), fileName: 'r.csv', contentType: 'text/csv', body: 'a,b' }),
    },
    {
      status: 403,
      code: 'FORBIDDEN',
      key: 'GET /api/now/table/x_pbridge_patch_run',
      act: (sn: ServiceNowClient) => sn.listRecords('x_pbridge_patch_run', { fields: ['status'] })[Symbol.asyncIterator]().next(),
    },
    {
      status: 404,
      code: 'NOT_FOUND',
      key: 'PATCH /api/now/table/incident/:sys_id',
      act: (sn: ServiceNowClient) => sn.addWorkNote('incident', 'e'.repeat(32), 'note'),
    },
  ])('when ServiceNow answers $status, then $code with its envelope and no retry', async ({ status, code, key, act }) => {
    // Prepare
    const { sim, url } = await startSim({ users: [{ userName: 'ops', password: 'pw', roles: ['itil'] }] });
    const sn = client(url, { auth: staticCredentials({ kind: 'basic', username: 'ops', password: 'pw' }) });

    // Act
    const error = await rejectionOf(act(sn));

    // Assess
    expect(error).toBeInstanceOf(ServiceNowError);
    const e = error as ServiceNowError;
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.retryable).toBe(false);
    expect(e.envelope?.message).toEqual(expect.any(String));
    expect(sim.calls(key)).toBe(1);
  });

  it('when a request times out, then TIMEOUT after retrying within the budget', async () => {
    // Prepare
    const { sim, url } = await startSim({ latency: { kind: 'fixed', ms: 300 } });
    const sn = client(url, { auth: staticCredentials(BASIC), limits: { ...FAST, timeoutMs: 40, maxRetries: 2 } });

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(isServiceNowError(error, 'TIMEOUT')).toBe(true);
    expect((error as ServiceNowError).retryable).toBe(true);
    expect(sim.calls('GET /api/now/table/sys_user')).toBe(3);
  });

  it('when the connection is refused, then UNAVAILABLE after retrying', async () => {
    // Prepare
    const { sim, url } = await startSim();
    await sim.close();
    const sn = client(url, { auth: staticCredentials(BASIC), limits: { ...FAST, maxRetries: 2 } });

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(isServiceNowError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as ServiceNowError).cause).toBeDefined();
  });
});

describe('creates are never re-sent after an ambiguous failure', () => {
  it('when a create times out, then it is not re-sent, so a late commit cannot become a second record', async () => {
    // Prepare: the instance is slower than the client's timeout.
    const { sim, url } = await startSim({ latency: { kind: 'fixed', ms: 200 } });
    const sn = client(url, { auth: staticCredentials(BASIC), limits: { ...FAST, timeoutMs: 40, maxRetries: 3 } });

    // Act
    const error = await rejectionOf(sn.createRecord('incident', { short_description: 'once', correlation_id: 'pb:once' }, ['number']));
    await new Promise((r) => setTimeout(r, 300));

    // Assess
    expect(isServiceNowError(error, 'TIMEOUT')).toBe(true);
    expect(sim.calls('POST /api/now/table/incident')).toBe(1);
    expect(sim.state.records('incident').filter((r) => r['correlation_id'] === 'pb:once').length).toBeLessThanOrEqual(1);
  });

  it('when a create meets an outage (503), then it is re-sent and exactly one record exists', async () => {
    // Prepare
    const clock = new SteppingClock();
    const start = clock.now().getTime();
    const { sim, url } = await startSim({ clock, outages: [{ from: start, to: start + 1_000 }] });
    const sn = client(url, { clock, auth: staticCredentials(BASIC), limits: { ...FAST, baseDelayMs: 250, maxDelayMs: 2_000, retryBudgetMs: 20_000, maxRetries: 10 } });

    // Act
    const created = await sn.createRecord('incident', { short_description: 'after outage', correlation_id: 'pb:outage' }, ['number']);

    // Assess
    expect(created.number).toMatch(/^INC\d{7}$/);
    expect(sim.calls('POST /api/now/table/incident')).toBeGreaterThan(1);
    expect(sim.state.records('incident').filter((r) => r['correlation_id'] === 'pb:outage')).toHaveLength(1);
  });
});

describe('hibernating instance', () => {
  it.each([
    { auth: 'oauth', creds: OAUTH },
    { auth: 'basic', creds: BASIC },
  ])('when the instance hibernates ($auth), then INSTANCE_UNAVAILABLE without retrying', async ({ creds }) => {
    // Prepare
    const { sim, url } = await startSim({ hibernating: true });
    const sn = client(url, { auth: staticCredentials(creds) });

    // Act
    const error = await rejectionOf(sn.getChangeRequest('CHG0030001'));

    // Assess
    expect(isServiceNowError(error, 'INSTANCE_UNAVAILABLE')).toBe(true);
    expect((error as ServiceNowError).status).toBe(200);
    expect(sim.calls()).toBe(1);
  });
});

describe('concurrency', () => {
  it.each([
    { limit: 2, expected: 2 },
    { limit: undefined, expected: 4 },
  ])('when 12 calls run at once with maxInFlight=$limit, then at most $expected reach ServiceNow together', async ({ limit, expected }) => {
    // Prepare
    const { sim, url } = await startSim({ latency: { kind: 'fixed', ms: 25 } });
    const sn = client(url, { auth: staticCredentials(BASIC), limits: { ...FAST, ...(limit ? { maxInFlight: limit } : {}) } });

    // Act
    await Promise.all(Array.from({ length: 12 }, () => sn.ping()));

    // Assess
    const events = sim.requests.flatMap((r) => [
      { t: Date.parse(r.at), d: 1 },
      { t: Date.parse(r.at) + r.durationMs, d: -1 },
    ]);
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let current = 0;
    let peak = 0;
    for (const e of events) {
      current += e.d;
      peak = Math.max(peak, current);
    }
    expect(peak).toBe(expected);
  });
});

describe('Table API', () => {
  it('when listing 2,500 records, then every record arrives once by following Link rel="next"', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const ids = Array.from({ length: 2_500 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    sim.seed.cisForInstances(ids);
    const sn = client(url);

    // Act
    const seen: string[] = [];
    for await (const ci of sn.listRecords('cmdb_ci_vm_instance', { fields: ['object_id'], pageSize: 1_000 })) seen.push(ci.object_id);

    // Assess
    expect(seen).toEqual(ids);
    const pages = sim.requests.filter((r) => r.key === 'GET /api/now/table/cmdb_ci_vm_instance');
    expect(pages.map((r) => r.query['sysparm_offset'] ?? '0')).toEqual(['0', '1000', '2000']);
    expect(pages.every((r) => r.query['sysparm_fields'] === 'sys_id,object_id')).toBe(true);
  });

  it('when a limit is given, then listing stops there without fetching further pages', async () => {
    // Prepare
    const { sim, url } = await startSim();
    for (let i = 0; i < 30; i++) sim.seed.incident({ short_description: `n${i}` });
    const sn = client(url);

    // Act
    const got: string[] = [];
    for await (const r of sn.listRecords('incident', { fields: ['number'], pageSize: 10, limit: 15 })) got.push(r.number);

    // Assess
    expect(got).toHaveLength(15);
    expect(sim.calls('GET /api/now/table/incident')).toBe(2);
  });

  it('when creating, patching and reading, then sysparm_fields is always sent and values round-trip', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const group = sim.seed.group({ name: 'Cloud Ops' });
    const sn = client(url);

    // Act
    const created = await sn.createRecord(
      'x_pbridge_patch_run',
      { run_id: 'run-1', status: 'Pending', change_request: '' },
      ['number', 'status'],
    );
    const patched = await sn.patchRecord('x_pbridge_patch_run', created.sys_id, { status: 'InProgress' }, ['status']);
    const read = await sn.getRecord('sys_user_group', group['sys_id'] ?? '', ['name', 'manager']);
    const missing = await sn.getRecord('incident', 'a'.repeat(32), ['number']);

    // Assess
    expect(created.number).toBe('PBR0001000');
    expect(patched).toEqual({ sys_id: created.sys_id, status: 'InProgress' });
    expect(read).toEqual({ sys_id: group['sys_id'], name: 'Cloud Ops', manager: '' });
    expect(missing).toBeUndefined();
    const apiCalls = sim.requests.filter((r) => r.key.includes('/api/now/table/'));
    expect(apiCalls.every((r) => typeof r.query['sysparm_fields'] === 'string' && r.query['sysparm_fields'] !== '')).toBe(true);
  });

  it('when reading a change, then state, approval and the planned window are typed', async () => {
    // Prepare
    const { sim, url } = await startSim();
    sim.seed.changeRequest({ state: 'implement', approval: 'approved', start: new Date('2026-03-01T10:00:00Z'), end: new Date('2026-03-01T14:00:00Z') });
    const sn = client(url);

    // Act
    const change = await sn.getChangeRequest('CHG0030001');
    const none = await sn.getChangeRequest('CHG0099999');

    // Assess
    expect(change).toMatchObject({
      number: 'CHG0030001',
      state: CHANGE_STATE.IMPLEMENT,
      approval: 'approved',
      active: true,
      start_date: new Date('2026-03-01T10:00:00Z'),
      end_date: new Date('2026-03-01T14:00:00Z'),
    });
    expect(none).toBeUndefined();
  });

  it('when adding a work note, then it is appended to the journal', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const incident = sim.seed.incident();
    const sn = client(url);

    // Act
    await sn.addWorkNote('incident', incident['sys_id'] ?? '', 'first');
    await sn.addWorkNote('incident', incident['sys_id'] ?? '', 'second');
    const notes: string[] = [];
    const query = encodedQuery().eq('element_id', incident['sys_id'] ?? '').eq('element', 'work_notes').orderBy('sys_created_on').build();
    for await (const j of sn.listRecords('sys_journal_field', { query, fields: ['value'] })) notes.push(j.value);

    // Assess
    expect(notes).toEqual(['first', 'second']);
  });

  it('when finding CIs for 250 instance ids, then it queries in batches of at most 100 and keeps the newest duplicate', async () => {
    // Prepare
    const clock = new SteppingClock();
    const { sim, url } = await startSim({ clock });
    const ids = Array.from({ length: 250 }, (_, i) => `i-${(i + 1).toString(16).padStart(8, '0')}`);
    sim.seed.cisForInstances(ids);
    clock.advance(1_000);
    const newer = sim.seed.ci({ object_id: ids[0] ?? '', name: 'newer' });
    const sn = client(url, { clock });

    // Act
    const found = await sn.findCisByInstanceIds([...ids, 'i-0fffffffffffffff0']);

    // Assess
    expect(found.size).toBe(250);
    expect(found.get(ids[0] ?? '')?.sys_id).toBe(newer['sys_id']);
    const queries = sim.requests.filter((r) => r.key === 'GET /api/now/table/cmdb_ci_vm_instance').map((r) => r.query['sysparm_query'] ?? '');
    expect(queries).toHaveLength(3);
    for (const q of queries) expect((/^object_idIN([^^]*)/.exec(q)?.[1] ?? '').split(',').length).toBeLessThanOrEqual(100);
  });

  it('when finding the active incident by correlation id, then a closed one is not returned and the newest active one wins', async () => {
    // Prepare
    const clock = new SteppingClock('2026-05-01T12:00:00Z');
    const { sim, url } = await startSim({ clock });
    sim.seed.incident({ correlation_id: 'pb:123', state: '7' });
    clock.advance(1000);
    sim.seed.incident({ correlation_id: 'pb:123', state: '6' });
    clock.advance(1000);
    const open = sim.seed.incident({ correlation_id: 'pb:123' });
    const sn = client(url);

    // Act
    const found = await sn.findActiveIncidentByCorrelationId('pb:123');

    // Assess
    expect(found?.sys_id).toBe(open['sys_id']);
    expect(found?.active).toBe(true);
  });
});

describe('encoded-query safety', () => {
  it.each([
    { name: 'an OR injected into a change number', act: (sn: ServiceNowClient) => sn.getChangeRequest('CHG0030001^ORactive=true') },
    { name: 'a newline after a change number', act: (sn: ServiceNowClient) => sn.getChangeRequest('CHG0030001\n') },
    { name: 'a comma inside an IN value', act: (sn: ServiceNowClient) => sn.findCisByInstanceIds(['i-0123456789abcdef0,i-0aaaaaaaaaaaaaaa0']) },
    { name: 'a caret inside an IN value', act: (sn: ServiceNowClient) => sn.findCisByInstanceIds(['i-01234567^ORactive=true']) },
    {
      name: 'an OR injected into a correlation id',
      act: (sn: ServiceNowClient) => sn.findActiveIncidentByCorrelationId('pb:1^ORactive=true'),
    },
    {
      name: 'a field outside the allowlist',
      act: async (sn: ServiceNowClient) => {
        // @ts-expect-error: not an allowlisted field
        const query = encodedQuery().eq('nmber', 'CHG0030001').build();
        for await (const _ of sn.listRecords('change_request', { query, fields: ['number'] })) break;
      },
    },
    {
      name: 'a raw string passed as a query',
      act: async (sn: ServiceNowClient) => {
        // @ts-expect-error: queries come from encodedQuery() only
        for await (const _ of sn.listRecords('change_request', { query: 'active=true', fields: ['number'] })) break;
      },
    },
  ])('when given $name, then it is rejected before any request', async ({ act }) => {
    // Prepare
    const { sim, url } = await startSim();
    const sn = client(url);

    // Act
    const error = await rejectionOf(act(sn));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_QUERY_VALUE');
    expect(sim.calls()).toBe(0);
  });

  it('when a field is misspelt, ServiceNow would match everything; the allowlist is what prevents that', async () => {
    // Prepare
    const { sim, url } = await startSim();
    sim.seed.changeRequest();
    sim.seed.changeRequest();
    const auth = `Basic ${Buffer.from(`${SIM_DEFAULTS.userName}:${SIM_DEFAULTS.password}`).toString('base64')}`;

    // Act
    const raw = await fetch(`${url}/api/now/table/change_request?sysparm_query=nmber%3DCHG0030001&sysparm_fields=number`, {
      headers: { authorization: auth },
    });
    const build = () => encodedQuery().eq('nmber' as never, 'CHG0030001');

    // Assess
    expect(((await raw.json()) as { result: unknown[] }).result).toHaveLength(2);
    expect(build).toThrow(ValidationError);
  });
});

describe('Import Set API', () => {
  const row = { correlation_id: 'pb:acct:us-east-1:exec-1', correlation_display: 'patchbridge', short_description: 'Patch failure' };

  it('when a row is imported twice, then the first inserts and the second updates the same incident', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const sn = client(url);

    // Act
    const first = await sn.importRow('x_pbridge_failure_import', { ...row, work_note: 'two instances failed' });
    const second = await sn.importRow('x_pbridge_failure_import', { ...row, work_note: 'a third failed late' });

    // Assess
    expect(first).toMatchObject({ status: 'inserted', table: 'incident', display_name: 'number', display_value: 'INC0010001' });
    expect(second).toMatchObject({ status: 'updated', sys_id: first.sys_id });
    expect(sim.state.journal('incident', first.sys_id).map((j) => j.value)).toEqual(['two instances failed', 'a third failed late']);
  });

  it('when the transform rejects the row, then IMPORT_ROW_ERROR carries the row result and message', async () => {
    // Prepare
    const { url } = await startSim();
    const sn = client(url);

    // Act
    const error = await rejectionOf(sn.importRow('x_pbridge_failure_import', { ...row, impact: '9' }));

    // Assess
    expect(isServiceNowError(error, 'IMPORT_ROW_ERROR')).toBe(true);
    const e = error as ServiceNowError;
    expect(e.retryable).toBe(false);
    expect(e.rows).toHaveLength(1);
    expect(e.rows[0]?.status).toBe('error');
    expect(e.envelope?.message).toBe('impact must be 1, 2 or 3');
  });

  it('when insertMultiple has one bad row, then IMPORT_ROW_ERROR lists every row and the good one is still imported', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const sn = client(url);

    // Act
    const error = await rejectionOf(
      sn.importRows('x_pbridge_failure_import', [row, { ...row, correlation_id: 'pb:other', impact: '9' }]),
    );

    // Assess
    expect(isServiceNowError(error, 'IMPORT_ROW_ERROR')).toBe(true);
    expect((error as ServiceNowError).rows.map((r) => r.status)).toEqual(['inserted', 'error']);
    expect(sim.state.records('incident')).toHaveLength(1);
  });

  it('when importing 450 rows, then insertMultiple is called in batches of 200 within one multi import set', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const sn = client(url);
    const rows = Array.from({ length: 450 }, (_, i) => ({ ...row, correlation_id: `pb:${i}` }));

    // Act
    const result = await sn.importRows('x_pbridge_failure_import', rows);

    // Assess
    expect(result.rows).toHaveLength(450);
    expect(result.rows.every((r) => r.status === 'inserted')).toBe(true);
    const calls = sim.requests.filter((r) => r.key === 'POST /api/now/import/x_pbridge_failure_import/insertMultiple');
    expect(calls).toHaveLength(3);
    expect(calls.slice(1).every((c) => c.query['multi_import_set_id'] === result.multiImportSetId)).toBe(true);
  });
});

describe('Attachment API', () => {
  it('when uploading from a stream, then ServiceNow stores the exact bytes on the record', async () => {
    // Prepare
    const { sim, url } = await startSim();
    const item = sim.seed.requestedItem();
    const sn = client(url);
    const chunks = ['id,status\n', 'i-0123456789abcdef0,COMPLIANT\n'];

    // Act
    const meta = await sn.uploadAttachment({
      table: 'sc_req_item',
      sysId: item['sys_id'] ?? '',
      fileName: 'compliance.csv',
      contentType: 'text/csv',
      body: Readable.from(chunks.map((c) => Buffer.from(c))),
    });

    // Assess
    expect(meta).toMatchObject({ file_name: 'compliance.csv', content_type: 'text/csv', table_name: 'sc_req_item', size_bytes: String(chunks.join('').length) });
    expect(sim.state.attachment(meta.sys_id)?.data.toString()).toBe(chunks.join(''));
  });

  it.each([
    { kind: 'a stream factory', body: () => Readable.from([Buffer.from('report')]), calls: 2, ok: true },
    { kind: 'a bare stream', body: Readable.from([Buffer.from('report')]), calls: 1, ok: false },
  ])('when the first upload hits a 503, then $kind is retried only if it can be replayed', async ({ body, calls, ok }) => {
    // Prepare
    const clock: Clock & { now(): Date } = new SteppingClock();
    const start = clock.now().getTime();
    const { sim, url } = await startSim({ clock });
    const item = sim.seed.requestedItem();
    sim.configure({ outages: [{ from: start, to: start + 1 }] });
    const sn = client(url, { clock, auth: staticCredentials(BASIC) });

    // Act
    const outcome = await sn
      .uploadAttachment({ table: 'sc_req_item', sysId: item['sys_id'] ?? '', fileName: 'r.txt', contentType: 'text/plain', body })
      .then(() => 'ok', (e: unknown) => e);

    // Assess
    expect(outcome === 'ok').toBe(ok);
    if (!ok) expect(isServiceNowError(outcome, 'UNAVAILABLE')).toBe(true);
    expect(sim.calls('POST /api/now/attachment/file')).toBe(calls);
  });
});

describe('secrets', () => {
  it('when auth fails and calls are retried with debug logging, then no secret or token appears in logs or errors', async () => {
    // Prepare
    const clock = new SteppingClock();
    const { sim, url } = await startSim({ clock, rateLimit: { requestsPerSecond: 1 } });
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => lines.push(line) } });
    const sn = client(url, { clock, logger, limits: { ...FAST, retryBudgetMs: 10_000 } });
    await sn.ping();
    await sn.ping();
    const tokenRequest = sim.requests.find((r) => r.key === 'POST /oauth_token.do');
    sim.auth.setClientSecret(SIM_DEFAULTS.clientId, 'another-secret');
    sim.auth.revokeTokens();

    // Act
    const error = await rejectionOf(sn.ping());

    // Assess
    expect(tokenRequest?.status).toBe(200);
    expect(isServiceNowError(error, 'UNAUTHORIZED')).toBe(true);
    const text = lines.join('\n') + JSON.stringify(error) + String((error as Error).message);
    expect(lines.length).toBeGreaterThan(0);
    expect(text).not.toContain(SIM_DEFAULTS.clientSecret);
    expect(text).not.toContain('another-secret');
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});
