/**
 * A seeded 300-instance fleet in the AWS simulator, snapshotted daily for 30
 * simulated days over HTTP with known failures injected on known days, then
 * reported on. Every figure below is worked out by hand from the script.
 */
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { addDays, REPORT_COLUMNS, type ReportRow } from '../../src/domain/index.js';
import {
  type BuiltReport,
  buildComplianceReport,
  type ComplianceSnapshot,
  createComplianceSnapshot,
  csvChunks,
  historyKey,
} from '../../src/flows/compliance/index.js';
import { STATE } from '../../src/sim/aws/catalog.js';
import { createFleet, type Fleet, type SimInstance } from '../../src/sim/aws/index.js';
import { type Harness, startHarness } from './support/harness.js';

const FIRST_DAY = '2026-03-01';
const DAYS = 30;
const LAST_DAY = addDays(FIRST_DAY, DAYS - 1); // 2026-03-30
const SKIPPED_DAY = '2026-03-12'; // the snapshot job "did not run"
const GROUPS = ['web', 'db', 'app'] as const;
const day = (n: number) => addDays(FIRST_DAY, n - 1);

/** Sets one applicable patch of an instance to `code`, or back to Installed. */
function patchSlot(fleet: Fleet, inst: SimInstance, pick: 'critical' | 'other'): number {
  const catalog = fleet.catalogs[inst.platform];
  for (let k = 0; k < inst.states.length; k++) {
    const p = catalog[k];
    if (inst.states[k] !== STATE.Installed || !p) continue;
    if (pick === 'critical' ? p.severity === 'CRITICAL' : p.severity !== 'CRITICAL' && !p.security) return k;
  }
  throw new Error(`instance ${inst.instanceId} has no installed ${pick} patch to break`);
}

interface Scripted {
  readonly fleet: Fleet;
  /** The failures: instance index → [day, state code] changes. */
  apply(dayNumber: number): void;
  readonly ids: { A: string; B: string; C: string; D: string };
  readonly stale: ReadonlySet<number>;
}

/**
 * - 300 instances, tagged web/db/app by index % 3 (97/97/96) except 290–299, untagged (unmanaged);
 *   295–299 were never scanned (UNREPORTED).
 * - 280–284 stopped pinging on 15 Feb: stale all month.
 * - A (#0, web): a critical patch missing days 5–8, installed on day 9.
 * - B (#1, db): a patch fails to install on day 10 and stays failed.
 * - C (#2, app): a patch pending reboot days 20–21, rebooted on day 22.
 * - D (#3, web): missing days 3–4, fixed on day 5, missing again from day 15 on.
 */
function script(): Scripted {
  const fleet = createFleet({
    size: 300,
    seed: 'compliance-e2e',
    patchGroups: [...GROUPS],
    unmanagedRate: 0,
    staleRate: 0,
    compliantRate: 1,
    windows: false,
    accountId: '111122223333',
    region: 'eu-west-1',
    now: new Date(`${FIRST_DAY}T00:00:00Z`),
  });
  fleet.instances.forEach((inst, i) => {
    if (i < 290) inst.tags['Patch Group'] = GROUPS[i % 3] as string;
    else delete inst.tags['Patch Group'];
    if (i >= 295) inst.patch = undefined;
  });
  const stale = new Set([280, 281, 282, 283, 284]);
  for (const i of stale) {
    const inst = fleet.instances[i]!;
    inst.pingStatus = 'ConnectionLost';
    inst.lastPingAt = Date.parse('2026-02-15T00:00:00Z');
  }
  const at = (i: number) => fleet.instances[i]!;
  const slotA = patchSlot(fleet, at(0), 'critical');
  const slotB = patchSlot(fleet, at(1), 'other');
  const slotC = patchSlot(fleet, at(2), 'other');
  const slotD = patchSlot(fleet, at(3), 'other');
  const changes: Record<number, [inst: SimInstance, slot: number, code: number][]> = {
    3: [[at(3), slotD, STATE.Missing]],
    5: [
      [at(0), slotA, STATE.Missing],
      [at(3), slotD, STATE.Installed],
    ],
    9: [[at(0), slotA, STATE.Installed]],
    10: [[at(1), slotB, STATE.Failed]],
    15: [[at(3), slotD, STATE.Missing]],
    20: [[at(2), slotC, STATE.InstalledPendingReboot]],
    22: [[at(2), slotC, STATE.Installed]],
  };
  return {
    fleet,
    stale,
    ids: { A: at(0).instanceId, B: at(1).instanceId, C: at(2).instanceId, D: at(3).instanceId },
    apply(n) {
      for (const [inst, slot, code] of changes[n] ?? []) inst.states[slot] = code;
      // Live instances heartbeat every few minutes; the simulator's ping times are static.
      const now = Date.parse(`${day(n)}T02:10:00Z`);
      fleet.instances.forEach((inst, i) => {
        if (!stale.has(i)) inst.lastPingAt = now;
      });
    },
  };
}

describe('30 days of compliance history over the AWS simulator', () => {
  const clock = new ManualClock(`${FIRST_DAY}T02:15:00Z`);
  let h: Harness;
  let s: Scripted;
  let snapshot: ComplianceSnapshot;
  let live: BuiltReport;
  let historical: BuiltReport;
  const rowOf = (report: BuiltReport, id: string) => [...report.rows()].find((r) => r.instance_id === id);

  beforeAll(async () => {
    s = script();
    h = await startHarness({ clock, sim: { fleet: s.fleet, seed: 'compliance-e2e' } });
    snapshot = createComplianceSnapshot({ inventory: h.aws.inventory, blobs: h.blobs, clock, logger: silentLogger(), targets: [h.ctx], staleDays: 7 });
    for (let n = 1; n <= DAYS; n++) {
      clock.set(`${day(n)}T02:15:00Z`);
      s.apply(n);
      if (day(n) !== SKIPPED_DAY) await snapshot.run();
    }
    const deps = { blobs: h.blobs, inventory: h.aws.inventory, clock, logger: silentLogger(), targets: [h.ctx], staleDays: 7 };
    // Built on the last day: days 1–29 from snapshots, day 30 from the live fleet.
    clock.set(`${LAST_DAY}T06:00:00Z`);
    live = await buildComplianceReport(deps, { period: { days: DAYS } });
    // Built the day after, for the same period: every day from snapshots.
    clock.set(`${addDays(LAST_DAY, 1)}T06:00:00Z`);
    historical = await buildComplianceReport(deps, { period: { days: DAYS, end: LAST_DAY } });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('when a day is snapshotted, then one gzip NDJSON object per account and region holds every instance', async () => {
    const info = await h.blobs.head(historyKey(h.ctx, day(1)));
    expect(historyKey(h.ctx, day(1))).toBe('history/account=111122223333/region=eu-west-1/dt=2026-03-01/snapshot.ndjson.gz');
    const chunks: Buffer[] = [];
    for await (const c of await h.blobs.get(historyKey(h.ctx, day(1)))) chunks.push(c as Buffer);
    const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').trim().split('\n');
    expect(info?.size).toBeGreaterThan(0);
    expect(lines).toHaveLength(300);
    expect(await h.blobs.head(historyKey(h.ctx, SKIPPED_DAY))).toBeUndefined();
  });

  it('when the snapshot runs again the same day, then the existing object is kept and no fleet call is made', async () => {
    clock.set(`${LAST_DAY}T09:00:00Z`);
    const before = h.sim.count('DescribeInstanceInformation');
    const again = await snapshot.run();
    expect(again.objects).toEqual([expect.objectContaining({ outcome: 'exists' })]);
    expect(h.sim.count('DescribeInstanceInformation')).toBe(before);
  });

  it('when reading the fleet, then only bulk calls are made, never one per instance', () => {
    // 30 days would be 29 snapshots + 1 live read; each read: 6 instance pages, 3 tag calls, 1 group list,
    // 3 groups × 1 page, and one DescribeInstancePatchStates batch for the 10 untagged instances.
    expect(h.sim.count('ListComplianceItems')).toBe(0);
    expect(h.sim.count('DescribeInstancePatchStates')).toBeLessThanOrEqual(31);
  });

  it.each([
    ['A', { days_observed: 29, days_compliant: 25, days_non_compliant: 4, first_non_compliant_date: '2026-03-05', remediated_date: '2026-03-09', time_to_remediate_days: 4, current_status: 'COMPLIANT' }],
    ['B', { days_observed: 29, days_compliant: 9, days_non_compliant: 20, first_non_compliant_date: '2026-03-10', remediated_date: null, time_to_remediate_days: null, current_status: 'NON_COMPLIANT', failed_count: 1, other_non_compliant_count: 1 }],
    ['C', { days_observed: 29, days_compliant: 27, days_non_compliant: 2, first_non_compliant_date: '2026-03-20', remediated_date: '2026-03-22', time_to_remediate_days: 2, current_status: 'COMPLIANT', pending_reboot: false }],
    ['D', { days_observed: 29, days_compliant: 11, days_non_compliant: 18, first_non_compliant_date: '2026-03-03', remediated_date: '2026-03-05', time_to_remediate_days: 2, current_status: 'NON_COMPLIANT', missing_count: 1 }],
  ] as const)('when instance %s failed on its scripted days, then its row has the exact figures', (who, expected) => {
    // Day 12 has no snapshot, so every instance is observed 29 days; B and D were non-compliant that day.
    // D: compliant days 1–2 and 5–14 (less day 12) = 11; non-compliant 3–4 and 15–30 = 18.
    const id = s.ids[who];
    expect(rowOf(live, id)).toMatchObject({ ...expected, last_seen_date: LAST_DAY });
    expect(rowOf(historical, id)).toMatchObject(expected);
  });

  it('when a critical patch is missing, then the day shows it and the trend dips exactly that much', () => {
    const trend = live.summary.fleet.trend;
    const at = (d: string) => trend.find((t) => t.date === d);
    // Day 5: A missing (D fixed that day); 5 never-scanned instances are unreported: 300 - 1 - 5 = 294.
    expect(at(day(5))).toEqual({ date: day(5), instances: 300, compliant: 294, compliancePct: 98 });
    // Day 3: D missing: 294 as well. Day 21: B, D and C (pending reboot) plus the 5 unreported: 292.
    expect(at(day(3))?.compliant).toBe(294);
    expect(at(day(21))).toEqual({ date: day(21), instances: 300, compliant: 292, compliancePct: 97.3 });
    expect(at(SKIPPED_DAY)).toEqual({ date: SKIPPED_DAY, instances: 0, compliant: 0, compliancePct: null });
    expect(live.summary.daysWithoutData).toEqual([SKIPPED_DAY]);
  });

  it('when the period ends, then unmanaged and stale counts and per-group compliance % are exact', () => {
    for (const report of [live, historical]) {
      const { fleet, byPatchGroup } = report.summary;
      expect(fleet).toMatchObject({ instances: 300, compliant: 293, nonCompliant: 2, unreported: 5, compliancePct: 97.7, unmanaged: 10, stale: 5, remediated: 3, meanTimeToRemediateDays: 2.7 });
      const groups = Object.fromEntries(byPatchGroup.map((g) => [g.key, g]));
      expect(Object.keys(groups)).toEqual(['(unmanaged)', 'app', 'db', 'web']);
      expect(groups['web']).toMatchObject({ instances: 97, compliant: 96, nonCompliant: 1, compliancePct: 99, stale: 1 });
      expect(groups['db']).toMatchObject({ instances: 97, compliant: 96, nonCompliant: 1, compliancePct: 99, stale: 2 });
      expect(groups['app']).toMatchObject({ instances: 96, compliant: 96, compliancePct: 100, stale: 2 });
      expect(groups['(unmanaged)']).toMatchObject({ instances: 10, compliant: 5, unreported: 5, compliancePct: 50, unmanaged: 10 });
      expect(report.summary.worstOffenders.map((o) => o.instance_id).sort()).toEqual([s.ids.B, s.ids.D].sort());
    }
    expect(live.summary.live).toBe(true);
    expect(historical.summary.live).toBe(false);
  });

  it('when the report is written as CSV, then a CSV parser reads back every instance under the documented columns', () => {
    const text = [...csvChunks(live.rows())].join('');
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(REPORT_COLUMNS.map(([name]) => name));
    expect(rows).toHaveLength(300);
    const byId = new Map(rows.map((r) => [r[2], Object.fromEntries((header ?? []).map((h, i) => [h, r[i]])) as Record<keyof ReportRow, string>]));
    expect(byId.get(s.ids.A)).toMatchObject({ patch_group: 'web', days_compliant: '25', first_non_compliant_date: '2026-03-05', time_to_remediate_days: '4', unmanaged: 'false' });
    expect(byId.get(s.ids.B)).toMatchObject({ patch_group: 'db', current_status: 'NON_COMPLIANT', remediated_date: '', failed_count: '1' });
    const staleRows = rows.filter((r) => r[REPORT_COLUMNS.findIndex(([n]) => n === 'stale')] === 'true');
    const unmanagedRows = rows.filter((r) => r[REPORT_COLUMNS.findIndex(([n]) => n === 'unmanaged')] === 'true');
    expect(staleRows).toHaveLength(5);
    expect(unmanagedRows).toHaveLength(10);
  });
});
