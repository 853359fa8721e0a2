import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { addDays, periodDays, type SnapshotRecord, ZERO_COUNTS } from '../../src/domain/index.js';
import { buildComplianceReport, historyKey, writeHistoryObject } from '../../src/flows/compliance/index.js';
import { shareOf, shareOfLine } from '../../src/flows/compliance/history-share.js';
import { memoryBlobs } from './support/memory-blobs.js';

const TODAY = '2026-03-10';
const TARGETS = [
  { accountId: '111111111111', region: 'eu-west-1' },
  { accountId: '222222222222', region: 'us-east-1' },
];
const noFleet = (): never => {
  throw new Error('a history-only report read the fleet');
};
const inventory = { instancePages: noFleet, patchGroups: noFleet, patchStatesForGroup: noFleet, describePatchStates: noFleet, tags: noFleet };

/** Deterministic 0..1 per (instance, day). */
function unit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

function record(ctx: (typeof TARGETS)[number], n: number, day: string): SnapshotRecord {
  const u = unit(`${ctx.accountId}|${n}|${day}`);
  const status = u < 0.2 ? 'NON_COMPLIANT' : u < 0.25 ? 'UNREPORTED' : 'COMPLIANT';
  return {
    ...ZERO_COUNTS,
    captured_at: `${day}T02:15:00.000Z`,
    account_id: ctx.accountId,
    aws_region: ctx.region,
    instance_id: `i-${n.toString(16).padStart(17, '0')}`,
    computer_name: n % 7 === 0 ? `host "${n}" \\ ü` : `host-${n}`,
    platform_type: 'Linux',
    platform_name: 'Amazon Linux',
    resource_type: 'EC2Instance',
    patch_group: n % 5 === 0 ? null : `group-${n % 3}`,
    baseline_id: 'pb-0123456789abcdef0',
    status,
    last_operation: 'Scan',
    last_operation_at: `${day}T01:00:00.000Z`,
    ping_status: 'Online',
    last_ping_at: `${day}T02:00:00.000Z`,
    unmanaged: n % 5 === 0,
    stale: false,
    missing_count: status === 'NON_COMPLIANT' ? 1 + (n % 4) : 0,
  };
}

/** 10 days of 600 instances in two accounts; instances join and leave, and one day of the second account is missing. */
async function history() {
  const blobs = memoryBlobs();
  for (const day of periodDays(TODAY, 10)) {
    for (const [t, ctx] of TARGETS.entries()) {
      if (t === 1 && day === addDays(TODAY, -4)) continue;
      const first = unit(day) < 0.5 ? 0 : 20;
      const records = Array.from({ length: 300 }, (_, i) => record(ctx, first + i, day));
      await writeHistoryObject(blobs, historyKey(ctx, day), records);
    }
  }
  return blobs;
}

async function build(blobs: ReturnType<typeof memoryBlobs>, historyWorkers: number, patchGroups?: string[]) {
  const report = await buildComplianceReport(
    { blobs, inventory, clock: new ManualClock(`${TODAY}T09:00:00Z`), logger: silentLogger(), targets: TARGETS, staleDays: 7, historyWorkers },
    { period: { days: 10 }, live: false, ...(patchGroups ? { scope: { patchGroups } } : {}) },
  );
  return { rows: [...report.rows()], summary: report.summary, stats: report.stats };
}

describe('history parsed by worker threads', () => {
  it.each([1, 3])('when %i workers parse the history, then rows, summaries and counts equal the report parsed on the main thread', async (workers) => {
    // Prepare
    const blobs = await history();
    // Act
    const inThread = await build(blobs, 0);
    const inWorkers = await build(blobs, workers);
    // Assess
    expect(inThread.stats.records).toBeGreaterThan(5_000);
    expect(inThread.stats.objectsMissing).toBe(1);
    expect(inWorkers).toEqual(inThread);
  });

  it('when the report is scoped to patch groups, then the workers keep only those, as the main thread does', async () => {
    const blobs = await history();
    const inThread = await build(blobs, 0, ['group-1', '(unmanaged)']);
    const inWorkers = await build(blobs, 2, ['group-1', '(unmanaged)']);
    expect(inWorkers).toEqual(inThread);
    expect(new Set(inWorkers.rows.map((r) => r.patch_group))).toEqual(new Set(['group-1', null]));
  });

  it('when a history object holds a bad line, then the report fails with HISTORY_CORRUPT naming the object and the line', async () => {
    const blobs = await history();
    const key = historyKey(TARGETS[0] ?? { accountId: '', region: '' }, addDays(TODAY, -2));
    const good = JSON.stringify(record(TARGETS[0] ?? { accountId: '', region: '' }, 1, addDays(TODAY, -2)));
    await blobs.put(key, gzipSync(`${good}\n${good.replace('"status":"COMPLIANT"', '"status":"MAYBE"').replace('"status":"NON_COMPLIANT"', '"status":"MAYBE"').replace('"status":"UNREPORTED"', '"status":"MAYBE"')}\n`));
    await expect(build(blobs, 2)).rejects.toThrow(expect.objectContaining({ code: 'HISTORY_CORRUPT', message: expect.stringContaining(`${key}: line 2`) }));
  });
});

describe('the share of a history line', () => {
  it('when a line is read without parsing, then its share is that of its parsed instance id, or unknown when the text could mislead', () => {
    const r = record(TARGETS[0] ?? { accountId: '', region: '' }, 42, TODAY);
    const plain = JSON.stringify({ ...r, computer_name: 'plain' });
    expect(shareOfLine(plain, 3)).toBe(shareOf(r.instance_id, 3));
    // An escape could spell the key another way; the key twice would let the text and the parse disagree.
    expect(shareOfLine(JSON.stringify({ ...r, computer_name: 'a"b' }), 3)).toBeUndefined();
    expect(shareOfLine(plain.replace('{', '{"instance_id":"i-0000000000000000f",'), 3)).toBeUndefined();
    expect(shareOfLine('{"instance_id": "i-1"}', 3)).toBeUndefined();
  });
});
