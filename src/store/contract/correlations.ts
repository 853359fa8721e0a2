import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { CorrelationStore, ReportJobStore } from '../ports.js';
import { expectStoreError, expectValidationError, reportJob, type StoreFixture } from './support.js';

/** The contract of the incident correlation map (`CorrelationStore`); cursors are checked against report-job listings too. */
export function correlationsContract(fixture: () => StoreFixture): void {
  describe('correlation records', () => {
    let store: CorrelationStore & ReportJobStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

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
}
