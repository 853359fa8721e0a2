import { afterEach, describe, expect, it } from 'vitest';
import { randomIds, silentLogger } from '../../src/core/index.js';
import { buildIncidentDraft, type IncidentPolicy, type InstanceFailure, RESOLVE_NOTE_PREFIX, type ResolveRequest, resolutionFor } from '../../src/domain/index.js';
import { createServiceNowClient, type ServiceNowClient, staticCredentials } from '../../src/servicenow/index.js';
import { SteppingClock } from '../../src/servicenow/testing.js';
import { createServiceNowSim, SIM_BASIC_CREDENTIALS, type ServiceNowSim } from '../../src/sim/servicenow/index.js';
import { createSqliteStore, type StateStore } from '../../src/store/index.js';
import { createIncidentUpserter, incidentLockTtlSeconds } from '../../src/flows/incidents/index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const policy: IncidentPolicy = { prodEnvironments: ['prod'], groupMap: [], defaultGroup: 'Cloud Operations', serviceMap: {} };

function failure(n: number, failedAt = '2026-03-01T10:00:00.000Z'): InstanceFailure {
  return {
    instanceId: `i-${n.toString(16).padStart(17, '0')}`,
    patchGroup: 'web',
    status: 'Failed',
    topPatches: [],
    tags: { Environment: 'test' },
    links: { instance: 'https://console/x' },
    failedAt,
  };
}

const draftOf = (...ns: number[]) =>
  buildIncidentDraft(
    {
      accountId: '123456789012',
      region: 'us-east-1',
      execution: { kind: 'command', id: '11111111-2222-3333-4444-555555555555' },
      patchGroup: 'web',
      instances: ns.map((n) => failure(n)),
      now: new Date('2026-03-01T10:00:00Z'),
    },
    policy,
  );

async function setup(
  mode: 'import-set' | 'table',
  options: { wrap?: (client: ServiceNowClient) => ServiceNowClient; lockTtlSeconds?: number; store?: (store: StateStore) => StateStore } = {},
) {
  const clock = new SteppingClock('2026-03-01T10:00:00Z');
  const sim: ServiceNowSim = createServiceNowSim({ clock });
  await sim.listen(0);
  closers.push(() => sim.close());
  sim.seed.group({ name: 'Cloud Operations' });
  const sqlite: StateStore = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  closers.push(() => sqlite.close());
  const store = options.store ? options.store(sqlite) : sqlite;
  const servicenow = createServiceNowClient({
    instanceUrl: sim.url,
    auth: staticCredentials(SIM_BASIC_CREDENTIALS),
    clock,
  });
  const build = () =>
    createIncidentUpserter({
      servicenow: options.wrap ? options.wrap(servicenow) : servicenow,
      store,
      mode,
      clock,
      ids: randomIds,
      logger: silentLogger(),
      ...(options.lockTtlSeconds !== undefined ? { lockTtlSeconds: options.lockTtlSeconds } : {}),
      autoResolve: { enabled: true, closeCode: 'Solution provided' },
    });
  const incidents = () => sim.state.records('incident').filter((r) => r['correlation_display'] === 'patchbridge');
  return { sim, store, upserter: build(), build, incidents, clock, servicenow };
}

describe('incident upsert', () => {
  it.each(['import-set', 'table'] as const)('when 2,000 instances fail in one execution (%s), then every one is named with its error in the notes or the attached CSV, and the note says where', async (mode) => {
    // Prepare
    const { sim, upserter, incidents } = await setup(mode);
    const draft = draftOf(...Array.from({ length: 2_000 }, (_, n) => n + 1));

    // Act
    await upserter.upsert(draft);

    // Assess
    const [incident] = incidents();
    const sysId = incident?.['sys_id'] ?? '';
    const [note = ''] = sim.state.journal('incident', sysId, 'work_notes').map((j) => j.value);
    const files = sim.state.attachments({ table: 'incident', sysId });
    expect(files).toHaveLength(1);
    const fileName = files[0]?.meta['file_name'] ?? '';
    expect(fileName).toBe('patchbridge-failed-instances-11111111-2222-3333-4444-555555555555-2000.csv');
    expect(note).toMatch(new RegExp(`\\d+ more failed instance\\(s\\) are not listed here: every failed instance, with its error, is in the attached ${fileName.replace(/\./g, '\\.')}\\.$`));
    const csv = files[0]?.data.toString('utf8') ?? '';
    for (const i of draft.instances) expect(csv).toContain(`\r\n${i.instanceId},`);
  });

  it.each(['import-set', 'table'] as const)('when a draft arrives twice and then with a new instance (%s), then one incident gets one late note', async (mode) => {
    // Prepare
    const { upserter, incidents, sim } = await setup(mode);
    // Act
    const first = await upserter.upsert(draftOf(1, 2));
    const again = await upserter.upsert(draftOf(2, 1));
    const late = await upserter.upsert(draftOf(2, 3));
    // Assess
    expect([first.action, again.action, late.action]).toEqual(['created', 'unchanged', 'updated']);
    expect(late.newInstances).toEqual([failure(3).instanceId]);
    const [incident, ...more] = incidents();
    expect(more).toEqual([]);
    expect(incident?.['impact']).toBe('3');
    expect(incident?.['short_description']).toContain('on 3 instances');
    const notes = sim.state.journal('incident', incident?.['sys_id'] ?? '').map((j) => j.value);
    expect(notes).toHaveLength(2);
    expect(notes.find((n) => n.includes('more instance(s)'))).toContain(failure(3).instanceId);
  });

  it('when another listener holds the key, then the upsert fails with retryable INCIDENT_BUSY and writes nothing', async () => {
    // Prepare
    const { upserter, store, incidents } = await setup('import-set');
    const draft = draftOf(1);
    await store.claim(`pb-incident:${draft.correlationId}`, 'other-listener', 300);
    // Act
    const attempt = upserter.upsert(draft);
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'INCIDENT_BUSY', retryable: true });
    expect(incidents()).toEqual([]);
  });

  it.each(['import-set', 'table'] as const)(
    'when a listener died after ServiceNow created the incident but before recording it (%s), then the retry updates it instead of creating another',
    async (mode) => {
      // Prepare: ServiceNow has the incident; the store only has the pending claim.
      const { upserter, store, incidents, sim } = await setup(mode);
      const draft = draftOf(1, 2);
      sim.seed.incident({ correlation_id: draft.correlationId, correlation_display: 'patchbridge', short_description: 'x', active: 'true' });
      await store.putCorrelation({ correlationId: draft.correlationId, state: 'pending', reportedInstances: [], updatedAt: '2026-03-01T10:00:00.000Z' });
      // Act
      await upserter.upsert(draft);
      // Assess
      expect(incidents()).toHaveLength(1);
      expect((await store.getCorrelation(draft.correlationId))?.state).toBe('open');
    },
  );

  it.each(['import-set', 'table'] as const)('when the incident was resolved before a late failure (%s), then it is reopened with a note and no second incident opens', async (mode) => {
    // Prepare
    const { upserter, incidents, sim } = await setup(mode);
    const created = await upserter.upsert(draftOf(1));
    sim.state.update('incident', created.sysId ?? '', { state: '6', close_code: 'Solved (Permanently)' });
    // Act
    const late = await upserter.upsert(draftOf(1, 2));
    // Assess
    expect(late.action).toBe('updated');
    expect(late.sysId).toBe(created.sysId);
    const [incident, ...more] = incidents();
    expect(more).toHaveLength(0);
    expect(incident).toMatchObject({ state: '2', active: 'true' });
    const notes = sim.state.journal('incident', created.sysId ?? '').map((j) => j.value);
    expect(notes.some((n) => /reopened/i.test(n) && n.includes(failure(2).instanceId))).toBe(true);
  });

  it.each([
    ['import-set', '7'],
    ['import-set', '8'],
    ['table', '7'],
    ['table', '8'],
  ] as const)('when the incident was closed or cancelled before a late failure (%s, state %s), then a new incident opens with the full record', async (mode, state) => {
    // Prepare
    const { upserter, incidents, sim } = await setup(mode);
    const created = await upserter.upsert(draftOf(1));
    sim.state.update('incident', created.sysId ?? '', { state });
    // Act
    const late = await upserter.upsert(draftOf(1, 2));
    // Assess
    expect(late.action).toBe('created');
    expect(late.sysId).not.toBe(created.sysId);
    const open = incidents().filter((i) => i['active'] === 'true');
    expect(open).toHaveLength(1);
    expect(open[0]?.['description']).toContain(failure(2).instanceId);
    expect(open[0]?.['impact']).toBe('3');
  });

  it('when a Table API create stalls for ten simulated minutes in ServiceNow retries, then a second listener is still refused and one incident is created', async () => {
    // Prepare: the first listener's lookup hangs (as a call retrying within its budget would) until released.
    let release = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    const { build, clock, incidents } = await setup('table', {
      wrap: (client) =>
        Object.assign(Object.create(client) as ServiceNowClient, {
          async findActiveIncidentByCorrelationId(id: string) {
            if (first) {
              first = false;
              await stalled;
            }
            return client.findActiveIncidentByCorrelationId(id);
          },
        }),
    });
    const slow = build().upsert(draftOf(1));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(10 * 60_000);
    // Act
    const second = build().upsert(draftOf(1));
    await expect(second).rejects.toMatchObject({ code: 'INCIDENT_BUSY' });
    release();
    const result = await slow;
    // Assess
    expect(result.action).toBe('created');
    expect(incidents()).toHaveLength(1);
  });

  it('when another writer creates the incident while this listener looks up the CI and change (table), then it is updated rather than created twice', async () => {
    // Prepare: the lock is not enough on its own (a holder may lapse); the second lookup must catch the race.
    let finds = 0;
    const { upserter, incidents, sim } = await setup('table', {
      wrap: (client) =>
        Object.assign(Object.create(client) as ServiceNowClient, {
          async findActiveIncidentByCorrelationId(id: string) {
            if (++finds === 2) sim.seed.incident({ correlation_id: id, correlation_display: 'patchbridge', short_description: 'by another listener', active: 'true' });
            return client.findActiveIncidentByCorrelationId(id);
          },
        }),
    });
    // Act
    const result = await upserter.upsert(draftOf(1, 2));
    // Assess
    expect(result.action).toBe('updated');
    expect(incidents()).toHaveLength(1);
    expect(sim.state.journal('incident', result.sysId ?? '').map((j) => j.value)).toHaveLength(1);
  });

  it('when Table mode creates incidents, then the assignment group and the service CI are written as sys_ids, each name looked up once', async () => {
    // Prepare
    const { build, incidents, sim } = await setup('table');
    const group = sim.state.findByDisplay('sys_user_group', 'Cloud Operations');
    const service = sim.seed.ci({ object_id: '', name: 'Web Service' });
    const mapped = { ...policy, serviceMap: { web: 'Web Service' } };
    const draft = (execution: string) =>
      buildIncidentDraft(
        {
          accountId: '123456789012',
          region: 'us-east-1',
          execution: { kind: 'command', id: execution },
          patchGroup: 'web',
          instances: [failure(1), failure(2)],
          now: new Date('2026-03-01T10:00:00Z'),
        },
        mapped,
      );
    const upserter = build();
    // Act
    await upserter.upsert(draft('11111111-2222-3333-4444-555555555555'));
    await upserter.upsert(draft('11111111-2222-3333-4444-666666666666'));
    // Assess
    expect(incidents().map((i) => [i['assignment_group'], i['cmdb_ci']])).toEqual([
      [group?.['sys_id'], service['sys_id']],
      [group?.['sys_id'], service['sys_id']],
    ]);
    expect(sim.calls('GET /api/now/table/sys_user_group')).toBe(1);
    expect(sim.requests.every((r) => r.query['sysparm_display_value'] === undefined && r.query['sysparm_input_display_value'] === undefined)).toBe(true);
  });

  /** What a snapshot taken at `seenAt` would ask, every instance compliant with an operation ended at `operationAt`. */
  async function resolveRequest(store: StateStore, correlationId: string, seenAt: string, operationAt = seenAt): Promise<ResolveRequest> {
    const record = await store.getCorrelation(correlationId);
    if (!record) throw new Error('no record');
    const request = resolutionFor(
      record,
      (instanceId) => ({ instanceId, compliant: true, operation: 'Install', operationAt }),
      { kind: 'snapshot', key: 'history/account=123456789012/region=us-east-1/dt=2026-03-02/snapshot.ndjson.gz' },
      seenAt,
    );
    if (!request) throw new Error('evidence does not resolve the record');
    return request;
  }

  const resolveNotes = (sim: ServiceNowSim, sysId: string) => sim.state.journal('incident', sysId).filter((j) => j.value.startsWith(RESOLVE_NOTE_PREFIX));

  it.each(['import-set', 'table'] as const)('when new failures reached the incident after its evidence was taken (%s), then the resolve is stale and the incident stays open', async (mode) => {
    // Prepare: the snapshot saw instances 1 and 2 compliant; then instance 3 failed in the same execution.
    const { upserter, store, sim } = await setup(mode);
    const created = await upserter.upsert(draftOf(1, 2));
    const request = await resolveRequest(store, created.correlationId, '2026-03-02T02:15:00.000Z', '2026-03-02T01:00:00.000Z');
    await upserter.upsert(draftOf(1, 2, 3));

    // Act
    const outcome = await upserter.resolve(request);

    // Assess
    expect(outcome).toBe('stale');
    expect(sim.state.get('incident', created.sysId ?? '')?.['state']).toBe('1');
    expect(resolveNotes(sim, created.sysId ?? '')).toEqual([]);
    expect((await store.getCorrelation(created.correlationId))?.state).toBe('open');
  });

  it.each(['import-set', 'table'] as const)(
    'when patchbridge resolved an incident, then a failure newer than the evidence reopens it, a replayed older failure does not, and the older evidence cannot resolve it again (%s)',
    async (mode) => {
      // Prepare: resolved on evidence from 2026-03-02 01:00.
      const { upserter, store, sim } = await setup(mode);
      const created = await upserter.upsert(draftOf(1, 2));
      const sysId = created.sysId ?? '';
      const old = await resolveRequest(store, created.correlationId, '2026-03-02T02:15:00.000Z', '2026-03-02T01:00:00.000Z');
      expect(await upserter.resolve(old)).toBe('resolved');

      // Act: the old failure delivered again, then a new failure of instance 1 after the evidence, then the old snapshot again.
      const replay = await upserter.upsert(draftOf(1, 2));
      const stateAfterReplay = sim.state.get('incident', sysId)?.['state'];
      const reopened = await upserter.upsert(
        buildIncidentDraft(
          {
            accountId: '123456789012',
            region: 'us-east-1',
            execution: { kind: 'command', id: '11111111-2222-3333-4444-555555555555' },
            patchGroup: 'web',
            instances: [failure(1, '2026-03-02T03:00:00.000Z'), failure(4, '2026-03-02T03:00:00.000Z')],
            now: new Date('2026-03-02T03:00:00Z'),
          },
          policy,
        ),
      );
      const record = await store.getCorrelation(created.correlationId);
      const stillOld = resolutionFor(
        record ?? { correlationId: '', version: 0, reportedInstances: [], updatedAt: '' },
        (instanceId) => ({ instanceId, compliant: true, operation: 'Install', operationAt: '2026-03-02T01:00:00.000Z' }),
        old.source,
        old.seenAt,
      );
      const replayedRequest = await upserter.resolve(old);

      // Assess
      expect(replay.action).toBe('unchanged');
      expect(stateAfterReplay).toBe('6');
      expect(reopened.sysId).toBe(sysId);
      expect(sim.state.get('incident', sysId)?.['state']).toBe('2');
      expect(record).toMatchObject({ state: 'open', failedAt: '2026-03-02T03:00:00.000Z' });
      expect(stillOld).toBeUndefined();
      expect(replayedRequest).toBe('stale');
      expect(resolveNotes(sim, sysId)).toHaveLength(1);
    },
  );

  it.each(['import-set', 'table'] as const)(
    'when the listener dies after ServiceNow resolved the incident but before recording it (%s), then the redelivery records it and adds no second note',
    async (mode) => {
      // Prepare: the first write of the resolved record fails, as if the process died there.
      let failNext = false;
      const { upserter, store, sim } = await setup(mode, {
        store: (inner) =>
          new Proxy(inner, {
            get(target, name) {
              if (name === 'putCorrelation') {
                return async (...args: Parameters<StateStore['putCorrelation']>) => {
                  if (failNext && args[0].state === 'resolved') {
                    failNext = false;
                    throw new Error('process died');
                  }
                  return target.putCorrelation(...args);
                };
              }
              const value: unknown = Reflect.get(target, name, target);
              return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
            },
          }),
      });
      const created = await upserter.upsert(draftOf(1, 2));
      const request = await resolveRequest(store, created.correlationId, '2026-03-02T02:15:00.000Z', '2026-03-02T01:00:00.000Z');
      failNext = true;

      // Act
      const first = await upserter.resolve(request).catch((err: unknown) => err);
      const second = await upserter.resolve(request);

      // Assess
      expect(first).toBeInstanceOf(Error);
      expect(second).toBe('already-resolved');
      expect(sim.state.get('incident', created.sysId ?? '')).toMatchObject({ state: '6', close_code: 'Solution provided' });
      expect(resolveNotes(sim, created.sysId ?? '')).toHaveLength(1);
      expect((await store.getCorrelation(created.correlationId))?.state).toBe('resolved');
    },
  );

  it('when Table mode resolves, then it sends state 6 with the close code and close notes the instance data policy requires', async () => {
    // Prepare
    const { upserter, store, sim } = await setup('table');
    const created = await upserter.upsert(draftOf(1));
    const request = await resolveRequest(store, created.correlationId, '2026-03-02T02:15:00.000Z');

    // Act
    const outcome = await upserter.resolve(request);

    // Assess
    expect(outcome).toBe('resolved');
    expect(sim.state.get('incident', created.sysId ?? '')).toMatchObject({
      state: '6',
      active: 'true',
      close_code: 'Solution provided',
      close_notes: expect.stringContaining('All 1 instance(s) of this incident reported no missing or failed patches'),
    });
    expect(sim.calls('PATCH /api/now/table/incident/:sys_id')).toBe(1);
  });

  it.each([
    ['the default limits', { retryBudgetMs: 120_000, timeoutMs: 30_000 }, 900],
    ['a ten-minute budget', { retryBudgetMs: 600_000, timeoutMs: 60_000 }, 3_360],
    ['no retries at all', { retryBudgetMs: 0, timeoutMs: 100 }, 900],
  ])('when the ServiceNow client has %s, then the incident lock outlasts five calls that each spend budget and timeout', (_name, limits, expected) => {
    // Act
    const ttl = incidentLockTtlSeconds(limits);
    // Assess
    expect(ttl).toBe(expected);
    expect(ttl * 1000).toBeGreaterThan(5 * (limits.retryBudgetMs + limits.timeoutMs));
  });
});
