/**
 * Run status from the store: reads of a patch run answer from the state store, SSM
 * is read at most once per run per freshness period (counted at the AWS simulator),
 * and a throttled SSM answers with the stored status and its age, never a 5xx.
 */
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FleetInventory, PatchExecution } from '../../src/aws/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { PatchEvent } from '../../src/domain/index.js';
import { createServiceNowWrites } from '../../src/flows/changes/index.js';
import { createPatchRuns } from '../../src/flows/changes/index.js';
import { ACCOUNT, createHarness, type Harness, REGION, T0 } from './harness.js';

let h: Harness;

beforeAll(async () => {
  // Stepped simulator time: a run stays in progress until a test moves the simulator on.
  h = await createHarness({ simTime: { mode: 'stepped' } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.clock.set(T0);
});

async function startRun(): Promise<string> {
  const change = h.change();
  const body = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });
  const res = await request(h.app)
    .post('/v1/patch-runs')
    .set('content-type', 'application/json')
    .set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', body))
    .send(body);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** Patch runs as another process builds them: its own single-flight map and command cache over `store`. */
function secondProcess(store: Harness['store'], ports: { execution?: PatchExecution; fleet?: Pick<FleetInventory, 'describeInstances' | 'describePatchStates'> } = {}) {
  return createPatchRuns({
    store,
    execution: ports.execution ?? h.awsPorts.patchExecution,
    ...(ports.fleet ? { fleet: ports.fleet } : {}),
    servicenow: h.servicenow,
    writes: createServiceNowWrites({ store: h.store }),
    clock: h.clock,
    logger: silentLogger(),
    managedAccounts: [ACCOUNT],
  });
}

function get(path: string) {
  return request(h.app).get(path).set('x-patchbridge-signature', h.sign('GET', path));
}

const ssmReads = () => h.aws.count('GetAutomationExecution');

describe('GET /v1/patch-runs/{id} from the store', () => {
  it('when 100 reads of a run whose status is stale arrive at once, then SSM is read once and every read sees the refreshed status', async () => {
    // Prepare
    const id = await startRun();
    await h.aws.advance(3_600_000);
    const before = h.aws.count('GetAutomationExecution');

    // Act
    const answers = await Promise.all(Array.from({ length: 100 }, () => get(`/v1/patch-runs/${id}`)));

    // Assess
    expect(h.aws.count('GetAutomationExecution') - before).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    for (const a of answers) {
      expect(a.body).toMatchObject({ status: 'Success', refreshedAt: T0.toISOString(), stale: false });
      expect(h.validator.validateResponse('getPatchRun', a.status, a.headers['content-type'], a.body)).toEqual([]);
    }
  });

  it('when the stored status is younger than the freshness period, then reads do not call SSM; once older, one read refreshes it', async () => {
    // Prepare
    const id = await startRun();
    await get(`/v1/patch-runs/${id}`);
    const before = h.aws.count('GetAutomationExecution');

    // Act
    await h.clock.advance(14_000);
    const fresh = await get(`/v1/patch-runs/${id}`);
    const list = await get('/v1/patch-runs');
    const countFresh = h.aws.count('GetAutomationExecution') - before;
    await h.clock.advance(2_000);
    await get(`/v1/patch-runs/${id}`);
    await get(`/v1/patch-runs/${id}`);

    // Assess
    expect(countFresh).toBe(0);
    expect(fresh.body).toMatchObject({ refreshedAt: T0.toISOString(), ageSeconds: 14, stale: false });
    expect(list.body.items.find((r: { id: string }) => r.id === id)?.refreshedAt).toBe(T0.toISOString());
    expect(h.aws.count('GetAutomationExecution') - before).toBe(1);
  });

  it('when SSM throttles the refresh, then the read answers 200 with the stored status, its age and AWS_THROTTLED', async () => {
    // Prepare
    const id = await startRun();
    const first = await get(`/v1/patch-runs/${id}`);
    await h.clock.advance(40_000);
    h.aws.injectFault('GetAutomationExecution', { name: 'ThrottlingException', status: 400, message: 'Rate exceeded', times: 10 });

    // Act
    const res = await get(`/v1/patch-runs/${id}`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: first.body.status, refreshedAt: T0.toISOString(), ageSeconds: 40, stale: true, staleReason: 'AWS_THROTTLED' });
    expect(res.body.instances.items).toEqual(first.body.instances.items);
    expect(h.validator.validateResponse('getPatchRun', res.status, res.headers['content-type'], res.body)).toEqual([]);
  });

  it('when two processes share the store (two Lambda containers), then concurrent stale reads in both cause one SSM read', async () => {
    // Prepare: a second process with its own single-flight map, over the same store and AWS account.
    const id = await startRun();
    await get(`/v1/patch-runs/${id}`);
    await h.clock.advance(20_000);
    const other = secondProcess(h.store);
    const before = h.aws.count('GetAutomationExecution');

    // Act
    const reads = await Promise.all([...Array.from({ length: 20 }, () => h.patchRuns.get(id)), ...Array.from({ length: 20 }, () => other.get(id))]);

    // Assess
    expect(h.aws.count('GetAutomationExecution') - before).toBe(1);
    expect(reads.every((r) => r.status === reads[0]?.status)).toBe(true);
  });

  it('when a refresh finds the same per-instance results, then the run is updated without writing its instance list again', async () => {
    // Prepare: the run is under way and read once (its list stored), then goes stale with nothing new in SSM.
    h.aws.injectFault('GetAutomationExecution', { name: 'ThrottlingException', status: 400, message: 'Rate exceeded', times: 0 });
    const id = await startRun();
    await h.aws.advance(60_000);
    const first = await get(`/v1/patch-runs/${id}`);
    expect(first.body.instances.items.length).toBeGreaterThan(0);
    await h.clock.advance(20_000);
    const writes: string[] = [];
    const store = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop !== 'updatePatchRun') return Reflect.get(target, prop, receiver);
        return (runId: string, patch: Record<string, unknown>) => {
          writes.push(Object.keys(patch).sort().join(','));
          return target.updatePatchRun(runId, patch);
        };
      },
    });
    const reader = secondProcess(store);

    // Act
    const read = await reader.get(id);

    // Assess
    expect(read.stale).toBe(false);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('refreshedAt');
    expect(writes[0]).not.toContain('instances');
    expect(read.instances.items).toEqual(first.body.instances.items);
  });

  it('when readers vary the id (unknown ids, upper case, percent-encoding, query strings), then a stale run is read from SSM once and no variant is a 5xx', async () => {
    // Prepare: a run whose stored status is stale, and reads of it and of ids that name no run.
    const id = await startRun();
    await get(`/v1/patch-runs/${id}`);
    await h.clock.advance(20_000);
    const before = ssmReads();
    const encoded = id.replace(/-/g, '%2D');
    const paths = [
      ...Array.from({ length: 30 }, (_, i) => `/v1/patch-runs/${`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`}`),
      `/v1/patch-runs/${id.toUpperCase()}`,
      `/v1/patch-runs/${encoded}`,
      `/v1/patch-runs/${id}?limit=1`,
      `/v1/patch-runs/${id}?limit=2`,
      `/v1/patch-runs/${id}?refresh=true`,
      `/v1/patch-runs/${id}/`,
      `/v1/patch-runs/${id}`,
      `/v1/patch-runs/${id}`,
    ];

    // Act
    const answers = await Promise.all(paths.map((p) => get(p)));

    // Assess
    expect(ssmReads() - before).toBeLessThanOrEqual(1);
    expect(answers.flatMap((a, i) => (a.status >= 500 ? [[paths[i], a.status, a.body.code]] : []))).toEqual([]);
  });

  it.each([
    ['an internal error', { name: 'InternalServerError', status: 500, message: 'boom' }],
    ['an unknown execution', { name: 'AutomationExecutionNotFoundException', status: 400, message: 'gone' }],
  ])('when GetAutomationExecution fails with %s, then the read answers 200 from the store, marked stale', async (_name, fault) => {
    const id = await startRun();
    await get(`/v1/patch-runs/${id}`);
    await h.clock.advance(40_000);
    h.aws.injectFault('GetAutomationExecution', { ...fault, times: 5 });

    // Act
    const res = await get(`/v1/patch-runs/${id}`);
    h.aws.injectFault('GetAutomationExecution', { ...fault, times: 0 });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stale: true, ageSeconds: 40 });
  });

  it('when an older SSM read lands after a newer one (a slow listing, a frozen Lambda container), then it does not overwrite the newer status nor pass as fresh', async () => {
    // Prepare: process A reads SSM while the run is under way, but its answer is held back (a slow page, a frozen container).
    const id = await startRun();
    await h.aws.advance(60_000);
    await get(`/v1/patch-runs/${id}`);
    const run = await h.store.getPatchRun(id);
    let release!: () => void;
    let answered!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const read = new Promise<void>((resolve) => (answered = resolve));
    const slow: PatchExecution = {
      ...h.awsPorts.patchExecution,
      getRunStatus: async (...args: Parameters<PatchExecution['getRunStatus']>) => {
        const status = await h.awsPorts.patchExecution.getRunStatus(...args);
        answered();
        await held;
        return status;
      },
    };
    const a = secondProcess(h.store, { execution: slow });
    const event: PatchEvent = { kind: 'automation', source: 'eventbridge', accountId: ACCOUNT, region: REGION, time: T0.toISOString(), status: 'InProgress', phase: 'running', executionId: run?.executionId ?? '', definition: 'AWS-PatchInstanceWithRollback' };
    const older = a.recordPatchRunProgress(event);
    await read;

    // Act: the run finishes and process B reads it; then A's older answer lands.
    await h.aws.advance(3_600_000);
    await h.clock.advance(5_000);
    await h.patchRuns.recordPatchRunProgress({ ...event, status: 'Success', phase: 'succeeded' });
    const newer = await h.store.getPatchRun(id);
    await h.clock.advance(30_000);
    release();
    await older;
    const res = await get(`/v1/patch-runs/${id}`);

    // Assess
    expect(newer?.status).toBe('Success');
    expect(res.body.status).toBe('Success');
    expect(res.body.counts).toEqual(newer?.counts);
    expect(res.body.refreshedAt).toBe(newer?.refreshedAt);
  });

  it('when an API container answers a read at the refresh wait and stops while noting the run it found finished, then the next refresh writes the completion note, and the container thawed later writes nothing', async () => {
    // Prepare: a container whose compliance read hangs until released (frozen once its reader was answered).
    const change = h.change();
    const body = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });
    const started = await request(h.app).post('/v1/patch-runs').set('content-type', 'application/json').set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', body)).send(body);
    const id = started.body.id as string;
    await get(`/v1/patch-runs/${id}`);
    let reached!: () => void;
    let thaw!: () => void;
    const tallying = new Promise<void>((resolve) => (reached = resolve));
    const thawed = new Promise<void>((resolve) => (thaw = resolve));
    const container = secondProcess(h.store, {
      fleet: {
        describeInstances: (...args) => h.awsPorts.inventory.describeInstances(...args),
        describePatchStates: async (...args) => {
          reached();
          await thawed;
          return h.awsPorts.inventory.describePatchStates(...args);
        },
      },
    });
    await h.aws.advance(3_600_000);
    await h.clock.advance(20_000);

    // Act: the container finds the run finished and answers at the refresh wait; the run's own event is handled
    // elsewhere and its note delivered; then the container thaws.
    const read = container.get(id);
    await tallying;
    await h.clock.advance(2_000);
    const answered = await read;
    const executionId = (await h.store.getPatchRun(id))?.executionId ?? '';
    const event: PatchEvent = { kind: 'automation', source: 'eventbridge', accountId: ACCOUNT, region: REGION, time: T0.toISOString(), status: 'Success', phase: 'succeeded', executionId, definition: 'AWS-PatchInstanceWithRollback' };
    await h.patchRuns.recordPatchRunProgress(event);
    const noted = await h.store.getOutboxItem(`pb.change-note:run-finished:${id}`);
    await h.worker.drain();
    const finished = await h.store.getPatchRun(id);
    // The same event reaching the container joins its frozen refresh, so the test waits for exactly that to end.
    const joined = container.recordPatchRunProgress(event);
    await new Promise((resolve) => setImmediate(resolve));
    thaw();
    await joined;
    await h.worker.drain();

    // Assess
    expect(answered).toMatchObject({ stale: true, staleReason: 'REFRESH_PENDING' });
    expect(noted).toBeDefined();
    expect(finished?.status).toBe('Success');
    expect(h.sn.state.journal('change_request', change.sysId).filter((j) => j.value.includes(`patch run ${id} (SSM execution`))).toHaveLength(1);
    expect((await h.store.getPatchRun(id))?.refreshedAt).toBe(finished?.refreshedAt);
  });
});

describe('GET /v1/patch-runs/{id} beside the flows\u2019 SSM reads', () => {
  // A harness of its own: the process's SSM quota is booked in the time of its clock, which the tests above set back.
  const outer = { h: undefined as Harness | undefined };
  beforeAll(async () => {
    outer.h = h;
    h = await createHarness({ simTime: { mode: 'stepped' } });
  });
  afterAll(async () => {
    await h.close();
    h = outer.h!;
  });

  it('when the process\u2019s GetAutomationExecution quota is booked further ahead than a reader waits, then the read answers from the store at once, AWS_THROTTLED, and reads nothing', async () => {
    // Prepare: the run's status is stale, and nine flow reads hold the quota's next 2.3 s (3 TPS, a burst of 3).
    const id = await startRun();
    await get(`/v1/patch-runs/${id}`);
    await h.clock.advance(40_000);
    const booked = Array.from({ length: 9 }, (_, n) =>
      h.awsPorts.patchExecution.getRunStatus({ accountId: ACCOUNT, region: REGION }, { kind: 'automation', executionId: `00000000-0000-4000-8000-00000000010${n}` }).catch(() => undefined),
    );
    const readsBefore = ssmReads();

    // Act
    const started = performance.now();
    const res = await get(`/v1/patch-runs/${id}`);
    const answeredAfter = performance.now() - started;
    await Promise.all(booked);

    // Assess: answered without waiting out the 2 s refresh wait, and SSM saw only the flow reads.
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stale: true, staleReason: 'AWS_THROTTLED', ageSeconds: 40 });
    expect(answeredAfter).toBeLessThan(1_500);
    expect(ssmReads() - readsBefore).toBe(9);
  });
});
