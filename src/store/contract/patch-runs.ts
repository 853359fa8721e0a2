import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { PatchRunStore, ReportJobStore } from '../ports.js';
import type { PatchRunRecord } from '../types.js';
import { collectPages, expectStoreError, expectValidationError, patchRun, SECOND, type StoreFixture } from './support.js';

/** The contract of patch runs (`PatchRunStore`); cursors are checked against report-job listings too. */
export function patchRunsContract(fixture: () => StoreFixture): void {
  describe('patch runs', () => {
    let store: PatchRunStore & ReportJobStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

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
}
