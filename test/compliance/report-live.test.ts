/**
 * The live part of a report ending today: read from the fleet while the history
 * is read, or taken from today's snapshot when that is younger than the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { addDays } from '../../src/domain/index.js';
import { buildComplianceReport, createComplianceSnapshot, type ReportBuilderDeps } from '../../src/flows/compliance/index.js';
import { type Harness, startHarness } from './support/harness.js';

const DAYS = 5;
const TODAY = '2026-03-31';

describe('the live read of a report ending today', () => {
  const clock = new ManualClock(`${addDays(TODAY, -(DAYS - 1))}T02:15:00Z`);
  let h: Harness;
  let deps: ReportBuilderDeps;

  beforeAll(async () => {
    h = await startHarness({ clock, sim: { seed: 'report-live', fleet: { size: 120, seed: 9, now: new Date(`${TODAY}T02:00:00Z`) }, latency: { DescribeInstanceInformation: 20 } } });
    const snapshot = createComplianceSnapshot({ inventory: h.aws.inventory, blobs: h.blobs, clock, logger: silentLogger(), targets: [h.ctx], staleDays: 7 });
    for (let d = DAYS - 1; d >= 0; d--) {
      clock.set(`${addDays(TODAY, -d)}T02:15:00Z`);
      await snapshot.run();
    }
    deps = { blobs: h.blobs, inventory: h.aws.inventory, clock, logger: silentLogger(), targets: [h.ctx], staleDays: 7 };
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('when today’s snapshot is younger than the limit, then the report takes today from it, reads no fleet page, and matches a live build', async () => {
    // Prepare
    clock.set(`${TODAY}T02:45:00Z`);
    const pages = h.sim.count('DescribeInstanceInformation');

    // Act
    const reused = await buildComplianceReport(deps, { period: { days: DAYS } });
    const pagesAfterReuse = h.sim.count('DescribeInstanceInformation');
    const fresh = await buildComplianceReport({ ...deps, snapshotMaxAgeMs: 0 }, { period: { days: DAYS } });

    // Assess
    expect(pagesAfterReuse).toBe(pages);
    expect(h.sim.count('DescribeInstanceInformation')).toBeGreaterThan(pages);
    expect(reused.stats.snapshotsReused).toBe(1);
    expect(fresh.stats.snapshotsReused).toBe(0);
    const strip = (s: typeof reused.summary) => ({ ...s, generatedAt: '' });
    expect(strip(reused.summary)).toEqual(strip(fresh.summary));
  });

  it('when today’s snapshot is older than the limit, then the fleet is read again', async () => {
    clock.set(`${TODAY}T03:16:00Z`);
    const pages = h.sim.count('DescribeInstanceInformation');

    const report = await buildComplianceReport(deps, { period: { days: DAYS } });

    expect(report.stats.snapshotsReused).toBe(0);
    expect(h.sim.count('DescribeInstanceInformation')).toBeGreaterThan(pages);
  });

  it('when the fleet is read, then it runs while the history is read, not after it', async () => {
    // Prepare: history objects that take 100 ms each to open; note how many fleet pages SSM has served by each.
    clock.set(`${TODAY}T09:00:00Z`);
    const pagesAtOpen: number[] = [];
    const pages = () => h.sim.requestLog.filter((e) => e.operation === 'DescribeInstanceInformation').length;
    const blobs = {
      ...deps.blobs,
      head: (key: string) => deps.blobs.head(key),
      get: async (key: string) => {
        await new Promise((r) => setTimeout(r, 100));
        pagesAtOpen.push(pages());
        return deps.blobs.get(key);
      },
    };
    h.sim.resetLog();

    // Act
    await buildComplianceReport({ ...deps, blobs }, { period: { days: DAYS } });

    // Assess
    expect(pagesAtOpen).toHaveLength(DAYS - 1);
    expect(pagesAtOpen.at(-1)).toBeGreaterThan(0);
  });
});
