import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { ReportJobStore } from '../ports.js';
import { collectPages, expectStoreError, reportJob, SECOND, type StoreFixture } from './support.js';

/** The contract of report jobs (`ReportJobStore`). */
export function reportJobsContract(fixture: () => StoreFixture): void {
  describe('report jobs', () => {
    let store: ReportJobStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

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
}
