/**
 * A history-parsing worker thread (see `history-workers.ts`): takes the
 * decompressed lines the main thread posts, parses those of its share of the
 * instances, folds them into its own accumulator and posts that back as plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ComplianceAccumulator, type SnapshotRecord, UNMANAGED_GROUP } from '../../domain/index.js';
import { historyLineParser } from './history-io.js';
import { type HistoryWorkerInit, shareOf, shareOfLine, type ToMain, type ToWorker } from './history-share.js';

const init = workerData as HistoryWorkerInit;
const port = parentPort;
if (!port) throw new Error('history-worker runs as a worker thread');

const acc = new ComplianceAccumulator({ days: init.days });
const groups = init.patchGroups ? new Set(init.patchGroups) : undefined;
const keep = (r: SnapshotRecord) => shareOf(r.instance_id, init.shares) === init.share && (!groups || groups.has(r.patch_group ?? UNMANAGED_GROUP));
// A line whose instance id cannot be read without parsing it is parsed, then kept or not.
const select = (line: string) => {
  const share = shareOfLine(line, init.shares);
  return share === undefined || share === init.share;
};
let current: { key: string; lines: (text: string) => SnapshotRecord[] } | undefined;

function handle(message: ToWorker): ToMain {
  if (message.type === 'finish') return { type: 'state', state: acc.state() };
  if (current?.key !== message.key) current = { key: message.key, lines: historyLineParser(message.key, select) };
  const before = acc.records;
  const text = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength).toString('utf8');
  for (const record of current.lines(text)) if (keep(record)) acc.add(message.day, record);
  return { type: 'done', seq: message.seq, records: acc.records - before };
}

port.on('message', (message: ToWorker) => {
  try {
    port.postMessage(handle(message));
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    port.postMessage({
      type: 'error',
      code: typeof e.code === 'string' ? e.code : 'UNEXPECTED',
      message: typeof e.message === 'string' ? e.message : String(err),
      ...(e.details && typeof e.details === 'object' ? { details: e.details as Record<string, unknown> } : {}),
    } satisfies ToMain);
  }
});
