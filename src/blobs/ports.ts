import type { Readable } from 'node:stream';

export interface BlobInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly contentType?: string;
}

/**
 * Object storage for history snapshots and reports. Keys are `/`-separated
 * relative paths (`history/account=…/region=…/dt=2026-11-01/snapshot.ndjson.gz`);
 * `..`, absolute paths and empty segments are rejected with `BlobError('INVALID_KEY')`.
 */
export interface BlobStore {
  /** Streams `body` to `key`; the object appears whole or not at all. */
  put(key: string, body: Readable | Buffer | string, options?: { contentType?: string }): Promise<BlobInfo>;
  /** Streams the object; `BlobError('NOT_FOUND')` if absent. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Every object under `prefix`, in key order. */
  list(prefix: string): AsyncIterable<BlobInfo>;
  delete(key: string): Promise<void>;
  /**
   * A time-limited download link. S3: a SigV4 presigned GET (expiry capped at
   * 7 days). File: `undefined` — the standalone server signs its own links.
   */
  presign(key: string, expiresInSeconds: number, options?: { fileName?: string }): Promise<string | undefined>;
}
