import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent, type Stats } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Clock, systemClock } from '../../core/index.js';
import { BlobError } from '../errors.js';
import { checkKey, compareKeys, keyProblem, keySegments, prefixFolders } from '../keys.js';
import type { BlobInfo, BlobStore } from '../ports.js';

export interface FileBlobStoreOptions {
  /** Root folder; created on first write. */
  readonly dir: string;
  /** Stamps each written file's modification time, so tests see deterministic `lastModified`. */
  readonly clock?: Clock | undefined;
}

// Writes land in a hidden sibling first; listings skip these names and keys may not use them.
const TEMP_SUFFIX = '.pb-tmp';
const isTempName = (name: string) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX);

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Maps a filesystem error to a `BlobError`; errors without an errno code (e.g. from a caller's stream) pass through. */
function mapFsError(err: unknown, operation: string): unknown {
  const code = errnoCode(err);
  if (code === undefined || err instanceof BlobError) return err;
  const details = { operation, errno: code };
  switch (code) {
    case 'ENOENT':
      return new BlobError('NOT_FOUND', 'blob not found', { cause: err, details });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new BlobError('ACCESS_DENIED', `blob ${operation} not permitted`, { cause: err, details });
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
    case 'ENAMETOOLONG':
      // On disk a key cannot be both an object and a folder of objects (`a` and `a/b`).
      return new BlobError('INVALID_KEY', 'blob key collides with an existing object or folder', { cause: err, details });
    default:
      return new BlobError(code === 'ENOSPC' || code === 'EDQUOT' ? 'NO_SPACE' : 'UNAVAILABLE', `blob ${operation} failed: ${code}`, { cause: err, details });
  }
}

function toReadable(body: Readable | Buffer | string): Readable {
  return typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
}

function info(key: string, stats: Stats, contentType?: string): BlobInfo {
  return {
    key,
    size: stats.size,
    lastModified: stats.mtime,
    ...(contentType === undefined ? {} : { contentType }),
  };
}

/**
 * A blob store on local disk for the standalone runtime. Each put streams into
 * a temp file in the target's folder, fsyncs it, then renames it into place, so
 * readers see the old object or the new one, never a part. Content types are
 * not kept (`head`/`list` omit them); `presign` returns `undefined` because the
 * standalone server signs its own download links.
 */
export function createFileBlobStore(options: FileBlobStoreOptions): BlobStore {
  const root = resolve(options.dir);
  const clock = options.clock ?? systemClock;

  const pathOf = (key: string): string => {
    const segments = keySegments(key);
    if (isTempName(segments[segments.length - 1]!)) throw new BlobError('INVALID_KEY', 'invalid blob key: reserved name');
    return join(root, ...segments);
  };

  /** Makes a rename durable: the new directory entry itself must reach the disk. */
  async function syncFolder(folder: string): Promise<void> {
    if (process.platform === 'win32') return; // Windows cannot open a directory for fsync.
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function put(key: string, body: Readable | Buffer | string, putOptions?: { contentType?: string }): Promise<BlobInfo> {
    const target = pathOf(key);
    const folder = dirname(target);
    try {
      await mkdir(folder, { recursive: true });
    } catch (err) {
      throw mapFsError(err, 'put');
    }
    const temp = join(folder, `.${randomUUID()}${TEMP_SUFFIX}`);
    let placed = false;
    try {
      // flush: the data is fsynced before the file is closed, so the rename never exposes unwritten blocks.
      await pipeline(toReadable(body), createWriteStream(temp, { flags: 'wx', flush: true }));
      const now = clock.now();
      await utimes(temp, now, now);
      await rename(temp, target);
      placed = true;
      await syncFolder(folder);
      return info(key, await stat(target), putOptions?.contentType);
    } catch (err) {
      throw mapFsError(err, 'put');
    } finally {
      if (!placed) await rm(temp, { force: true });
    }
  }

  async function get(key: string): Promise<Readable> {
    const path = pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw errnoCode(err) === 'ENOTDIR' ? new BlobError('NOT_FOUND', 'blob not found', { cause: err }) : mapFsError(err, 'get');
    }
    try {
      if (!(await handle.stat()).isFile()) throw new BlobError('NOT_FOUND', 'blob not found');
    } catch (err) {
      await handle.close();
      throw mapFsError(err, 'get');
    }
    return handle.createReadStream();
  }

  async function head(key: string): Promise<BlobInfo | undefined> {
    const path = pathOf(key);
    try {
      const stats = await stat(path);
      return stats.isFile() ? info(key, stats) : undefined;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw mapFsError(err, 'head');
    }
  }

  async function* list(prefix: string): AsyncIterable<BlobInfo> {
    const folders = prefixFolders(prefix);
    yield* walk(folders.length === 0 ? '' : `${folders.join('/')}/`, prefix);
  }

  /** Depth-first in key order: a folder `a` sorts as `a/`, which is where its keys sort among its siblings. */
  async function* walk(relative: string, prefix: string): AsyncIterable<BlobInfo> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, ...relative.split('/').filter(Boolean)), { withFileTypes: true });
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw mapFsError(err, 'list');
    }
    const children = entries
      .filter((e) => (e.isFile() && !isTempName(e.name)) || e.isDirectory())
      .map((e) => ({ key: `${relative}${e.name}${e.isDirectory() ? '/' : ''}`, folder: e.isDirectory() }))
      // Files put there by something else, whose names are not valid keys, are not listed.
      .filter((c) => keyProblem(c.folder ? c.key.slice(0, -1) : c.key) === undefined)
      .sort((a, b) => compareKeys(a.key, b.key));
    for (const child of children) {
      if (child.folder) {
        if (child.key.startsWith(prefix) || prefix.startsWith(child.key)) yield* walk(child.key, prefix);
        continue;
      }
      if (!child.key.startsWith(prefix)) continue;
      const found = await head(child.key);
      if (found) yield found;
    }
  }

  async function remove(key: string): Promise<void> {
    const path = pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = errnoCode(err);
      // Deleting what is not there (or is only a folder of other keys) is a no-op, as in S3.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      throw mapFsError(err, 'delete');
    }
  }

  async function presign(key: string): Promise<string | undefined> {
    checkKey(key);
    return undefined;
  }

  return { put, get, head, list, delete: remove, presign };
}
