import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { isAppError, ValidationError } from '../../core/index.js';
import { formatSnapshotLine, parseSnapshotJson, readSnapshotText, type SnapshotRecord } from '../../domain/index.js';
import { ComplianceError } from './errors.js';
import type { ReportBlobs } from './ports.js';

/** Lines per chunk handed to gzip: fewer, larger writes are much faster than one per line. */
const LINES_PER_CHUNK = 256;
/** Decompressed bytes per chunk when reading: about 80 records. */
const READ_CHUNK_BYTES = 64 * 1024;

async function* ndjsonChunks(records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>): AsyncGenerator<string> {
  let chunk: string[] = [];
  for await (const r of records) {
    chunk.push(formatSnapshotLine(r));
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
  const decoder = new StringDecoder('utf8');
  const lines = historyLineParser(key);
  let rest = '';
  for await (const chunk of gunzipHistory(await blobs.get(key), key)) {
    const text = rest + decoder.write(chunk);
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    const batch = lines(text.slice(0, end));
    if (batch.length > 0) yield batch;
  }
  const last = lines(rest + decoder.end());
  if (last.length > 0) yield last;
}

/**
 * The decompressed bytes of a gzip history object, in chunks of about 64 KB. A
 * stream that is not gzip fails with `HISTORY_CORRUPT` naming `key`.
 */
export async function* gunzipHistory(source: Readable, key: string): AsyncGenerator<Buffer> {
  // Larger chunks than zlib's 16 KB: a quarter of the hops between gunzip (on
  // libuv's thread pool) and the code that folds the records.
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (isAppError(err)) throw err;
    throw new ComplianceError('HISTORY_CORRUPT', `${key}: not a readable gzip object`, { cause: err, details: { key } });
  } finally {
    source.destroy();
  }
}

/**
 * Parses complete NDJSON lines of one history object, handed over in order
 * (the last piece may lack its newline), and checks each. Lines are counted
 * across calls, so a bad one fails with `HISTORY_CORRUPT` naming `key` and its
 * line. With `select`, a line it refuses is counted but not parsed (a history
 * worker parses only its share of the instances).
 */
export function historyLineParser(key: string, select?: (line: string) => boolean): (text: string) => SnapshotRecord[] {
  let lineNo = 0;
  const parse = (line: string): SnapshotRecord => {
    try {
      return parseSnapshotJson(line);
    } catch (err) {
      throw new ComplianceError('HISTORY_CORRUPT', `${key}: line ${lineNo}: ${err instanceof ValidationError ? err.message : 'unreadable'}`, {
        cause: err,
        details: { key, line: lineNo },
      });
    }
  };
  return (text) => {
    const out: SnapshotRecord[] = [];
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl === -1) nl = text.length;
      // A last piece without its newline may be the blank end of the object.
      if (nl > start && (nl < text.length || text.slice(start).trim().length > 0)) {
        lineNo++;
        if (select) {
          const line = text.slice(start, nl);
          if (select(line)) out.push(readSnapshotText(line, 0, line.length) ?? parse(line));
        } else {
          // Read in place when the line is in the writer's form; cut out only the others.
          out.push(readSnapshotText(text, start, nl) ?? parse(text.slice(start, nl)));
        }
      }
      start = nl + 1;
    }
    return out;
  };
}
