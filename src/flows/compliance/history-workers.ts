import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AccumulatorState } from '../../domain/index.js';
import { ComplianceError, type ComplianceErrorCode } from './errors.js';
import { gunzipHistory } from './history-io.js';
import type { HistoryWorkerInit, ToMain, ToWorker } from './history-share.js';

export interface HistoryWorkersOptions {
  /** Worker threads; each parses the lines of its share of the instances. */
  readonly count: number;
  readonly days: readonly string[];
  readonly patchGroups?: readonly string[];
}

export interface HistoryWorkers {
  /**
   * Decompresses one history object (objects in day order) and hands its lines
   * to every worker, about a megabyte at a time. Resolves once the last few
   * pieces are being parsed, so memory holds a few megabytes of text however
   * fast the store is.
   */
  parse(day: string, key: string, gzip: Readable): Promise<void>;
  /** Records folded so far by every worker. */
  readonly records: number;
  /**
   * Waits for every object, then hands each worker's part of the report to
   * `into` as it arrives, stopping that worker at once to free its memory.
   */
  finish(into: (part: AccumulatorState) => void): Promise<void>;
  /** Stops every worker (after `finish`, or after a failure). */
  close(): Promise<void>;
}

/** Decompressed bytes per piece handed to the workers. */
const PIECE_BYTES = 1 << 20;
/** Pieces handed over but not yet parsed by every worker, at most. */
const IN_FLIGHT = 4;
/**
 * The young generation of each worker. Parsing makes garbage at a high rate;
 * a small nursery keeps each worker's memory near its share of the report.
 */
const YOUNG_GENERATION_MB = 16;
const COMPLIANCE_CODES: ReadonlySet<string> = new Set<ComplianceErrorCode>(['HISTORY_CORRUPT']);

/**
 * Worker threads for `PATCHBRIDGE_REPORT_WORKERS`: a number as given; `auto` =
 * one per CPU but one, up to 4, from 4 CPUs. Below that the main thread parses:
 * on 2 shared CPUs two workers were slower than the main thread alone (they and
 * the decompression compete for the same cores) and cost about 65 MB each.
 */
export function historyWorkerCount(setting: number | 'auto', cpus: number = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return cpus >= 4 ? Math.min(4, cpus - 1) : 0;
}

function startWorker(init: HistoryWorkerInit): Worker {
  const options = { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./history-worker.js', self), options);
  // From source (tests, benchmarks) the worker is TypeScript, and a worker thread
  // does not inherit the loader: it runs as one bundle, as the built one would.
  return new Worker(devBundle(fileURLToPath(new URL('./history-worker.ts', self))), { ...options, eval: true, execArgv: [] });
}

let bundled: string | undefined;
function devBundle(entry: string): string {
  if (bundled !== undefined) return bundled;
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as { buildSync(o: Record<string, unknown>): { outputFiles: { text: string }[] } };
  const out = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' });
  bundled = out.outputFiles[0]?.text ?? '';
  return bundled;
}

/**
 * Worker threads that parse history objects in parallel. The main thread
 * decompresses each object once (zlib runs on libuv's thread pool) and shares
 * its lines with every worker; instances are split between the workers by a
 * hash of their id, and each parses only its own lines into an accumulator of
 * its share of the fleet. The parts merge without overlap, so the report's
 * memory stays one fleet's worth however many workers parse.
 */
export function startHistoryWorkers(options: HistoryWorkersOptions): HistoryWorkers {
  const workers = Array.from({ length: options.count }, (_, share) =>
    startWorker({ days: options.days, share, shares: options.count, ...(options.patchGroups ? { patchGroups: options.patchGroups } : {}) }),
  );
  const done = workers.map(() => 0);
  const states: (AccumulatorState | undefined)[] = workers.map(() => undefined);
  const merged = workers.map(() => false);
  // Pieces are written into a small ring of shared buffers: a buffer is reused only
  // once every worker has parsed what it held (at most IN_FLIGHT pieces are out).
  const ring = Array.from({ length: IN_FLIGHT + 1 }, () => new SharedArrayBuffer(2 * PIECE_BYTES));
  let records = 0;
  let seq = 0;
  let failure: Error | undefined;
  let closing = false;
  let waiters: (() => void)[] = [];
  const notify = () => {
    const list = waiters;
    waiters = [];
    for (const w of list) w();
  };
  const fail = (err: Error) => {
    failure ??= err;
    notify();
  };
  const until = async (ready: () => boolean) => {
    while (!ready()) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    if (failure) throw failure;
  };

  for (const [i, worker] of workers.entries()) {
    worker.on('message', (message: ToMain) => {
      if (message.type === 'done') {
        done[i] = message.seq;
        records += message.records;
      } else if (message.type === 'state') {
        states[i] = message.state;
      } else {
        const code = COMPLIANCE_CODES.has(message.code) ? (message.code as ComplianceErrorCode) : 'HISTORY_WORKER_FAILED';
        fail(new ComplianceError(code, message.message, message.details ? { details: message.details } : {}));
      }
      notify();
    });
    worker.on('error', (err) => fail(new ComplianceError('HISTORY_WORKER_FAILED', `a history worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (!closing && !merged[i]) fail(new ComplianceError('HISTORY_WORKER_FAILED', `a history worker stopped (exit code ${code})`));
    });
  }
  const post = (message: ToWorker) => {
    for (const w of workers) w.postMessage(message);
  };

  return {
    async parse(day, key, gzip) {
      if (failure) throw failure;
      // Decompressed bytes go straight into the next shared buffer of the ring (no
      // copy per piece on the heap); a piece is sent up to its last whole line.
      let slot = new Uint8Array(ring[(seq + 1) % ring.length] ?? new SharedArrayBuffer(2 * PIECE_BYTES));
      let used = 0;
      const send = async (end: number) => {
        seq++;
        post({ type: 'lines', seq, day, key, bytes: slot.subarray(0, end) });
        const rest = slot.subarray(end, used);
        const next = ring[(seq + 1) % ring.length] ?? new SharedArrayBuffer(2 * PIECE_BYTES);
        // Wait before reusing `next`: every worker must be done with the piece it held.
        await until(() => done.every((d) => d >= seq - IN_FLIGHT));
        slot = new Uint8Array(next.byteLength >= rest.byteLength + PIECE_BYTES ? next : new SharedArrayBuffer(rest.byteLength + 2 * PIECE_BYTES));
        slot.set(rest);
        used = rest.byteLength;
      };
      for await (const chunk of gunzipHistory(gzip, key)) {
        if (used + chunk.byteLength > slot.byteLength) {
          const grown = new Uint8Array(new SharedArrayBuffer(2 * (used + chunk.byteLength)));
          grown.set(slot.subarray(0, used));
          slot = grown;
        }
        slot.set(chunk, used);
        used += chunk.byteLength;
        if (used < PIECE_BYTES) continue;
        // Whole lines only: a piece never splits a line (nor a UTF-8 character).
        const end = Buffer.from(slot.buffer, slot.byteOffset, used).lastIndexOf(10) + 1;
        if (end > 0) await send(end);
      }
      if (used > 0) await send(used);
    },
    get records() {
      return records;
    },
    async finish(into) {
      post({ type: 'finish' });
      for (let left = workers.length; left > 0; left--) {
        await until(() => states.some((s, i) => s !== undefined && !merged[i]));
        const i = states.findIndex((s, j) => s !== undefined && !merged[j]);
        const part = states[i];
        merged[i] = true;
        states[i] = undefined;
        await workers[i]?.terminate();
        if (part) into(part);
      }
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
