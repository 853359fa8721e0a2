import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Clock, systemClock, ValidationError } from '../../core/index.js';
import { BlobError } from '../errors.js';
import { checkKey, MAX_KEY_BYTES, prefixFolders } from '../keys.js';
import type { BlobInfo, BlobStore } from '../ports.js';
import { mapS3Error } from './errors.js';

/** SigV4 presigned URLs cannot live longer than 7 days. */
export const MAX_PRESIGN_SECONDS = 604_800;

/** S3's smallest part (except the last) in a multipart upload. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface S3BlobStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/`; may be empty. */
  readonly prefix: string;
  /** Caps presigned-link lifetime below the SigV4 maximum of 604800 s. */
  readonly presignMaxSeconds?: number | undefined;
  /** Multipart part size; default 8 MiB, at least 5 MiB. */
  readonly partSizeBytes?: number;
  /** Parts uploaded concurrently; memory held is about `queueSize × partSizeBytes`. Default 4. */
  readonly queueSize?: number;
  /** Stamps `lastModified` on what `put` returns (S3's PutObject does not report it). */
  readonly clock?: Clock | undefined;
}

/** Counts bytes as they flow to the uploader, so `put` can report a size without buffering. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/**
 * RFC 6266 attachment disposition: a quoted ASCII fallback plus the exact
 * UTF-8 name in `filename*` (RFC 8187), so browsers save the file under its name.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * A blob store on S3. Streams go up with `lib-storage` (multipart above one part,
 * bounded concurrency, the multipart upload aborted on failure so no partial
 * object appears); `presign` signs a GET valid for at most 7 days. Note that a
 * link signed with temporary (role) credentials stops working when they expire.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { client, bucket } = options;
  const clock = options.clock ?? systemClock;
  const storePrefix = options.prefix.replace(/^\/+|\/+$/g, '');
  if (storePrefix !== '') prefixFolders(`${storePrefix}/`);
  const partSize = Math.max(MIN_PART_BYTES, options.partSizeBytes ?? 8 * 1024 * 1024);
  const queueSize = Math.max(1, Math.trunc(options.queueSize ?? 4));
  const presignCap = Math.min(MAX_PRESIGN_SECONDS, options.presignMaxSeconds ?? MAX_PRESIGN_SECONDS);

  const objectKey = (key: string): string => {
    checkKey(key);
    const full = storePrefix === '' ? key : `${storePrefix}/${key}`;
    if (Buffer.byteLength(full, 'utf8') > MAX_KEY_BYTES) {
      throw new BlobError('INVALID_KEY', `invalid blob key: longer than ${MAX_KEY_BYTES} bytes with the store prefix`);
    }
    return full;
  };
  const fromObjectKey = (full: string): string =>
    storePrefix === '' ? full : full.slice(storePrefix.length + 1);

  async function put(key: string, body: Readable | Buffer | string, putOptions?: { contentType?: string }): Promise<BlobInfo> {
    const Key = objectKey(key);
    const contentType = putOptions?.contentType;
    const params = { Bucket: bucket, Key, ...(contentType === undefined ? {} : { ContentType: contentType }) };

    if (!(body instanceof Readable)) {
      const bytes = Buffer.from(body);
      try {
        await new Upload({ client, params: { ...params, Body: bytes }, partSize, queueSize, leavePartsOnError: false }).done();
      } catch (err) {
        throw mapS3Error(err, 'put');
      }
      return { key, size: bytes.length, lastModified: clock.now(), ...(contentType === undefined ? {} : { contentType }) };
    }

    const counter = new ByteCounter();
    // Whichever side fails first owns the error: the pipeline then tears the other side down with it.
    let firstFailure: 'source' | 'upload' | undefined;
    body.once('error', () => {
      firstFailure ??= 'source';
    });
    const upload = new Upload({ client, params: { ...params, Body: counter }, partSize, queueSize, leavePartsOnError: false });
    const [fed, uploaded] = await Promise.allSettled([
      pipeline(body, counter),
      upload.done().catch((err: unknown) => {
        firstFailure ??= 'upload';
        // A failed upload stops reading; destroying the counter ends the pipeline instead of stalling it.
        counter.destroy(err instanceof Error ? err : new Error('S3 upload failed'));
        throw err;
      }),
    ]);
    // The caller's stream failing is the caller's error, not S3's; Upload has already aborted any multipart upload.
    if (firstFailure === 'source' && fed.status === 'rejected') throw fed.reason;
    if (uploaded.status === 'rejected') throw mapS3Error(uploaded.reason, 'put');
    if (fed.status === 'rejected') throw fed.reason;
    return { key, size: counter.bytes, lastModified: clock.now(), ...(contentType === undefined ? {} : { contentType }) };
  }

  async function get(key: string): Promise<Readable> {
    const Key = objectKey(key);
    let output: GetObjectCommandOutput;
    try {
      output = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
    } catch (err) {
      throw mapS3Error(err, 'get');
    }
    const stream: unknown = output.Body;
    if (!(stream instanceof Readable)) {
      throw new BlobError('INVALID_RESPONSE', 'S3 get returned no readable body');
    }
    return stream;
  }

  async function head(key: string): Promise<BlobInfo | undefined> {
    const Key = objectKey(key);
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? clock.now(),
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      const mapped = mapS3Error(err, 'head');
      if (mapped.code === 'NOT_FOUND') return undefined;
      throw mapped;
    }
  }

  async function* list(prefix: string): AsyncIterable<BlobInfo> {
    prefixFolders(prefix);
    const Prefix = storePrefix === '' ? prefix : `${storePrefix}/${prefix}`;
    try {
      for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix })) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined || !object.Key.startsWith(Prefix)) continue;
          yield {
            key: fromObjectKey(object.Key),
            size: object.Size ?? 0,
            lastModified: object.LastModified ?? new Date(0),
          };
        }
      }
    } catch (err) {
      throw mapS3Error(err, 'list');
    }
  }

  async function remove(key: string): Promise<void> {
    const Key = objectKey(key);
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    } catch (err) {
      throw mapS3Error(err, 'delete');
    }
  }

  async function presign(
    key: string,
    expiresInSeconds: number,
    presignOptions?: { fileName?: string },
  ): Promise<string | undefined> {
    const Key = objectKey(key);
    if (!Number.isFinite(expiresInSeconds) || expiresInSeconds < 1) {
      throw new ValidationError('VALIDATION_FAILED', 'expiresInSeconds must be at least 1', {
        details: { expiresInSeconds },
      });
    }
    const expiresIn = Math.min(Math.floor(expiresInSeconds), presignCap);
    const fileName = presignOptions?.fileName;
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key,
      ...(fileName === undefined ? {} : { ResponseContentDisposition: attachmentDisposition(fileName) }),
    });
    try {
      return await getSignedUrl(client, command, { expiresIn });
    } catch (err) {
      throw mapS3Error(err, 'presign');
    }
  }

  return { put, get, head, list, delete: remove, presign };
}
