import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatSnapshotLine, type SnapshotRecord, ZERO_COUNTS } from '../../domain/index.js';
import { memoryBlobs } from '../../../test/compliance/support/memory-blobs.js';
import { readHistoryBatches, readHistoryObject, writeHistoryObject } from './history-io.js';

function record(n: number): SnapshotRecord {
  return {
    ...ZERO_COUNTS,
    captured_at: '2026-03-01T02:15:00.000Z',
    account_id: '111111111111',
    aws_region: 'eu-west-1',
    instance_id: `i-${n.toString(16).padStart(17, '0')}`,
    computer_name: `host-${n} "ü"`,
    platform_type: 'Linux',
    platform_name: 'Amazon Linux',
    resource_type: 'EC2Instance',
    patch_group: n % 2 ? 'web' : null,
    baseline_id: null,
    status: n % 3 ? 'COMPLIANT' : 'NON_COMPLIANT',
    last_operation: null,
    last_operation_at: null,
    ping_status: 'Online',
    last_ping_at: null,
    unmanaged: !(n % 2),
    stale: false,
    missing_count: n % 3 ? 0 : 1,
  };
}

async function collect(it: AsyncIterable<SnapshotRecord>): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('history objects', () => {
  it('when records are written and read back, then they are equal and in order', async () => {
    const blobs = memoryBlobs();
    const records = Array.from({ length: 1000 }, (_, n) => record(n));
    await writeHistoryObject(blobs, 'history/a/snapshot.ndjson.gz', records);
    expect(await collect(readHistoryObject(blobs, 'history/a/snapshot.ndjson.gz'))).toEqual(records);
    expect(blobs.objects.get('history/a/snapshot.ndjson.gz')?.contentType).toBe('application/gzip');
  });

  it('when an object is read in batches, then every record arrives once, in order, many to a batch and no line split across two', async () => {
    const blobs = memoryBlobs();
    const records = Array.from({ length: 5000 }, (_, n) => record(n));
    await writeHistoryObject(blobs, 'history/b', records);
    const batches: SnapshotRecord[][] = [];
    for await (const batch of readHistoryBatches(blobs, 'history/b')) batches.push(batch);
    expect(batches.flat()).toEqual(records);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(records.length / 20);
  });

  it('when the same records are written twice, then the bytes are identical (re-runs are idempotent)', async () => {
    const blobs = memoryBlobs();
    const records = Array.from({ length: 10 }, (_, n) => record(n));
    await writeHistoryObject(blobs, 'k1', records);
    await writeHistoryObject(blobs, 'k2', records);
    expect(blobs.objects.get('k1')?.body.equals(blobs.objects.get('k2')?.body ?? Buffer.alloc(0))).toBe(true);
  });

  it('when an object mixes the writer form with other spellings of JSON, then every line reads as JSON.parse reads it and a bad line is named by its number', async () => {
    const blobs = memoryBlobs();
    const lines = [
      formatSnapshotLine(record(1)),
      JSON.stringify(record(2)), // the counts first: another key order
      formatSnapshotLine(record(3)).replace('"ping_status":"Online"', '"ping_status":"On\\u006cine"'),
      formatSnapshotLine(record(4)).replace(/\}$/, ',"instance_id":"i-forged"}'),
      formatSnapshotLine(record(5)),
    ];
    await blobs.put('history/mixed', gzipSync(`${lines.join('\n')}\n`));
    expect(await collect(readHistoryObject(blobs, 'history/mixed'))).toEqual(lines.map((l) => JSON.parse(l)));
    expect((await collect(readHistoryObject(blobs, 'history/mixed')))[3]?.instance_id).toBe('i-forged');
    await blobs.put('history/mixed-bad', gzipSync(`${lines.join('\n')}\n${formatSnapshotLine(record(6)).replace('"stale":false', '"stale":0')}\n`));
    await expect(collect(readHistoryObject(blobs, 'history/mixed-bad'))).rejects.toThrow(
      expect.objectContaining({ code: 'HISTORY_CORRUPT', message: 'history/mixed-bad: line 6: history line has a bad or missing "stale"' }),
    );
  });

  it.each([
    ['is not gzip', Buffer.from('plain text'), /not a readable gzip object/],
    ['holds a bad line', gzipSync(`${JSON.stringify(record(1))}\n{"instance_id":1}\n`), /line 2: history line has a bad or missing/],
  ])('when the object %s, then reading fails with HISTORY_CORRUPT naming the key', async (_what, body, message) => {
    const blobs = memoryBlobs();
    await blobs.put('history/bad', body);
    await expect(collect(readHistoryObject(blobs, 'history/bad'))).rejects.toThrow(expect.objectContaining({ code: 'HISTORY_CORRUPT', message: expect.stringMatching(message) }));
  });
});
