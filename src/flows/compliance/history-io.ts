import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { isAppError, ValidationError } from '../../core/errors.js';
import { parseSnapshotLine, type SnapshotRecord } from '../../domain/index.js';
import { ComplianceError } from './errors.js';
import type { ReportBlobs } from './ports.js';

/** Lines per chunk handed to gzip: fewer, larger writes are much faster than one per line. */
const LINES_PER_CHUNK = 256;
/** Decompressed bytes per chunk when reading: about 80 records. */
const READ_CHUNK_BYTES = 64 * 1024;

async function* ndjsonChunks(records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>): AsyncGenerator<string> {
  let chunk: string[] = [];
  for await (const r of records) {
    chunk.push(JSON.stringify(r));
    if (chunk.length === LINES_PER_CHUNK) {
      yield `${chunk.join('\n')}\n`;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield `${chunk.join('\n')}\n`;
}

/**
 * Writes records (an array, or a stream of them) as one gzip NDJSON object. The blob port makes the object appear
 * whole or not at all, so a crash never leaves half a day behind. Node's gzip
 * header carries no timestamp, so the same records give the same bytes.
 */
export async function writeHistoryObject(
  blobs: Pick<ReportBlobs, 'put'>,
  key: string,
  records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>,
): Promise<number> {
  const gzip = createGzip();
  const source = Readable.from(ndjsonChunks(records));
  source.on('error', (err) => gzip.destroy(err));
  source.pipe(gzip);
  const info = await blobs.put(key, gzip, { contentType: 'application/gzip' });
  return info.size;
}

/**
 * Streams the records of one history object: gunzip, split lines, check each.
 * Memory is one chunk at a time whatever the object size. A corrupt object
 * fails with `ComplianceError('HISTORY_CORRUPT')` naming the key and line.
 */
export async function* readHistoryObject(blobs: Pick<ReportBlobs, 'get'>, key: string): AsyncGenerator<SnapshotRecord> {
  for await (const batch of readHistoryBatches(blobs, key)) yield* batch;
}

/**
 * The records of one history object, one array per decompressed chunk (a few
 * hundred records). A report folds millions of records: one await per chunk
 * rather than per record keeps both its time and its garbage down.
 */
export async function* readHistoryBatches(blobs: Pick<ReportBlobs, 'get'>, key: string): AsyncGenerator<SnapshotRecord[]> {
  const source = await blobs.get(key);
  // Larger chunks than zlib's 16 KB: a quarter of the hops between gunzip (on
  // libuv's thread pool) and the code that folds the records.
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  gunzip.setEncoding('utf8');
  let rest = '';
  let lineNo = 0;
  const parse = (line: string): SnapshotRecord => {
    lineNo++;
    try {
      return parseSnapshotLine(line);
    } catch (err) {
      throw new ComplianceError('HISTORY_CORRUPT', `${key}: line ${lineNo}: ${err instanceof ValidationError ? err.message : 'unreadable'}`, {
        cause: err,
        details: { key, line: lineNo },
      });
    }
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      const text = rest + chunk;
      const batch: SnapshotRecord[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        if (nl > start) batch.push(parse(text.slice(start, nl)));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    if (err instanceof ComplianceError || isAppError(err)) throw err;
    throw new ComplianceError('HISTORY_CORRUPT', `${key}: not a readable gzip object`, { cause: err, details: { key } });
  } finally {
    source.destroy();
  }
  if (rest.trim().length > 0) yield [parse(rest)];
}
