import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobError } from './errors.js';
import type { BlobInfo, BlobStore } from './ports.js';

/** What a blob store implementation hands the contract suite for each test: a fresh, empty store. */
export interface BlobFixture {
  readonly store: BlobStore;
  readonly cleanup: () => Promise<void>;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * A deterministic byte stream produced chunk by chunk, hashing as it goes, so a
 * multi-megabyte round trip never holds the whole payload in the test.
 */
function generatedStream(totalBytes: number, chunkBytes = 64 * KIB): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  let n = 0;
  const stream = Readable.from(
    (function* () {
      while (produced < totalBytes) {
        const size = Math.min(chunkBytes, totalBytes - produced);
        const chunk = Buffer.alloc(size, n % 251);
        chunk.writeUInt32BE(n, 0);
        n += 1;
        produced += size;
        hash.update(chunk);
        yield chunk;
      }
    })(),
  );
  return { stream, digest: () => hash.digest('hex') };
}

/** A stream that sends some bytes, then fails, as an interrupted upstream download would. */
function failingStream(error: Error, bytesBeforeFailure = 256 * KIB): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(bytesBeforeFailure, 7);
      throw error;
    })(),
  );
}

async function readDigest(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    bytes += buffer.length;
    hash.update(buffer);
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function readText(store: BlobStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function collect(iterable: AsyncIterable<BlobInfo>): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

async function blobErrorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(BlobError);
    return (err as BlobError).code;
  }
  throw new Error('expected the call to reject');
}

/** Keys that must never reach the filesystem or the bucket. */
export const TRAVERSAL_KEYS: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['absolute', '/etc/passwd'],
  ['parent at start', '../secret'],
  ['parent in the middle', 'reports/../../etc/passwd'],
  ['parent at end', 'reports/..'],
  ['current folder', './reports/a.csv'],
  ['empty segment', 'reports//a.csv'],
  ['trailing slash', 'reports/'],
  ['backslash traversal', '..\\..\\windows\\system32'],
  ['backslash separator', 'reports\\a.csv'],
  ['NUL byte', 'reports/a.csv\u0000.png'],
  ['control character', 'reports/a\nb.csv'],
  ['too long', `r/${'x'.repeat(1024)}`],
];

/**
 * The behavioural contract every `BlobStore` passes. Each implementation calls
 * this from its own test file with a factory for a fresh, empty store.
 */
export function describeBlobStoreContract(name: string, makeStore: () => Promise<BlobFixture>): void {
  describe(`${name} BlobStore contract`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });

    afterEach(async () => {
      await cleanup();
    });

    it('when a multi-megabyte stream is put, then get streams back the same bytes and head reports the size', async () => {
      // Prepare
      const size = 6 * MIB + 123;
      const source = generatedStream(size);

      // Act
      const written = await store.put('history/dt=2026-01-01/snapshot.ndjson.gz', source.stream, {
        contentType: 'application/gzip',
      });
      const readBack = await readDigest(await store.get('history/dt=2026-01-01/snapshot.ndjson.gz'));

      // Assess
      expect(written).toMatchObject({ key: 'history/dt=2026-01-01/snapshot.ndjson.gz', size });
      expect(readBack).toEqual({ bytes: size, sha256: source.digest() });
      expect((await store.head('history/dt=2026-01-01/snapshot.ndjson.gz'))?.size).toBe(size);
    });

    it.each([
      ['a string', 'héllo, wörld', 14],
      ['a buffer', Buffer.from([0, 1, 2, 255]), 4],
    ])('when %s is put, then the reported size is its byte length and it reads back intact', async (_label, body, size) => {
      // Act
      const written = await store.put('reports/body.bin', body);

      // Assess
      expect(written.size).toBe(size);
      const read = await readDigest(await store.get('reports/body.bin'));
      expect(read).toEqual({ bytes: size, sha256: createHash('sha256').update(body).digest('hex') });
    });

    it('when a key is put again, then the new content replaces the old', async () => {
      // Prepare
      await store.put('reports/r.json', '{"v":1}');

      // Act
      await store.put('reports/r.json', '{"v":2}');

      // Assess
      expect(await readText(store, 'reports/r.json')).toBe('{"v":2}');
    });

    it('when the source stream fails part way, then put rejects with that error and no object appears', async () => {
      // Prepare
      const boom = new Error('upstream connection reset');

      // Act
      const err = await store.put('reports/partial.csv', failingStream(boom)).catch((e: unknown) => e);

      // Assess
      expect(err).toBe(boom);
      expect(await store.head('reports/partial.csv')).toBeUndefined();
      expect(await blobErrorCode(store.get('reports/partial.csv'))).toBe('NOT_FOUND');
      expect(await collect(store.list(''))).toEqual([]);
    });

    it('when overwriting fails part way, then the previous object is still whole', async () => {
      // Prepare
      await store.put('reports/keep.csv', 'a,b\n1,2\n');

      // Act
      await store.put('reports/keep.csv', failingStream(new Error('disk went away'))).catch(() => undefined);

      // Assess
      expect(await readText(store, 'reports/keep.csv')).toBe('a,b\n1,2\n');
    });

    it('when two writers put one key at once, then the object is exactly one of the two', async () => {
      // Prepare
      const a = 'a'.repeat(300 * KIB);
      const b = 'b'.repeat(200 * KIB);

      // Act
      await Promise.all([store.put('reports/race.txt', a), store.put('reports/race.txt', b)]);

      // Assess
      expect([a, b]).toContain(await readText(store, 'reports/race.txt'));
    });

    it.each(TRAVERSAL_KEYS)('when a key is %s, then every operation rejects it with INVALID_KEY', async (_label, key) => {
      // Act + Assess
      expect(await blobErrorCode(store.put(key, 'x'))).toBe('INVALID_KEY');
      expect(await blobErrorCode(store.get(key))).toBe('INVALID_KEY');
      expect(await blobErrorCode(store.head(key))).toBe('INVALID_KEY');
      expect(await blobErrorCode(store.delete(key))).toBe('INVALID_KEY');
      expect(await blobErrorCode(store.presign(key, 60))).toBe('INVALID_KEY');
    });

    it.each([
      ['a parent segment', '../'],
      ['an absolute path', '/etc/'],
      ['an empty segment', 'history//dt='],
      ['a NUL byte', 'history\u0000/'],
    ])('when a listing prefix has %s, then listing rejects it with INVALID_KEY', async (_label, prefix) => {
      expect(await blobErrorCode(collect(store.list(prefix)))).toBe('INVALID_KEY');
    });

    describe('listing', () => {
      const keys = [
        'b.txt',
        'a/c.txt',
        'a-b.txt',
        'a/b/c.txt',
        'history/dt=2026-01-02/x.ndjson.gz',
        'history/dt=2026-01-01/y.ndjson.gz',
        'history/dt=2025-12-31/z.ndjson.gz',
        'history/dtx/other.txt',
        'é.txt',
        'z.txt',
      ];

      beforeEach(async () => {
        for (const key of keys) await store.put(key, key);
      });

      it('when listing everything, then every key comes back once in UTF-8 byte order', async () => {
        // Act
        const listed = await collect(store.list(''));

        // Assess
        expect(listed.map((i) => i.key)).toEqual([
          'a-b.txt',
          'a/b/c.txt',
          'a/c.txt',
          'b.txt',
          'history/dt=2025-12-31/z.ndjson.gz',
          'history/dt=2026-01-01/y.ndjson.gz',
          'history/dt=2026-01-02/x.ndjson.gz',
          'history/dtx/other.txt',
          'z.txt',
          'é.txt',
        ]);
        expect(listed.find((i) => i.key === 'b.txt')?.size).toBe(5);
      });

      it.each([
        ['a folder', 'a/', ['a/b/c.txt', 'a/c.txt']],
        ['a partial segment', 'history/dt=2026-', ['history/dt=2026-01-01/y.ndjson.gz', 'history/dt=2026-01-02/x.ndjson.gz']],
        ['a partial name at the top', 'a', ['a-b.txt', 'a/b/c.txt', 'a/c.txt']],
        ['a full key', 'b.txt', ['b.txt']],
        ['nothing that exists', 'nothing/', []],
      ])('when listing under %s, then only keys starting with it come back', async (_label, prefix, expected) => {
        // Act
        const listed = await collect(store.list(prefix));

        // Assess
        expect(listed.map((i) => i.key)).toEqual(expected);
      });
    });

    it('when an object is deleted, then it is gone; deleting a missing key is not an error', async () => {
      // Prepare
      await store.put('reports/old.csv', 'x');

      // Act
      await store.delete('reports/old.csv');
      await store.delete('reports/never-existed.csv');

      // Assess
      expect(await store.head('reports/old.csv')).toBeUndefined();
      expect(await blobErrorCode(store.get('reports/old.csv'))).toBe('NOT_FOUND');
    });

    it('when a key does not exist, then get fails with NOT_FOUND and head returns undefined', async () => {
      expect(await blobErrorCode(store.get('reports/missing.csv'))).toBe('NOT_FOUND');
      expect(await store.head('reports/missing.csv')).toBeUndefined();
    });
  });
}
