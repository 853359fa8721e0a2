import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { describeBlobStoreContract } from '../contract.js';
import { BlobError } from '../errors.js';
import type { BlobInfo } from '../ports.js';
import { createFileBlobStore } from './file-blob-store.js';

describeBlobStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-blobs-'));
  return {
    store: createFileBlobStore({ dir: join(dir, 'root') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

async function collect(iterable: AsyncIterable<BlobInfo>): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of iterable) keys.push(info.key);
  return keys;
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe('file blob store on disk', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-blobs-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a write fails, then no temp file is left behind in the folder', async () => {
    // Prepare
    const store = createFileBlobStore({ dir });
    await store.put('reports/keep.csv', 'kept');
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024);
        throw new Error('source failed');
      })(),
    );

    // Act
    await store.put('reports/broken.csv', failing).catch(() => undefined);

    // Assess
    expect(await allFiles(dir)).toEqual(['keep.csv']);
  });

  it('when an object is written, then lastModified comes from the injected clock', async () => {
    // Prepare
    const clock = new ManualClock('2026-02-03T04:05:06.000Z');
    const store = createFileBlobStore({ dir, clock });

    // Act
    const written = await store.put('reports/a.csv', 'x', { contentType: 'text/csv' });

    // Assess
    expect(written).toEqual({ key: 'reports/a.csv', size: 1, lastModified: clock.now(), contentType: 'text/csv' });
    expect((await store.head('reports/a.csv'))?.lastModified).toEqual(clock.now());
  });

  it('when presigning, then the file store returns undefined (the server signs its own links)', async () => {
    // Prepare
    const store = createFileBlobStore({ dir });
    await store.put('reports/a.csv', 'x');

    // Act + Assess
    expect(await store.presign('reports/a.csv', 3600, { fileName: 'a.csv' })).toBeUndefined();
  });

  it.each([
    ['a key where an object is a folder', 'reports/a.csv', 'reports/a.csv/inner.csv'],
    ['a key where a folder of objects is', 'reports/folder/inner.csv', 'reports/folder'],
  ])('when putting %s, then it fails with INVALID_KEY', async (_label, first, second) => {
    // Prepare
    const store = createFileBlobStore({ dir });
    await store.put(first, 'x');

    // Act
    const err = await store.put(second, 'y').catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(BlobError);
    expect(err).toMatchObject({ code: 'INVALID_KEY' });
  });

  it('when the folder holds temp files and names that are not keys, then listing skips them', async () => {
    // Prepare
    const store = createFileBlobStore({ dir });
    await store.put('reports/a.csv', 'x');
    await writeFile(join(dir, 'reports', '.0b4c.pb-tmp'), 'half');
    await writeFile(join(dir, 'reports', 'back\\slash.csv'), 'odd');
    await mkdir(join(dir, 'empty-folder'));

    // Act
    const keys = await collect(store.list(''));

    // Assess
    expect(keys).toEqual(['reports/a.csv']);
  });

  it('when a key names a temp file, then it is rejected as reserved', async () => {
    // Prepare
    const store = createFileBlobStore({ dir });

    // Act
    const err = await store.put('reports/.x.pb-tmp', 'x').catch((e: unknown) => e);

    // Assess
    expect(err).toMatchObject({ code: 'INVALID_KEY' });
  });

  it('when the root folder does not exist yet, then listing is empty and head finds nothing', async () => {
    // Prepare
    const store = createFileBlobStore({ dir: join(dir, 'not-yet') });

    // Act + Assess
    expect(await collect(store.list(''))).toEqual([]);
    expect(await store.head('reports/a.csv')).toBeUndefined();
  });
});
