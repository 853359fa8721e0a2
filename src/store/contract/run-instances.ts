import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { PatchRunStore } from '../ports.js';
import { manyInstances, patchRun, SECOND, type StoreFixture } from './support.js';

/**
 * The contract of a run's per-instance results at their largest: every read
 * (get, find by execution, list) returns exactly the instances last written,
 * however large, and a write that leaves them out keeps them.
 */
export function runInstancesContract(fixture: () => StoreFixture): void {
  describe('patch run instances', () => {
    let store: PatchRunStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when a run keeps 2,000 instances with 256-character names, then get, find and list return every one as written', async () => {
      // Prepare
      await store.createPatchRun(patchRun(clock, { id: 'run-big', executionId: 'exec-big' }));
      const instances = manyInstances(2_000);

      // Act
      const updated = await store.updatePatchRun('run-big', { refreshedAt: clock.now().toISOString(), instances, instancesOmitted: 0 });

      // Assess
      expect(updated.instances).toEqual(instances);
      expect((await store.getPatchRun('run-big'))?.instances).toEqual(instances);
      expect((await store.findPatchRunByExecution('exec-big'))?.instances).toEqual(instances);
      expect((await store.listPatchRuns({ limit: 1 })).items[0]?.instances).toEqual(instances);
      expect((await store.listPatchRuns({ changeNumber: 'CHG0001001', limit: 1 })).items[0]?.instances).toEqual(instances);
    });

    it('when the instances of a large run are rewritten larger, smaller or left out, then reads return the last ones written', async () => {
      // Prepare
      await store.createPatchRun(patchRun(clock, { id: 'run-big' }));
      await store.updatePatchRun('run-big', { instances: manyInstances(2_000, 1) });

      // Act / Assess: large to large, to small, status only, back to large.
      await clock.advance(SECOND);
      await store.updatePatchRun('run-big', { instances: manyInstances(1_999, 2) });
      expect((await store.getPatchRun('run-big'))?.instances).toEqual(manyInstances(1_999, 2));

      await store.updatePatchRun('run-big', { instances: manyInstances(3, 3) });
      expect((await store.getPatchRun('run-big'))?.instances).toEqual(manyInstances(3, 3));

      await store.updatePatchRun('run-big', { instances: manyInstances(2_000, 4) });
      const statusOnly = await store.updatePatchRun('run-big', { status: 'Success' });
      expect(statusOnly.instances).toEqual(manyInstances(2_000, 4));
      expect(await store.getPatchRun('run-big')).toEqual({ ...statusOnly, updatedAt: clock.now().toISOString() });
    });

    it('when a run is created with 2,000 long-named instances, then get returns them and a duplicate create still conflicts', async () => {
      // Prepare
      const run = patchRun(clock, { id: 'run-born-big', instances: manyInstances(2_000, 5) });

      // Act
      await store.createPatchRun(run);
      const again = await store.createPatchRun({ ...run, instances: manyInstances(2_000, 6) }).catch((err: unknown) => err);

      // Assess
      expect(await store.getPatchRun('run-born-big')).toEqual(run);
      expect(again).toMatchObject({ code: 'CONFLICT' });
    });
  });
}
