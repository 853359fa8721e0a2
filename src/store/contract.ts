import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { rejectionOf } from '../core/testing.js';
import { StoreError } from './errors.js';
import type { StateStore } from './ports.js';
import type { GateAuthorisation, IdempotencyRecord, PatchRunRecord, ReportJobRecord } from './types.js';

/** What a store implementation hands the contract suite for each test: a fresh, empty store. */
export interface StoreFixture {
  readonly store: StateStore;
  readonly clock: ManualClock;
  readonly cleanup: () => Promise<void>;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

async function expectValidationError(promise: Promise<unknown>): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('VALIDATION_FAILED');
}

function patchRun(clock: ManualClock, overrides: Partial<PatchRunRecord> = {}): PatchRunRecord {
  const now = clock.now().toISOString();
  return {
    id: overrides.id ?? `run-${now}`,
    changeNumber: 'CHG0001001',
    changeSysId: '0123456789abcdef0123456789abcdef',
    accountId: '111122223333',
    region: 'eu-west-1',
    clientToken: '6f1c2d3e-0000-5000-8000-000000000001',
    request: { targets: [{ key: 'tag:Patch Group', values: ['web'] }], operation: 'Install', nested: { depth: { ok: true } } },
    status: 'Pending',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function reportJob(clock: ManualClock, overrides: Partial<ReportJobRecord> = {}): ReportJobRecord {
  const now = clock.now().toISOString();
  return {
    id: overrides.id ?? `job-${now}`,
    status: 'queued',
    request: { format: 'csv', days: 30 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function gate(clock: ManualClock, overrides: Partial<GateAuthorisation> = {}): GateAuthorisation {
  const now = clock.now().toISOString();
  return {
    windowId: 'mw-0123456789abcdef0',
    accountId: '111122223333',
    region: 'eu-west-1',
    changeNumber: 'CHG0001001',
    changeSysId: '0123456789abcdef0123456789abcdef',
    start: '2026-01-02T00:00:00.000Z',
    end: '2026-01-02T04:00:00.000Z',
    revoked: false,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function idempotency(clock: ManualClock, key: string, ttlMs: number, requestHash = 'hash-a'): IdempotencyRecord {
  return {
    key,
    requestHash,
    status: 'in-progress',
    expiresAt: new Date(clock.now().getTime() + ttlMs).toISOString(),
  };
}

/** Pages through a listing to the end, asserting no page is empty and no page is larger than `limit`. */
async function collectPages<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: readonly T[]; nextCursor?: string }>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    pages += 1;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (pages > 100) throw new Error('pagination did not terminate');
  } while (cursor !== undefined);
  return { items, pages };
}

/**
 * The one behavioural contract every `StateStore` passes. Each implementation
 * calls this from its own test file with a factory for a fresh, empty store.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name} StateStore contract`, () => {
    let store: StateStore;
    let clock: ManualClock;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, clock, cleanup } = await makeStore());
    });

    afterEach(async () => {
      await cleanup();
    });

    describe('claims', () => {
      it('when a key is claimed, then a second owner cannot claim it and the same owner cannot claim it twice', async () => {
        // Act
        const first = await store.claim('incident:abc', 'worker-1');
        const second = await store.claim('incident:abc', 'worker-2');
        const again = await store.claim('incident:abc', 'worker-1');

        // Assess
        expect([first, second, again]).toEqual([true, false, false]);
      });

      it('when 50 callers claim one key in parallel, then exactly one wins', async () => {
        // Act
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.claim('nonce:parallel', `worker-${i}`, 300)),
        );

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('when a claim with a TTL has not expired, then another owner cannot take it', async () => {
        // Prepare
        await store.claim('job:snapshot', 'worker-1', 60);

        // Act
        await clock.advance(59 * SECOND);
        const taken = await store.claim('job:snapshot', 'worker-2', 60);

        // Assess
        expect(taken).toBe(false);
      });

      it('when a claim with a TTL has expired, then another owner takes it and holds it afresh', async () => {
        // Prepare
        await store.claim('job:snapshot', 'worker-1', 60);
        await clock.advance(62 * SECOND);

        // Act
        const taken = await store.claim('job:snapshot', 'worker-2', 60);
        const stolenBack = await store.claim('job:snapshot', 'worker-1', 60);

        // Assess
        expect(taken).toBe(true);
        expect(stolenBack).toBe(false);
      });

      it('when a claim has no TTL, then it never expires', async () => {
        // Prepare
        await store.claim('incident:forever', 'worker-1');

        // Act
        await clock.advance(400 * 24 * 60 * MINUTE);
        const taken = await store.claim('incident:forever', 'worker-2', 60);

        // Assess
        expect(taken).toBe(false);
      });

      it('when the owner releases a claim, then another owner may claim it; a release by anyone else does nothing', async () => {
        // Prepare
        await store.claim('job:report', 'worker-1');
        await store.claim('job:other', 'worker-1');

        // Act
        await store.release('job:report', 'worker-1');
        await store.release('job:other', 'intruder');

        // Assess
        expect(await store.claim('job:report', 'worker-2')).toBe(true);
        expect(await store.claim('job:other', 'worker-2')).toBe(false);
      });

      it('when the holder extends a claim, then it outlives its first expiry; nobody else can extend it, nor can anyone once it lapsed', async () => {
        // Prepare
        await store.claim('lease:a', 'worker-1', 60);
        await store.claim('lease:b', 'worker-1', 60);
        await store.claim('lease:c', 'worker-1', 60);

        // Act
        const extended = await store.extendClaim('lease:a', 'worker-1', 3_600);
        const madePermanent = await store.extendClaim('lease:b', 'worker-1');
        const byIntruder = await store.extendClaim('lease:c', 'intruder', 3_600);
        await clock.advance(2 * MINUTE);
        const afterLapse = await store.extendClaim('lease:c', 'worker-1', 3_600);

        // Assess
        expect([extended, madePermanent, byIntruder, afterLapse]).toEqual([true, true, false, false]);
        expect(await store.claim('lease:a', 'worker-2')).toBe(false);
        expect(await store.claim('lease:c', 'worker-2')).toBe(true);
        await clock.advance(2 * 3_600 * SECOND);
        expect(await store.claim('lease:a', 'worker-2')).toBe(true);
        expect(await store.claim('lease:b', 'worker-2')).toBe(false);
        expect(await store.extendClaim('missing', 'worker-1')).toBe(false);
      });
    });

    describe('patch runs', () => {
      it('when a run is created, then get returns it unchanged and an unknown id returns undefined', async () => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1', requestedItem: 'RITM0010001' });

        // Act
        await store.createPatchRun(run);

        // Assess
        expect(await store.getPatchRun('run-1')).toEqual(run);
        expect(await store.getPatchRun('run-missing')).toBeUndefined();
      });

      it('when a run id already exists, then create fails with CONFLICT and the stored run is untouched', async () => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1' });
        await store.createPatchRun(run);

        // Act
        await expectStoreError(store.createPatchRun({ ...run, status: 'Failed' }), 'CONFLICT');

        // Assess
        expect((await store.getPatchRun('run-1'))?.status).toBe('Pending');
      });

      it('when a run is updated, then fields merge, updatedAt moves to now and id/createdAt stay', async () => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1' });
        await store.createPatchRun(run);
        await clock.advance(5 * SECOND);

        // Act
        const updated = await store.updatePatchRun('run-1', {
          status: 'InProgress',
          executionId: 'exec-1',
          counts: { Success: 2, Failed: 1 },
        });

        // Assess
        const expected = {
          ...run,
          status: 'InProgress',
          executionId: 'exec-1',
          counts: { Success: 2, Failed: 1 },
          updatedAt: clock.now().toISOString(),
        };
        expect(updated).toEqual(expected);
        expect(await store.getPatchRun('run-1')).toEqual(expected);
      });

      it('when a run keeps its SSM snapshot (instances, refreshedAt, status detail), then get returns it as written', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1' }));
        const instances = [
          { instanceId: 'i-0123456789abcdef0', instanceName: 'web-1', status: 'Success', statusDetails: 'Success', commandId: 'cmd-1' },
          { instanceId: 'i-0123456789abcdef1', status: 'Failed', statusDetails: 'Failed', commandId: 'cmd-1' },
        ];

        // Act
        await store.updatePatchRun('run-1', { refreshedAt: clock.now().toISOString(), ssmStatus: 'Waiting', instances, instancesOmitted: 3 });

        // Assess
        expect(await store.getPatchRun('run-1')).toMatchObject({ refreshedAt: clock.now().toISOString(), ssmStatus: 'Waiting', instances, instancesOmitted: 3 });
      });

      it('when many callers begin a refresh of the same stale run at once, then exactly one gets the mark and updatedAt stays', async () => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1' });
        await store.createPatchRun(run);
        const mark = { staleBefore: clock.now().toISOString(), leaseUntil: new Date(clock.now().getTime() + 15 * SECOND).toISOString() };

        // Act
        const results = await Promise.all(Array.from({ length: 10 }, () => store.beginRunRefresh('run-1', mark)));

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.getPatchRun('run-1'))?.updatedAt).toBe(run.updatedAt);
      });

      it('when a run was refreshed after staleBefore, then no mark is given; once it is stale and the lease has lapsed, one is', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1' }));
        await store.updatePatchRun('run-1', { refreshedAt: clock.now().toISOString() });
        const later = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

        // Act / Assess
        expect(await store.beginRunRefresh('run-1', { staleBefore: new Date(clock.now().getTime() - SECOND).toISOString(), leaseUntil: later(15 * SECOND) })).toBe(false);
        await clock.advance(20 * SECOND);
        expect(await store.beginRunRefresh('run-1', { staleBefore: later(-15 * SECOND), leaseUntil: later(15 * SECOND) })).toBe(true);
        expect(await store.beginRunRefresh('run-1', { staleBefore: later(-15 * SECOND), leaseUntil: later(15 * SECOND) })).toBe(false);
        await clock.advance(16 * SECOND);
        expect(await store.beginRunRefresh('run-1', { staleBefore: later(-15 * SECOND), leaseUntil: later(15 * SECOND) })).toBe(true);
      });

      it('when the run does not exist, then beginRunRefresh fails with NOT_FOUND', async () => {
        const now = clock.now().toISOString();
        await expectStoreError(store.beginRunRefresh('run-missing', { staleBefore: now, leaseUntil: now }), 'NOT_FOUND');
      });

      it('when a run does not exist, then update fails with NOT_FOUND', async () => {
        await expectStoreError(store.updatePatchRun('run-missing', { status: 'Failed' }), 'NOT_FOUND');
      });

      it('when a patch carries id, createdAt or storage attributes, then they are ignored', async () => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1' });
        await store.createPatchRun(run);
        const sneaky = { id: 'run-other', createdAt: '2020-01-01T00:00:00.000Z', pk: 'RUN#run-other', status: 'Success' };

        // Act
        const updated = await store.updatePatchRun('run-1', sneaky as unknown as Partial<PatchRunRecord>);

        // Assess
        expect(updated).toEqual({ ...run, status: 'Success' });
        expect(await store.getPatchRun('run-other')).toBeUndefined();
      });

      it.each([
        ['an unknown status', { status: 'Exploded' }],
        ['a non-numeric count', { counts: { Failed: 'many' } }],
      ])('when a patch has %s, then update fails with VALIDATION_FAILED and the run is unchanged', async (_label, patch) => {
        // Prepare
        const run = patchRun(clock, { id: 'run-1' });
        await store.createPatchRun(run);

        // Act
        await expectValidationError(store.updatePatchRun('run-1', patch as unknown as Partial<PatchRunRecord>));

        // Assess
        expect(await store.getPatchRun('run-1')).toEqual(run);
      });

      it('when a run is created with an unparseable timestamp, then it fails with VALIDATION_FAILED', async () => {
        await expectValidationError(store.createPatchRun(patchRun(clock, { id: 'run-1', createdAt: 'yesterday' })));
      });

      it('when a run moves to another change number, then it lists under the new change only', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1', changeNumber: 'CHG0000001' }));

        // Act
        await store.updatePatchRun('run-1', { changeNumber: 'CHG0000002' });

        // Assess
        expect((await store.listPatchRuns({ changeNumber: 'CHG0000001', limit: 10 })).items).toEqual([]);
        expect((await store.listPatchRuns({ changeNumber: 'CHG0000002', limit: 10 })).items.map((r) => r.id)).toEqual(['run-1']);
      });

      it('when a run has an execution id, then it is found by that id; an unknown execution finds nothing', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1' }));
        await store.createPatchRun(patchRun(clock, { id: 'run-2', executionId: 'exec-2' }));

        // Act
        await store.updatePatchRun('run-1', { executionId: 'exec-1' });

        // Assess
        expect((await store.findPatchRunByExecution('exec-1'))?.id).toBe('run-1');
        expect((await store.findPatchRunByExecution('exec-2'))?.id).toBe('run-2');
        expect(await store.findPatchRunByExecution('exec-unknown')).toBeUndefined();
      });

      it('when more runs exist than one page holds, then cursors walk every run newest first, once each', async () => {
        // Prepare
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const id = `run-${String(i).padStart(2, '0')}`;
          ids.push(id);
          await store.createPatchRun(patchRun(clock, { id }));
          await clock.advance(SECOND);
        }

        // Act
        const { items, pages } = await collectPages((cursor) => store.listPatchRuns({ limit: 3, cursor }), 3);

        // Assess
        expect(pages).toBe(3);
        expect(items.map((r) => r.id)).toEqual([...ids].reverse());
      });

      it('when runs share a creation time, then the listing is still total and stable (ties broken by id)', async () => {
        // Prepare
        for (const id of ['run-b', 'run-a', 'run-c', 'run-d']) {
          await store.createPatchRun(patchRun(clock, { id }));
        }

        // Act
        const { items } = await collectPages((cursor) => store.listPatchRuns({ limit: 1, cursor }), 1);

        // Assess
        expect(items.map((r) => r.id)).toEqual(['run-d', 'run-c', 'run-b', 'run-a']);
      });

      it('when listing by change number, then only that change’s runs come back, newest first, across pages', async () => {
        // Prepare
        for (let i = 0; i < 5; i++) {
          await store.createPatchRun(patchRun(clock, { id: `a-${i}`, changeNumber: 'CHG0000001' }));
          await store.createPatchRun(patchRun(clock, { id: `b-${i}`, changeNumber: 'CHG0000002' }));
          await clock.advance(SECOND);
        }

        // Act
        const { items } = await collectPages(
          (cursor) => store.listPatchRuns({ changeNumber: 'CHG0000001', limit: 2, cursor }),
          2,
        );

        // Assess
        expect(items.map((r) => r.id)).toEqual(['a-4', 'a-3', 'a-2', 'a-1', 'a-0']);
      });

      it('when a listing fits one page exactly, then there is no next cursor', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1' }));
        await store.createPatchRun(patchRun(clock, { id: 'run-2' }));

        // Act
        const page = await store.listPatchRuns({ limit: 2 });

        // Assess
        expect(page.items).toHaveLength(2);
        expect(page.nextCursor).toBeUndefined();
      });

      it.each([
        ['garbage', () => 'not a cursor!'],
        ['valid base64 of the wrong shape', () => Buffer.from('{"hello":"world"}').toString('base64url')],
        ['base64 that is not JSON', () => Buffer.from('}{').toString('base64url')],
      ])('when the cursor is %s, then listing fails with VALIDATION_FAILED', async (_label, cursor) => {
        await expectValidationError(store.listPatchRuns({ limit: 5, cursor: cursor() }));
      });

      it('when a cursor from one listing is replayed against another, then listing fails with VALIDATION_FAILED', async () => {
        // Prepare
        await store.createPatchRun(patchRun(clock, { id: 'run-1', changeNumber: 'CHG0000001' }));
        await store.createPatchRun(patchRun(clock, { id: 'run-2', changeNumber: 'CHG0000001' }));
        const page = await store.listPatchRuns({ changeNumber: 'CHG0000001', limit: 1 });
        expect(page.nextCursor).toBeDefined();

        // Act + Assess
        await expectValidationError(store.listPatchRuns({ limit: 1, cursor: page.nextCursor }));
        await expectValidationError(store.listPatchRuns({ changeNumber: 'CHG0000002', limit: 1, cursor: page.nextCursor }));
        await expectValidationError(store.listReportJobs({ limit: 1, cursor: page.nextCursor }));
      });

      it.each([0, -1, 1.5, 1001])('when the page size is %s, then listing fails with VALIDATION_FAILED', async (limit) => {
        await expectValidationError(store.listPatchRuns({ limit }));
      });
    });

    describe('idempotency records', () => {
      it('when a key is new, then begin creates it; a second begin returns the in-progress record', async () => {
        // Prepare
        const record = idempotency(clock, 'POST /v1/patch-runs|client-a|k1', 24 * 60 * MINUTE);

        // Act
        const first = await store.beginIdempotent(record);
        const second = await store.beginIdempotent({ ...record, requestHash: 'hash-b' });

        // Assess
        expect(first).toEqual({ created: true });
        expect(second).toEqual({ created: false, existing: record });
      });

      it('when an operation completes, then later begins return the stored response', async () => {
        // Prepare
        const record = idempotency(clock, 'k-complete', 24 * 60 * MINUTE);
        await store.beginIdempotent(record);
        const response = { statusCode: 201, body: { id: 'run-1', links: ['a', 'b'] }, headers: { location: '/v1/patch-runs/run-1' } };

        // Act
        await store.completeIdempotent('k-complete', response);
        const again = await store.beginIdempotent(record);

        // Assess
        expect(again).toEqual({ created: false, existing: { ...record, status: 'completed', response } });
      });

      it('when completing a key that was never begun, then it fails with NOT_FOUND', async () => {
        await expectStoreError(store.completeIdempotent('k-missing', { statusCode: 200, body: null }), 'NOT_FOUND');
      });

      it('when an in-progress operation is abandoned, then the next begin owns it again', async () => {
        // Prepare
        const record = idempotency(clock, 'k-abandon', 24 * 60 * MINUTE);
        await store.beginIdempotent(record);

        // Act
        await store.abandonIdempotent('k-abandon');
        const again = await store.beginIdempotent(record);

        // Assess
        expect(again).toEqual({ created: true });
      });

      it('when a completed operation is abandoned, then its stored response survives', async () => {
        // Prepare
        const record = idempotency(clock, 'k-done', 24 * 60 * MINUTE);
        await store.beginIdempotent(record);
        await store.completeIdempotent('k-done', { statusCode: 200, body: 'ok' });

        // Act
        await store.abandonIdempotent('k-done');
        const again = await store.beginIdempotent(record);

        // Assess
        expect(again).toMatchObject({ created: false, existing: { status: 'completed', response: { statusCode: 200, body: 'ok' } } });
      });

      it('when a record has expired, then begin replaces it with the new one', async () => {
        // Prepare
        await store.beginIdempotent(idempotency(clock, 'k-expire', MINUTE, 'hash-old'));
        await store.completeIdempotent('k-expire', { statusCode: 200, body: 'old' });
        await clock.advance(MINUTE + 2 * SECOND);
        const fresh = idempotency(clock, 'k-expire', MINUTE, 'hash-new');

        // Act
        const result = await store.beginIdempotent(fresh);
        const after = await store.beginIdempotent(fresh);

        // Assess
        expect(result).toEqual({ created: true });
        expect(after).toEqual({ created: false, existing: fresh });
      });

      it('when many callers begin one key in parallel, then exactly one owns it', async () => {
        // Prepare
        const record = idempotency(clock, 'k-race', MINUTE);

        // Act
        const results = await Promise.all(Array.from({ length: 20 }, () => store.beginIdempotent(record)));

        // Assess
        expect(results.filter((r) => r.created)).toHaveLength(1);
      });
    });

    describe('claim holder', () => {
      it('when a key is claimed, extended, released or lapses, then claimHolder names its current owner or nobody', async () => {
        // Act / Assess
        expect(await store.claimHolder('ev-1')).toBeUndefined();
        expect(await store.claim('ev-1', 'worker-a', 60)).toBe(true);
        expect(await store.claimHolder('ev-1')).toBe('worker-a');
        await store.release('ev-1', 'worker-a');
        expect(await store.claimHolder('ev-1')).toBeUndefined();
        expect(await store.claim('ev-1', 'published', 60)).toBe(true);
        await clock.advance(61 * SECOND);
        expect(await store.claimHolder('ev-1')).toBeUndefined();
        expect(await store.claim('ev-2', 'forever')).toBe(true);
        await clock.advance(400 * 24 * 60 * MINUTE);
        expect(await store.claimHolder('ev-2')).toBe('forever');
      });
    });

    describe('correlation records', () => {
      const base = {
        correlationId: 'pb-111122223333-eu-west-1-exec-1-web-3f2a',
        state: 'pending' as const,
        reportedInstances: ['i-0123456789abcdef0'],
        updatedAt: '2026-01-01T00:00:00.000Z',
      };

      it('when a new record is put without a version, then it is stored at version 1', async () => {
        // Act
        const written = await store.putCorrelation(base);

        // Assess
        expect(written).toEqual({ ...base, version: 1 });
        expect(await store.getCorrelation(base.correlationId)).toEqual({ ...base, version: 1 });
        expect(await store.getCorrelation('unknown')).toBeUndefined();
      });

      it('when the expected version matches, then the write lands and the version increments', async () => {
        // Prepare
        await store.putCorrelation(base);

        // Act
        const written = await store.putCorrelation(
          { ...base, state: 'open', sysId: 'a'.repeat(32), number: 'INC0010001', reportedInstances: ['i-0123456789abcdef0', 'i-0fedcba9876543210'] },
          1,
        );

        // Assess
        expect(written.version).toBe(2);
        expect(await store.getCorrelation(base.correlationId)).toEqual(written);
      });

      it.each([
        ['a stale version', 1],
        ['a version from the future', 7],
        ['no version for an existing record', undefined],
      ])('when putting with %s, then it fails with CONFLICT and keeps the stored record', async (_label, expected) => {
        // Prepare
        await store.putCorrelation(base);
        const current = await store.putCorrelation({ ...base, state: 'open' }, 1);

        // Act
        await expectStoreError(store.putCorrelation({ ...base, state: 'resolved' }, expected), 'CONFLICT');

        // Assess
        expect(await store.getCorrelation(base.correlationId)).toEqual(current);
      });

      it.each([0, -1, 1.5])('when the expected version is %s, then put fails with VALIDATION_FAILED', async (expected) => {
        await expectValidationError(store.putCorrelation(base, expected));
      });

      it('when putting with a version for a record that does not exist, then it fails with CONFLICT', async () => {
        await expectStoreError(store.putCorrelation(base, 1), 'CONFLICT');
      });

      it('when records are open, pending or resolved, then only the open ones are listed, least recently updated first, page by page', async () => {
        // Prepare
        const ids = ['pb-c', 'pb-a', 'pb-d', 'pb-b', 'pb-e'];
        for (const [n, correlationId] of ids.entries()) {
          await store.putCorrelation({ ...base, correlationId, state: 'pending', updatedAt: `2026-01-01T00:00:0${n}.000Z` });
          await store.putCorrelation(
            { ...base, correlationId, state: 'open', accountId: '111122223333', region: 'eu-west-1', failedAt: '2026-01-01T00:00:00.000Z', updatedAt: `2026-01-01T00:01:0${n}.000Z` },
            1,
          );
        }
        await store.putCorrelation({ ...base, correlationId: 'pb-pending' });
        // pb-d resolves; pb-a is written again later (a new failure) and moves to the end.
        await store.putCorrelation(
          { ...base, correlationId: 'pb-d', state: 'resolved', compliantAt: '2026-01-02T00:00:00.000Z', resolvedBy: 'snapshot', updatedAt: '2026-01-02T00:00:00.000Z' },
          2,
        );
        await store.putCorrelation({ ...base, correlationId: 'pb-a', state: 'open', updatedAt: '2026-01-03T00:00:00.000Z' }, 2);

        // Act
        const first = await store.listOpenCorrelations({ limit: 2 });
        const second = await store.listOpenCorrelations({ limit: 2, cursor: first.nextCursor! });
        const all = await store.listOpenCorrelations({ limit: 10 });

        // Assess
        expect(first.items.map((r) => r.correlationId)).toEqual(['pb-c', 'pb-b']);
        expect(second.items.map((r) => r.correlationId)).toEqual(['pb-e', 'pb-a']);
        expect(second.nextCursor).toBeUndefined();
        expect(all.items.map((r) => r.correlationId)).toEqual(['pb-c', 'pb-b', 'pb-e', 'pb-a']);
        expect(all.items[0]).toEqual({
          ...base,
          correlationId: 'pb-c',
          state: 'open',
          accountId: '111122223333',
          region: 'eu-west-1',
          failedAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:01:00.000Z',
          version: 2,
        });
        expect((await store.getCorrelation('pb-d'))?.resolvedBy).toBe('snapshot');
      });

      it('when the open listing gets a cursor from another listing, then it fails with VALIDATION_FAILED', async () => {
        // Prepare
        for (const n of [1, 2]) await store.createReportJob(reportJob(clock, { id: `job-${n}` }));
        const jobs = await store.listReportJobs({ limit: 1 });

        // Act / Assess
        await expectValidationError(store.listOpenCorrelations({ limit: 1, cursor: jobs.nextCursor! }));
      });

      it('when two writers race from the same version, then exactly one wins', async () => {
        // Prepare
        await store.putCorrelation(base);

        // Act
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => store.putCorrelation({ ...base, number: `INC00${i}` }, 1)),
        );

        // Assess
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
        }
      });
    });

    describe('outbox', () => {
      it('when an id is enqueued twice, then the second enqueue is a no-op returning false', async () => {
        // Act
        const first = await store.enqueue({ id: 'o-1', kind: 'incident', payload: { n: 1 } });
        const second = await store.enqueue({ id: 'o-1', kind: 'incident', payload: { n: 2 } });

        // Assess
        expect([first, second]).toEqual([true, false]);
        const [leased] = await store.lease({ limit: 10, leaseMs: MINUTE });
        expect(leased?.payload).toEqual({ n: 1 });
        expect(await store.outboxDepth()).toBe(1);
      });

      it('when due items are leased, then they carry a token and lease end and are not leased again meanwhile', async () => {
        // Prepare
        const payload = { table: 'incident', body: { short_description: 'Patch failed', nested: [1, { a: null }] } };
        await store.enqueue({ id: 'o-1', kind: 'incident', payload });

        // Act
        const leased = await store.lease({ limit: 10, leaseMs: MINUTE });
        const again = await store.lease({ limit: 10, leaseMs: MINUTE });

        // Assess
        expect(leased).toEqual([
          {
            id: 'o-1',
            kind: 'incident',
            payload,
            attempts: 0,
            nextAttemptAt: clock.now().toISOString(),
            leaseToken: expect.any(String),
            leaseUntil: new Date(clock.now().getTime() + MINUTE).toISOString(),
            createdAt: clock.now().toISOString(),
          },
        ]);
        expect(again).toEqual([]);
      });

      it('when an item is scheduled for later, then it is not leased until the clock reaches it', async () => {
        // Prepare
        const later = new Date(clock.now().getTime() + 10 * MINUTE).toISOString();
        await store.enqueue({ id: 'o-later', kind: 'incident', payload: {}, nextAttemptAt: later });

        // Act
        const early = await store.lease({ limit: 10, leaseMs: MINUTE });
        await clock.advance(10 * MINUTE);
        const onTime = await store.lease({ limit: 10, leaseMs: MINUTE });

        // Assess
        expect(early).toEqual([]);
        expect(onTime.map((i) => i.id)).toEqual(['o-later']);
      });

      it('when leasing with a limit and a kind, then only that many items of that kind come back, oldest due first', async () => {
        // Prepare
        for (let i = 0; i < 4; i++) {
          await store.enqueue({ id: `inc-${i}`, kind: 'incident', payload: { i } });
          await store.enqueue({ id: `note-${i}`, kind: 'work-note', payload: { i } });
          await clock.advance(SECOND);
        }

        // Act
        const notes = await store.lease({ limit: 3, leaseMs: MINUTE, kind: 'work-note' });
        const rest = await store.lease({ limit: 10, leaseMs: MINUTE });

        // Assess
        expect(notes.map((i) => i.id)).toEqual(['note-0', 'note-1', 'note-2']);
        expect(rest.map((i) => i.id)).toEqual(['inc-0', 'inc-1', 'inc-2', 'inc-3', 'note-3']);
      });

      it('when a lease expires, then the item is leased again with a new token and the old token’s ack is ignored', async () => {
        // Prepare
        await store.enqueue({ id: 'o-crash', kind: 'incident', payload: {} });
        const [first] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });

        // Act
        await clock.advance(31 * SECOND);
        const [second] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
        await store.ack('o-crash', first!.leaseToken!);

        // Assess
        expect(second?.id).toBe('o-crash');
        expect(second?.leaseToken).not.toBe(first?.leaseToken);
        expect(second?.attempts).toBe(0);
        expect(await store.outboxDepth()).toBe(1);

        await store.ack('o-crash', second!.leaseToken!);
        expect(await store.outboxDepth()).toBe(0);
      });

      it('when a held lease is renewed, then it outlives its first end; a stale token cannot renew', async () => {
        // Prepare
        await store.enqueue({ id: 'o-long', kind: 'incident', payload: {} });
        const [held] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });

        // Act
        await clock.advance(20 * SECOND);
        const renewed = await store.renewLease('o-long', held!.leaseToken!, 30 * SECOND);
        await clock.advance(20 * SECOND);
        const stolen = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
        const staleRenewal = await store.renewLease('o-long', 'not-the-token', 30 * SECOND);
        await clock.advance(11 * SECOND);
        const [retaken] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
        const lateRenewal = await store.renewLease('o-long', held!.leaseToken!, 30 * SECOND);

        // Assess: 40 s after leasing (past the first 30 s) nobody else could take it.
        expect(renewed).toBe(true);
        expect(stolen).toEqual([]);
        expect(staleRenewal).toBe(false);
        expect(retaken?.id).toBe('o-long');
        expect(lateRenewal).toBe(false);
      });

      it('when a delivery fails, then attempts grow by one, the error is kept and the item waits for nextAttemptAt', async () => {
        // Prepare
        await store.enqueue({ id: 'o-fail', kind: 'incident', payload: {} });
        const [leased] = await store.lease({ limit: 1, leaseMs: MINUTE });
        const retryAt = new Date(clock.now().getTime() + 5 * MINUTE).toISOString();

        // Act
        await store.fail('o-fail', leased!.leaseToken!, 'ServiceNow 503', retryAt);
        const tooEarly = await store.lease({ limit: 1, leaseMs: MINUTE });
        await clock.advance(5 * MINUTE);
        const [retried] = await store.lease({ limit: 1, leaseMs: MINUTE });

        // Assess
        expect(tooEarly).toEqual([]);
        expect(retried).toMatchObject({ id: 'o-fail', attempts: 1, lastError: 'ServiceNow 503', nextAttemptAt: retryAt });
      });

      it('when fail or ack arrive with a stale token, then the item is untouched', async () => {
        // Prepare
        await store.enqueue({ id: 'o-stale', kind: 'incident', payload: {} });
        const [first] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
        await clock.advance(11 * SECOND);
        const [second] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
        expect(second?.id).toBe('o-stale');

        // Act
        await store.fail('o-stale', first!.leaseToken!, 'late failure', clock.now().toISOString());
        await store.ack('o-stale', 'not-a-token');

        // Assess
        const noneWhileLeased = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
        expect(noneWhileLeased).toEqual([]);
        await clock.advance(11 * SECOND);
        const [third] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
        expect(third).toMatchObject({ id: 'o-stale', attempts: 0 });
        expect(third?.lastError).toBeUndefined();
      });

      it('when several workers lease in parallel, then no item is handed to two of them', async () => {
        // Prepare
        for (let i = 0; i < 12; i++) await store.enqueue({ id: `o-${i}`, kind: 'incident', payload: { i } });

        // Act
        const batches = await Promise.all(Array.from({ length: 4 }, () => store.lease({ limit: 5, leaseMs: MINUTE })));

        // Assess
        const ids = batches.flat().map((i) => i.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(12);
      });

      it('when counting, then depth covers leased and waiting items and can be narrowed by kind', async () => {
        // Prepare
        await store.enqueue({ id: 'a', kind: 'incident', payload: {} });
        await store.enqueue({ id: 'b', kind: 'incident', payload: {}, nextAttemptAt: '2030-01-01T00:00:00.000Z' });
        await store.enqueue({ id: 'c', kind: 'attachment', payload: {} });
        await store.lease({ limit: 1, leaseMs: MINUTE, kind: 'incident' });

        // Act + Assess
        expect(await store.outboxDepth()).toBe(3);
        expect(await store.outboxDepth('incident')).toBe(2);
        expect(await store.outboxDepth('attachment')).toBe(1);
        expect(await store.outboxDepth('nothing')).toBe(0);
      });
    });

    describe('outbox listing and delete', () => {
      it('when more items of a kind exist than one page holds, then cursors walk them oldest first, once each, and other kinds stay out', async () => {
        // Prepare: two items share each creation time, so ties are broken by id.
        for (let i = 0; i < 3; i++) {
          for (const suffix of ['b', 'a']) {
            await store.enqueue({ id: `dead:${i}-${suffix}`, kind: 'dead-letter', payload: { i }, nextAttemptAt: '9999-12-31T00:00:00.000Z' });
          }
          await store.enqueue({ id: `live-${i}`, kind: 'incident', payload: { i } });
          await clock.advance(SECOND);
        }
        await store.lease({ limit: 10, leaseMs: MINUTE, kind: 'incident' });

        // Act
        const { items, pages } = await collectPages((cursor) => store.listOutbox({ kind: 'dead-letter', limit: 4, cursor }), 4);

        // Assess
        expect(pages).toBe(2);
        expect(items.map((i) => i.id)).toEqual(['dead:0-a', 'dead:0-b', 'dead:1-a', 'dead:1-b', 'dead:2-a', 'dead:2-b']);
        expect(items[0]).toEqual({
          id: 'dead:0-a',
          kind: 'dead-letter',
          payload: { i: 0 },
          attempts: 0,
          nextAttemptAt: '9999-12-31T00:00:00.000Z',
          createdAt: items[1]?.createdAt,
        });
      });

      it('when a kind has no items, then the listing is one empty page', async () => {
        // Prepare
        await store.enqueue({ id: 'o-1', kind: 'incident', payload: {} });

        // Act
        const page = await store.listOutbox({ kind: 'dead-letter', limit: 10 });

        // Assess
        expect(page).toEqual({ items: [] });
      });

      it('when a cursor from one kind is replayed against another, then listing fails with VALIDATION_FAILED', async () => {
        // Prepare
        await store.enqueue({ id: 'a-1', kind: 'a', payload: {} });
        await store.enqueue({ id: 'a-2', kind: 'a', payload: {} });
        const page = await store.listOutbox({ kind: 'a', limit: 1 });
        expect(page.nextCursor).toBeDefined();

        // Act + Assess
        await expectValidationError(store.listOutbox({ kind: 'b', limit: 1, cursor: page.nextCursor }));
        await expectValidationError(store.listOutbox({ kind: 'a', limit: 1, cursor: 'not-a-cursor' }));
        await expectValidationError(store.listOutbox({ kind: 'a', limit: 0 }));
      });

      it('when an item is read by id, then it comes back as listed; an unknown id gives undefined', async () => {
        // Prepare
        await store.enqueue({ id: 'dead:x', kind: 'dead-letter', payload: { nested: [1, { a: null }] } });

        // Act
        const found = await store.getOutboxItem('dead:x');
        const missing = await store.getOutboxItem('dead:none');

        // Assess
        expect(found).toEqual((await store.listOutbox({ kind: 'dead-letter', limit: 1 })).items[0]);
        expect(found?.payload).toEqual({ nested: [1, { a: null }] });
        expect(missing).toBeUndefined();
      });

      it('when an item is deleted, then it is gone whatever its lease and a second delete returns false', async () => {
        // Prepare
        await store.enqueue({ id: 'o-held', kind: 'incident', payload: {} });
        await store.enqueue({ id: 'o-other', kind: 'incident', payload: {} });
        await store.lease({ limit: 1, leaseMs: MINUTE, kind: 'incident' });

        // Act
        const first = await store.deleteOutboxItem('o-held');
        const second = await store.deleteOutboxItem('o-held');
        const unknown = await store.deleteOutboxItem('never-enqueued');

        // Assess
        expect([first, second, unknown]).toEqual([true, false, false]);
        expect(await store.outboxDepth('incident')).toBe(1);
        expect((await store.listOutbox({ kind: 'incident', limit: 10 })).items.map((i) => i.id)).toEqual(['o-other']);
      });
    });

    describe('change-gate authorisations', () => {
      it('when a gate is put twice for one window, then the later one is current', async () => {
        // Prepare
        const first = gate(clock);
        await store.putGate(first);
        await clock.advance(MINUTE);
        const revoked = { ...gate(clock), createdAt: first.createdAt, revoked: true, revokedReason: 'change cancelled' };

        // Act
        await store.putGate(revoked);

        // Assess
        expect(await store.getGate(first.windowId)).toEqual(revoked);
        expect(await store.getGate('mw-unknown')).toBeUndefined();
      });

      it.each([
        ['no filter', {}, ['mw-a1', 'mw-a2', 'mw-b1', 'mw-c1']],
        ['an account', { accountId: '111122223333' }, ['mw-a1', 'mw-a2', 'mw-b1']],
        ['a region', { region: 'eu-west-1' }, ['mw-a1', 'mw-c1']],
        ['an account and a region', { accountId: '111122223333', region: 'us-east-1' }, ['mw-a2', 'mw-b1']],
      ])('when listing gates by %s, then matching gates come back ordered by account, region, window', async (_label, query, expected) => {
        // Prepare
        await store.putGate(gate(clock, { windowId: 'mw-b1', accountId: '111122223333', region: 'us-east-1' }));
        await store.putGate(gate(clock, { windowId: 'mw-c1', accountId: '444455556666', region: 'eu-west-1' }));
        await store.putGate(gate(clock, { windowId: 'mw-a2', accountId: '111122223333', region: 'us-east-1' }));
        await store.putGate(gate(clock, { windowId: 'mw-a1', accountId: '111122223333', region: 'eu-west-1' }));

        // Act
        const gates = await store.listGates(query);

        // Assess
        expect(gates.map((g) => g.windowId)).toEqual(expected);
      });
    });

    describe('report jobs', () => {
      it('when a job is created and updated, then get reflects the merge and a duplicate create conflicts', async () => {
        // Prepare
        const job = reportJob(clock, { id: 'job-1', requestedItem: 'RITM0010002' });
        await store.createReportJob(job);
        await clock.advance(SECOND);

        // Act
        const updated = await store.updateReportJob('job-1', {
          status: 'succeeded',
          summary: { fleet: { compliancePct: 97.5 }, groups: [] },
          files: { 'report.csv': 'reports/job-1/report.csv' },
        });

        // Assess
        expect(updated).toEqual({
          ...job,
          status: 'succeeded',
          summary: { fleet: { compliancePct: 97.5 }, groups: [] },
          files: { 'report.csv': 'reports/job-1/report.csv' },
          updatedAt: clock.now().toISOString(),
        });
        expect(await store.getReportJob('job-1')).toEqual(updated);
        expect(await store.getReportJob('job-missing')).toBeUndefined();
        await expectStoreError(store.createReportJob(job), 'CONFLICT');
        await expectStoreError(store.updateReportJob('job-missing', { status: 'failed' }), 'NOT_FOUND');
      });

      it('when more jobs exist than one page holds, then cursors walk them newest first', async () => {
        // Prepare
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(`job-${i}`);
          await store.createReportJob(reportJob(clock, { id: `job-${i}` }));
          await clock.advance(SECOND);
        }

        // Act
        const { items, pages } = await collectPages((cursor) => store.listReportJobs({ limit: 2, cursor }), 2);

        // Assess
        expect(pages).toBe(3);
        expect(items.map((j) => j.id)).toEqual([...ids].reverse());
      });
    });

    describe('lifecycle', () => {
      it('when the store is reachable, then ping resolves', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('when the store is closed, then calls fail with a non-retryable CLOSED and closing again is harmless', async () => {
        // Act
        await store.close();
        await store.close();

        // Assess
        const err = await rejectionOf(store.ping());
        expect(err).toBeInstanceOf(StoreError);
        expect(err).toMatchObject({ code: 'CLOSED', retryable: false });
        await expectStoreError(store.claim('k', 'me'), 'CLOSED');
      });
    });
  });
}
