import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobUrl } from '../config/index.js';
import { type Clock, ConfigError } from '../core/index.js';
import { createFileBlobStore } from './file/file-blob-store.js';
import type { BlobStore } from './ports.js';
import { createS3BlobStore } from './s3/s3-blob-store.js';

export interface CreateBlobStoreDeps {
  readonly clock?: Clock;
  /**
   * Required for `s3://` stores: the S3 client, or a factory for it (so a
   * file-backed runtime never builds an AWS client). The caller owns the client.
   */
  readonly s3Client?: S3Client | (() => S3Client | Promise<S3Client>);
  /** Caps presigned-link lifetime (seconds) below S3's 7-day maximum. */
  readonly presignMaxSeconds?: number;
}

/** Opens the blob store named by `config.blobs`: a folder on disk, or a bucket and prefix on S3. */
export async function createBlobStore(config: BlobUrl, deps: CreateBlobStoreDeps = {}): Promise<BlobStore> {
  switch (config.kind) {
    case 'file':
      return createFileBlobStore({ dir: config.dir, clock: deps.clock });
    case 's3': {
      if (deps.s3Client === undefined) {
        throw new ConfigError('PATCHBRIDGE_BLOBS', 'an s3:// blob store needs an S3 client from the AWS client factory');
      }
      const client = typeof deps.s3Client === 'function' ? await deps.s3Client() : deps.s3Client;
      return createS3BlobStore({
        client,
        bucket: config.bucket,
        prefix: config.prefix,
        presignMaxSeconds: deps.presignMaxSeconds,
        clock: deps.clock,
      });
    }
  }
}
