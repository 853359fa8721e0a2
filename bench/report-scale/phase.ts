/**
 * One phase of the report-scale benchmark in its own process, so each phase's
 * peak RSS is its own: `snapshot`, `history`, `report` or `naive`. Options come
 * as JSON in argv[3]; the result is printed as one JSON line on stdout.
 */
import { readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import { createAwsAdapters, createAwsClients } from '../../src/aws/index.js';
import { createFileBlobStore } from '../../src/blobs/index.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { addDays, parseSnapshotJson, parseSnapshotLine, periodDays, type SnapshotRecord } from '../../src/domain/index.js';
import {
  type BuildProgress,
  buildComplianceReport,
  createComplianceSnapshot,
  historyKey,
  putReportFiles,
  readHistoryObject,
  REPORT_FORMATS,
  writeHistoryObject,
} from '../../src/flows/compliance/index.js';
import { naiveReport } from './naive.js';

export interface PhaseOptions {
  readonly simUrl: string;
  readonly dir: string;
  readonly today: string;
  readonly days: number;
  readonly naiveSample: number;
  /** History worker threads for the report phases (0 = parse on the main thread). */
  readonly workers: number;
}

const CTX = { accountId: '111122223333', region: 'eu-west-1' };
/** Pages timed by the `pageChain` phase (2 s at 50 ms a page), after the first ones, which warm the client and the simulator up. */
const PAGE_CHAIN_WARMUP = 10;
const PAGE_CHAIN_SAMPLE = 40;

/** An inventory call the history-only build must never make. */
const unused = (): never => {
  throw new Error('the history-only build read the fleet');
};

/** Real time, shifted so "now" is 02:15 UTC on the benchmark's day in every phase. */
function benchClock(today: string, hour = '02:15'): Clock {
  const start = Date.parse(`${today}T${hour}:00Z`);
  const t0 = performance.now();
  return {
    now: () => new Date(start + (performance.now() - t0)),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function maxRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes on Linux.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function adapters(simUrl: string, clock: Clock) {
  const logger = silentLogger();
  const clients = createAwsClients({
    accounts: [],
    defaultRegion: CTX.region,
    logger,
    endpointOverrides: simUrl,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    clock,
  });
  return { clients, aws: createAwsAdapters({ clients, clock, logger, runbook: 'patchbridge-AdHocPatch' }) };
}

/** Deterministic 0..1 from a string. */
function unit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** Day `d` of the past, derived from today's snapshot: ~8 % of instances were non-compliant then, others as today. */
async function* pastDay(blobs: ReturnType<typeof createFileBlobStore>, todayKey: string, day: string): AsyncGenerator<SnapshotRecord> {
  for await (const r of readHistoryObject(blobs, todayKey)) {
    const u = unit(`${r.instance_id}|${day}`);
    if (r.status === 'UNREPORTED') yield { ...r, captured_at: `${day}T02:15:00.000Z` };
    else if (u < 0.08) yield { ...r, captured_at: `${day}T02:15:00.000Z`, status: 'NON_COMPLIANT', missing_count: r.missing_count + 1 + Math.floor(u * 50) };
    else if (u > 0.97) yield { ...r, captured_at: `${day}T02:15:00.000Z`, status: 'COMPLIANT', missing_count: 0, failed_count: 0, installed_pending_reboot_count: 0, installed_rejected_count: 0 };
    else yield { ...r, captured_at: `${day}T02:15:00.000Z` };
  }
}

const phases: Record<string, (o: PhaseOptions) => Promise<Record<string, unknown>>> = {
  async snapshot(o) {
    const clock = benchClock(o.today);
    const { clients, aws } = adapters(o.simUrl, clock);
    const blobs = createFileBlobStore({ dir: o.dir });
    const snapshot = createComplianceSnapshot({ inventory: aws.inventory, blobs, clock, logger: silentLogger(), targets: [CTX], staleDays: 7 });
    const t0 = performance.now();
    const result = await snapshot.run({ overwrite: true });
    const ms = performance.now() - t0;
    clients.destroy();
    const [obj] = result.objects;
    return { ms, instances: obj?.instances ?? 0, bytes: obj?.bytes ?? 0, maxRssMb: maxRssMb() };
  },

  /**
   * The first pages of `DescribeInstanceInformation` alone, one after another as
   * their tokens chain them: the round trip of one page on this machine now,
   * without the rest of the read alongside (the first pages, while the client's
   * and the simulator's code is still compiled, are not counted).
   */
  async pageChain(o) {
    const clock = benchClock(o.today);
    const { clients, aws } = adapters(o.simUrl, clock);
    let pages = 0;
    let t0 = 0;
    for await (const _page of aws.inventory.instancePages(CTX)) {
      if (pages === PAGE_CHAIN_WARMUP) t0 = performance.now();
      if (++pages > PAGE_CHAIN_WARMUP + PAGE_CHAIN_SAMPLE) break;
    }
    const msPerPage = (performance.now() - t0) / PAGE_CHAIN_SAMPLE;
    clients.destroy();
    return { pages: PAGE_CHAIN_SAMPLE, warmup: PAGE_CHAIN_WARMUP, msPerPage, maxRssMb: maxRssMb() };
  },

  async history(o) {
    const blobs = createFileBlobStore({ dir: o.dir });
    const todayKey = historyKey(CTX, o.today);
    const t0 = performance.now();
    let bytes = 0;
    for (let d = 1; d < o.days; d++) {
      const day = addDays(o.today, -d);
      bytes += await writeHistoryObject(blobs, historyKey(CTX, day), pastDay(blobs, todayKey, day));
    }
    return { ms: performance.now() - t0, objects: o.days - 1, bytes, maxRssMb: maxRssMb() };
  },

  async report(o) {
    const clock = benchClock(o.today, '06:00');
    const { clients, aws } = adapters(o.simUrl, clock);
    const blobs = createFileBlobStore({ dir: o.dir });
    const t0 = performance.now();
    let historyDoneAt = t0;
    const onProgress = (p: BuildProgress) => {
      if (p.phase === 'history') historyDoneAt = performance.now();
    };
    // The live case: today's snapshot (minutes old in real time) must not stand in for the fleet here.
    const report = await buildComplianceReport(
      { blobs, inventory: aws.inventory, clock, logger: silentLogger(), targets: [CTX], staleDays: 7, snapshotMaxAgeMs: 0, historyWorkers: o.workers },
      { period: { days: o.days }, onProgress },
    );
    const builtAt = performance.now();
    const bytes = (await putReportFiles(blobs, report, { createdDay: o.today, reportId: 'bench', formats: REPORT_FORMATS })).reduce((t, f) => t + f.size, 0);
    const end = performance.now();
    clients.destroy();
    const historyRecords = report.stats.records - report.summary.fleet.trend.at(-1)!.instances;
    return {
      historyMs: historyDoneAt - t0,
      liveMs: builtAt - historyDoneAt,
      filesMs: end - builtAt,
      totalMs: end - t0,
      records: report.stats.records,
      historyRecords,
      instances: report.stats.instances,
      rows: report.stats.instances,
      compliancePct: report.summary.fleet.compliancePct,
      fileBytes: bytes,
      maxRssMb: maxRssMb(),
    };
  },

  /** The history part alone: the same earlier days, no live read (what the live read overlaps with). */
  async historyRead(o) {
    const clock = benchClock(o.today, '06:00');
    const blobs = createFileBlobStore({ dir: o.dir });
    const t0 = performance.now();
    const report = await buildComplianceReport(
      { blobs, inventory: { instancePages: unused, patchGroups: unused, patchStatesForGroup: unused, describePatchStates: unused, tags: unused }, clock, logger: silentLogger(), targets: [CTX], staleDays: 7, historyWorkers: o.workers },
      { period: { days: o.days - 1, end: addDays(o.today, -1) } },
    );
    const ms = performance.now() - t0;
    return { ms, records: report.stats.records, maxRssMb: maxRssMb() };
  },

  /**
   * The line parser alone on one day's lines, in this run: the scanner with its
   * JSON.parse fallback against the checked JSON.parse path (the baseline), best of 5 each.
   */
  async lineParse(o) {
    const lines = gunzipSync(await readFile(path.join(o.dir, historyKey(CTX, addDays(o.today, -1))))).toString('utf8').split('\n').filter(Boolean);
    const time = (parse: (line: string) => SnapshotRecord) => {
      const t0 = performance.now();
      for (const line of lines) parse(line);
      return performance.now() - t0;
    };
    let scanner = Number.POSITIVE_INFINITY;
    let json = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      json = Math.min(json, time(parseSnapshotJson));
      scanner = Math.min(scanner, time(parseSnapshotLine));
    }
    return { lines: lines.length, scannerUs: (scanner * 1000) / lines.length, jsonUs: (json * 1000) / lines.length };
  },

  /** A report for today half an hour after today's snapshot: the snapshot stands in for the live read. */
  async reuse(o) {
    const clock = benchClock(o.today, '02:45');
    const { clients, aws } = adapters(o.simUrl, clock);
    const blobs = createFileBlobStore({ dir: o.dir });
    // The snapshot phase wrote today's object in real time; date it to 02:15 of the benchmark's day.
    const taken = new Date(`${o.today}T02:15:00Z`);
    await utimes(path.join(o.dir, historyKey(CTX, o.today)), taken, taken);
    const t0 = performance.now();
    const report = await buildComplianceReport({ blobs, inventory: aws.inventory, clock, logger: silentLogger(), targets: [CTX], staleDays: 7, historyWorkers: o.workers }, { period: { days: o.days } });
    const builtAt = performance.now();
    const bytes = (await putReportFiles(blobs, report, { createdDay: o.today, reportId: 'bench-reuse', formats: REPORT_FORMATS })).reduce((t, f) => t + f.size, 0);
    const end = performance.now();
    clients.destroy();
    return { buildMs: builtAt - t0, totalMs: end - t0, reused: report.stats.snapshotsReused, records: report.stats.records, fileBytes: bytes, maxRssMb: maxRssMb() };
  },

  async naive(o) {
    const clock = benchClock(o.today, '06:00');
    const { clients, aws } = adapters(o.simUrl, clock);
    const days = periodDays(o.today, o.days);
    const t0 = performance.now();
    const all: SnapshotRecord[] = [];
    for (const day of days.slice(0, -1)) {
      const file = path.join(o.dir, historyKey(CTX, day));
      for (const line of gunzipSync(await readFile(file)).toString('utf8').split('\n')) if (line) all.push(JSON.parse(line) as SnapshotRecord);
    }
    const loadedAt = performance.now();
    // Live state per instance: one DescribeInstancePatchStates and one GetResources call each, on a sample.
    const ids = [...new Set(all.map((r) => r.instance_id))];
    const sample = ids.slice(0, o.naiveSample);
    const limit = pLimit(4);
    const a0 = performance.now();
    await Promise.all(sample.map((id) => limit(async () => {
      await aws.inventory.describePatchStates(CTX, [id]);
      await aws.inventory.tags(CTX, [id]);
    })));
    const apiSampleMs = performance.now() - a0;
    const c0 = performance.now();
    const { rows, csvBytes } = naiveReport(all, days);
    const computeMs = performance.now() - c0;
    clients.destroy();
    return {
      loadMs: loadedAt - t0,
      records: all.length,
      apiSample: sample.length,
      apiSampleMs,
      apiCallsPerInstance: 2,
      extrapolatedApiMs: (apiSampleMs / sample.length) * ids.length,
      computeMs,
      rows,
      csvBytes,
      maxRssMb: maxRssMb(),
    };
  },
};

// Before the phase's own work, with node, tsx and every module loaded.
const startRssMb = Math.round(process.memoryUsage().rss / 1048576);
const [name, json] = process.argv.slice(2);
const run = name ? phases[name] : undefined;
if (!run || !json) {
  process.stderr.write(`usage: phase.ts <${Object.keys(phases).join('|')}> <options json>\n`);
  process.exit(2);
}
const result = await run(JSON.parse(json) as PhaseOptions);
process.stdout.write(`${JSON.stringify({ ...result, startRssMb })}\n`);
