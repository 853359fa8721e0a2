/**
 * `npm run bench -- report-scale [--instances 50000] [--days 30] [--latency-ms 50]
 *   [--tps 20] [--groups 8] [--naive-sample 400] [--no-naive] [--workers N]`
 *
 * A 50,000-instance fleet in the AWS simulator, every call answered after 50 ms
 * and each API limited to 20 calls per second (throttled beyond, as SSM does).
 * Each phase runs in its own process (so is its peak RSS), the simulator in
 * another:
 * 1. snapshot: the daily snapshot over HTTP, timed against the throttle's lower
 *    bound (the pages the busiest API needs ÷ its TPS) and against the chain of
 *    instance pages (each carries the next one's token, so they are read one
 *    after another: their count × one page's round trip, timed alone first);
 * 2. history: 29 earlier days derived from it (not a measured figure);
 * 3. report: 30 days = 29 days of history + the live fleet, then CSV/HTML/JSON;
 * 4. naive: every day loaded into memory at once, and the live state read with
 *    per-instance calls (a sample, extrapolated to the fleet).
 * The report phases parse history with `--workers` threads (default as
 * `PATCHBRIDGE_REPORT_WORKERS=auto` on this machine); the history read alone
 * also runs on the main thread, its baseline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { historyWorkerCount } from '../../src/flows/compliance/index.js';
import type { PhaseOptions } from './phase.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RSS_LIMIT_MB = 300;
const RECORDS_PER_SECOND_TARGET = 300_000;
const TODAY = '2026-03-31';

interface Options {
  instances: number;
  days: number;
  latencyMs: number;
  tps: number;
  groups: number;
  naiveSample: number;
  naive: boolean;
  workers: number;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string', default: '50000' },
      days: { type: 'string', default: '30' },
      'latency-ms': { type: 'string', default: '50' },
      tps: { type: 'string', default: '20' },
      groups: { type: 'string', default: '8' },
      'naive-sample': { type: 'string', default: '400' },
      'no-naive': { type: 'boolean', default: false },
      workers: { type: 'string', default: 'auto' },
    },
  });
  const num = (name: 'instances' | 'days' | 'latency-ms' | 'tps' | 'groups' | 'naive-sample') => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return {
    instances: num('instances'),
    days: num('days'),
    latencyMs: num('latency-ms'),
    tps: num('tps'),
    groups: num('groups'),
    naiveSample: num('naive-sample'),
    naive: !values['no-naive'],
    workers: values.workers === 'auto' ? historyWorkerCount('auto') : Math.max(0, Math.floor(Number(values.workers) || 0)),
  };
}

type Counters = Record<string, { calls: number; ok: number; errors: number; throttled: number }>;

class SimProcess {
  readonly #child: ChildProcess;
  readonly #lines: Interface;
  readonly #pending: ((line: string) => void)[] = [];

  constructor(o: Options) {
    const args = JSON.stringify({ instances: o.instances, groups: o.groups, latencyMs: o.latencyMs, tps: o.tps, seed: 'report-scale', now: `${TODAY}T00:00:00Z` });
    this.#child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', path.join(here, 'sim-process.ts'), args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#lines = createInterface({ input: this.#child.stdout! });
    this.#lines.on('line', (line) => this.#pending.shift()?.(line));
  }

  #next(): Promise<string> {
    return new Promise((resolve) => this.#pending.push(resolve));
  }

  async url(): Promise<string> {
    return (JSON.parse(await this.#next()) as { url: string }).url;
  }

  async counters(reset = false): Promise<Counters> {
    const line = this.#next();
    this.#child.stdin!.write(reset ? 'reset\n' : 'stats\n');
    return (JSON.parse(await line) as { counters: Counters }).counters;
  }

  close(): void {
    this.#child.stdin!.end();
  }
}

async function phase<T>(name: string, o: PhaseOptions, heapMb?: number): Promise<T> {
  const args = ['--no-warnings', ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '--import', 'tsx', path.join(here, 'phase.ts'), name, JSON.stringify(o)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`phase ${name} exited with ${code}`);
  const last = out.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as T;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (v: number) => Math.round(v).toLocaleString('en');

export async function main(argv: string[]): Promise<void> {
  const o = options(argv);
  const dir = await mkdtemp(path.join(tmpdir(), 'pb-report-scale-'));
  const sim = new SimProcess(o);
  try {
    const simUrl = await sim.url();
    const base: PhaseOptions = { simUrl, dir, today: TODAY, days: o.days, naiveSample: o.naiveSample, workers: o.workers };
    process.stderr.write(`report-scale: ${n(o.instances)} instances, ${o.days} days, ${o.latencyMs} ms per call, ${o.tps} TPS per API\n`);

    process.stderr.write('  one instance page after another…\n');
    const chain = await phase<{ pages: number; warmup: number; msPerPage: number }>('pageChain', base);
    await sim.counters(true);
    process.stderr.write('  snapshot…\n');
    const snap = await phase<{ ms: number; instances: number; bytes: number; maxRssMb: number; startRssMb: number }>('snapshot', base);
    const calls = await sim.counters(true);
    // Each API has its own throttle and they run side by side, so the busiest one sets the bound.
    const pages = Object.fromEntries(Object.entries(calls).map(([op, c]) => [op, c.ok]));
    const [busiestOp, busiestPages] = Object.entries(pages).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    const lowerBoundMs = (busiestPages / o.tps) * 1000;
    const throttled = Object.values(calls).reduce((t, c) => t + c.throttled, 0);
    // Each instance page carries the token for the next, so they cannot overlap: the read takes at least their round trips end to end.
    const instancePages = pages['DescribeInstanceInformation'] ?? 0;
    const chainFloorMs = instancePages * chain.msPerPage;

    process.stderr.write(`  history (${o.days - 1} earlier days)…\n`);
    const hist = await phase<{ ms: number; bytes: number }>('history', base);
    process.stderr.write('  report…\n');
    const rep = await phase<{
      historyMs: number;
      liveMs: number;
      filesMs: number;
      totalMs: number;
      records: number;
      historyRecords: number;
      instances: number;
      fileBytes: number;
      maxRssMb: number;
      startRssMb: number;
    }>('report', base);
    const calls2 = await sim.counters(true);
    const liveThrottled = Object.values(calls2).reduce((t, c) => t + c.throttled, 0);
    process.stderr.write('  history read alone, main thread…\n');
    const histMain = await phase<{ ms: number; records: number; maxRssMb: number }>('historyRead', { ...base, workers: 0 });
    process.stderr.write(`  history read alone, ${o.workers} workers…\n`);
    const histRead = o.workers > 0 ? await phase<{ ms: number; records: number; maxRssMb: number }>('historyRead', base) : histMain;
    process.stderr.write('  line parser alone…\n');
    const lineParse = await phase<{ lines: number; scannerUs: number; jsonUs: number }>('lineParse', base);
    process.stderr.write('  report reusing this morning’s snapshot…\n');
    const reuse = await phase<{ buildMs: number; totalMs: number; reused: number; records: number; maxRssMb: number }>('reuse', base);
    const reuseCalls = Object.values(await sim.counters(true)).reduce((t, c) => t + c.calls, 0);
    let naive: { loadMs: number; records: number; apiSample: number; apiSampleMs: number; extrapolatedApiMs: number; computeMs: number; maxRssMb: number } | undefined;
    if (o.naive) {
      process.stderr.write('  naive builder…\n');
      naive = await phase('naive', base, 8192);
    }

    const rows: [string, string, string][] = [
      ['snapshot', `${s(snap.ms)} for ${n(snap.instances)} instances (${(snap.bytes / 1e6).toFixed(1)} MB gzip)`, `${(snap.ms / lowerBoundMs).toFixed(2)}× the throttle bound ${s(lowerBoundMs)} (${n(busiestPages)} ${busiestOp} pages ÷ ${o.tps} TPS)`],
      ['  calls', `${n(Object.values(pages).reduce((t, p) => t + p, 0))} pages over ${Object.keys(pages).length} APIs (below)`, `${n(throttled)} throttled answers retried`],
      ['  peak RSS', `${snap.maxRssMb} MB (${snap.startRssMb} MB before any work: node, tsx, SDK)`, `limit ${RSS_LIMIT_MB} MB: ${snap.maxRssMb < RSS_LIMIT_MB ? 'OK' : 'OVER'}`],
      ['history written', `${o.days - 1} days, ${(hist.bytes / 1e6).toFixed(1)} MB gzip in ${s(hist.ms)}`, '(setup, not measured)'],
      // The live read starts first and runs alongside the history: it ends `liveMs` after the history does.
      ['report build', `${s(rep.totalMs)} total: history done at ${s(rep.historyMs)}, live read done ${s(rep.liveMs)} later, files ${s(rep.filesMs)}`, `${n(rep.instances)} rows, ${n(rep.records)} records`],
      ['  rows per second', `${n(rep.historyRecords / (rep.historyMs / 1000))} history records/s`, `${n(rep.instances / (rep.totalMs / 1000))} report rows/s end to end`],
      ['  peak RSS', `${rep.maxRssMb} MB (${rep.startRssMb} MB before any work)`, `limit ${RSS_LIMIT_MB} MB: ${rep.maxRssMb < RSS_LIMIT_MB ? 'OK' : 'OVER'}`],
      [
        'history read alone',
        `${o.workers} workers ${s(histRead.ms)} = ${n(histRead.records / (histRead.ms / 1000))} records/s, peak RSS ${histRead.maxRssMb} MB; main thread ${s(histMain.ms)} = ${n(histMain.records / (histMain.ms / 1000))} records/s, ${histMain.maxRssMb} MB`,
        `×${(histMain.ms / histRead.ms).toFixed(2)} the main thread; target ≥ ${n(RECORDS_PER_SECOND_TARGET)} records/s: ${histRead.records / (histRead.ms / 1000) >= RECORDS_PER_SECOND_TARGET ? 'OK' : 'NOT MET'}`,
      ],
      [
        '  line parser',
        `${lineParse.scannerUs.toFixed(2)} µs per line (scanner, JSON.parse for what it refuses) vs ${lineParse.jsonUs.toFixed(2)} µs (JSON.parse and checks, baseline), ${n(lineParse.lines)} lines`,
        `×${(lineParse.jsonUs / lineParse.scannerUs).toFixed(2)} the baseline, same run`,
      ],
      [
        '  overlap',
        `history alone ${s(histRead.ms)} (${n(histRead.records / (histRead.ms / 1000))} records/s), live bound ${s(lowerBoundMs)}; in sequence ${s(histRead.ms + lowerBoundMs)}`,
        `end to end ${(rep.totalMs / Math.max(lowerBoundMs, histRead.ms)).toFixed(2)}× max(live bound, history) (target ≤ 1.10: ${rep.totalMs <= 1.1 * Math.max(lowerBoundMs, histRead.ms) ? 'OK' : 'OVER'}), ${n(liveThrottled)} throttled`,
      ],
      [
        '  same run',
        `the same fleet read took ${s(snap.ms)} in the snapshot phase (this machine's live read now)`,
        `end to end ${(rep.totalMs / Math.max(snap.ms, histRead.ms)).toFixed(2)}× max(that read, history alone); in sequence it would be ${((histRead.ms + snap.ms) / Math.max(snap.ms, histRead.ms)).toFixed(2)}×`,
      ],
      [
        '  page chain',
        `one instance page after another, alone: ${chain.msPerPage.toFixed(1)} ms a page (${chain.pages} pages, after ${chain.warmup} to warm up), so ${n(instancePages)} pages take ≥ ${s(chainFloorMs)}`,
        `snapshot ${(snap.ms / chainFloorMs).toFixed(2)}×, report end to end ${(rep.totalMs / Math.max(chainFloorMs, histRead.ms)).toFixed(2)}× max(that floor, history)`,
      ],
      [
        'report, fresh snapshot',
        `${s(reuse.totalMs)} (build ${s(reuse.buildMs)}), ${reuse.reused} snapshot reused, ${n(reuseCalls)} AWS calls`,
        `target < 10 s: ${reuse.totalMs < 10_000 ? 'OK' : 'OVER'}; ×${(rep.totalMs / reuse.totalMs).toFixed(1)} faster than the live build; peak RSS ${reuse.maxRssMb} MB`,
      ],
    ];
    if (naive) {
      const naiveTotal = naive.loadMs + naive.computeMs + naive.extrapolatedApiMs;
      rows.push(
        ['naive build', `load ${s(naive.loadMs)} (${n(naive.records)} records in memory), compute ${s(naive.computeMs)}`, ''],
        ['  per-instance API', `${s(naive.apiSampleMs)} for ${n(naive.apiSample)} instances (2 calls each)`, `extrapolated ${s(naive.extrapolatedApiMs)} for the fleet`],
        ['  vs streaming', `${s(naiveTotal)} vs ${s(rep.totalMs)}`, `${(naiveTotal / rep.totalMs).toFixed(1)}× slower`],
        ['  peak RSS', `${naive.maxRssMb} MB vs ${rep.maxRssMb} MB`, `${(naive.maxRssMb / rep.maxRssMb).toFixed(1)}× the memory`],
      );
    }
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    process.stdout.write(`\nreport-scale (node ${process.version}, ${n(o.instances)} instances × ${o.days} days, ${o.latencyMs} ms/call, ${o.tps} TPS/API, ${o.workers} history workers)\n`);
    for (const [a, b, c] of rows) process.stdout.write(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}\n`);
    process.stdout.write('  snapshot pages per API:\n');
    for (const [op, p] of Object.entries(pages).sort((a, b) => b[1] - a[1])) process.stdout.write(`    ${op.padEnd(42)} ${n(p).padStart(7)}  ≥ ${s((p / o.tps) * 1000)} at ${o.tps} TPS\n`);
    if (snap.maxRssMb >= RSS_LIMIT_MB || rep.maxRssMb >= RSS_LIMIT_MB || reuse.maxRssMb >= RSS_LIMIT_MB || histRead.maxRssMb >= RSS_LIMIT_MB) process.exitCode = 1;
  } finally {
    sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
