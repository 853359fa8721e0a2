import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, ValidationError } from '../../core/index.js';
import { rejectionOf } from '../../core/testing.js';
import { BlobError } from '../errors.js';
import type { BlobInfo } from '../ports.js';
import { mapS3Error } from './errors.js';
import { attachmentDisposition, createS3BlobStore } from './s3-blob-store.js';

const MIB = 1024 * 1024;

function s3Client(): S3Client {
  return new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret' },
  });
}

function s3Error(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** A stream of `total` bytes in 1 MiB chunks, generated lazily. */
function lazyStream(total: number, failAfter?: Error): Readable {
  return Readable.from(
    (async function* () {
      for (let sent = 0; sent < total; sent += MIB) yield Buffer.alloc(Math.min(MIB, total - sent), 1);
      if (failAfter) throw failAfter;
    })(),
  );
}

async function collect(iterable: AsyncIterable<BlobInfo>): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

function bodyLength(body: unknown): number {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return body.byteLength;
  throw new Error('expected a buffered part body');
}

describe('S3 blob store', () => {
  let client: S3Client;
  let s3: ReturnType<typeof mockClient>;
  const clock = new ManualClock('2026-04-01T00:00:00.000Z');

  beforeEach(() => {
    client = s3Client();
    s3 = mockClient(client);
  });

  const makeStore = (prefix = 'patchbridge/reports', presignMaxSeconds?: number) =>
    createS3BlobStore({ client, bucket: 'pb-bucket', prefix, presignMaxSeconds, clock, partSizeBytes: 5 * MIB, queueSize: 2 });

  describe('put', () => {
    it('when a small body is put, then one PutObject goes to the prefixed key with the content type', async () => {
      // Prepare
      s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });
      const store = makeStore();

      // Act
      const info = await store.put('history/dt=2026-04-01/a.ndjson.gz', Buffer.from('hello'), { contentType: 'application/gzip' });

      // Assess
      const calls = s3.commandCalls(PutObjectCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toMatchObject({
        Bucket: 'pb-bucket',
        Key: 'patchbridge/reports/history/dt=2026-04-01/a.ndjson.gz',
        ContentType: 'application/gzip',
      });
      expect(info).toEqual({
        key: 'history/dt=2026-04-01/a.ndjson.gz',
        size: 5,
        lastModified: clock.now(),
        contentType: 'application/gzip',
      });
    });

    it('when the store has no prefix, then keys go to the bucket unchanged', async () => {
      // Prepare
      s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });

      // Act
      await makeStore('').put('a.csv', 'x');

      // Assess
      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toBe('a.csv');
    });

    it('when a stream is larger than one part, then it goes up as a multipart upload and the size is counted', async () => {
      // Prepare
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
      s3.on(UploadPartCommand).callsFake((input: { PartNumber?: number }) => ({ ETag: `"part-${input.PartNumber}"` }));
      s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole"' });
      const store = makeStore();

      // Act
      const info = await store.put('reports/big.csv', lazyStream(12 * MIB), { contentType: 'text/csv' });

      // Assess
      expect(info.size).toBe(12 * MIB);
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
      expect(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
        Bucket: 'pb-bucket',
        Key: 'patchbridge/reports/reports/big.csv',
        ContentType: 'text/csv',
      });
      const parts = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
      expect(parts.map((p) => p.PartNumber).sort()).toEqual([1, 2, 3]);
      expect(parts.map((p) => bodyLength(p.Body)).sort((a, b) => a - b)).toEqual([2 * MIB, 5 * MIB, 5 * MIB]);
      expect(parts.every((p) => p.UploadId === 'upload-1')).toBe(true);
      const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
      expect(complete?.MultipartUpload?.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
      expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    });

    it('when the source stream fails mid-upload, then the multipart upload is aborted and the source error surfaces', async () => {
      // Prepare
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
      s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
      s3.on(AbortMultipartUploadCommand).resolves({});
      const boom = new Error('upstream reset');

      // Act
      const err = await rejectionOf(makeStore().put('reports/broken.csv', lazyStream(11 * MIB, boom)));

      // Assess
      expect(err).toBe(boom);
      expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
      expect(s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
        Bucket: 'pb-bucket',
        Key: 'patchbridge/reports/reports/broken.csv',
        UploadId: 'upload-2',
      });
    });

    it('when S3 fails a part, then the upload is aborted and put fails with a retryable UNAVAILABLE', async () => {
      // Prepare
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-3' });
      s3.on(UploadPartCommand).rejects(s3Error('SlowDown', 503));
      s3.on(AbortMultipartUploadCommand).resolves({});

      // Act
      const err = await rejectionOf(makeStore().put('reports/throttled.csv', lazyStream(11 * MIB)));

      // Assess
      expect(err).toBeInstanceOf(BlobError);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
      expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    });

    it('when a key is invalid, then nothing is sent to S3', async () => {
      // Act
      const err = await rejectionOf(makeStore().put('../escape', 'x'));

      // Assess
      expect(err).toMatchObject({ code: 'INVALID_KEY' });
      expect(s3.calls()).toHaveLength(0);
    });
  });

  describe('get, head, list, delete', () => {
    it('when an object exists, then get returns the SDK body stream', async () => {
      // Prepare
      const body = Readable.from([Buffer.from('a,b\n')]);
      s3.on(GetObjectCommand, { Bucket: 'pb-bucket', Key: 'patchbridge/reports/r.csv' }).resolves({
        Body: body as unknown as NonNullable<GetObjectCommandOutput['Body']>,
      });

      // Act
      const stream = await makeStore().get('r.csv');

      // Assess
      expect(stream).toBe(body);
    });

    it('when the object is missing, then get fails with NOT_FOUND and head returns undefined', async () => {
      // Prepare
      s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
      s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
      const store = makeStore();

      // Act + Assess
      expect(await rejectionOf(store.get('missing.csv'))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await store.head('missing.csv')).toBeUndefined();
    });

    it('when head is denied, then it fails with ACCESS_DENIED rather than claiming the object is absent', async () => {
      // Prepare
      s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));

      // Act
      const err = await rejectionOf(makeStore().head('secret.csv'));

      // Assess
      expect(err).toMatchObject({ code: 'ACCESS_DENIED', retryable: false });
    });

    it('when head finds the object, then size, time and content type come from S3', async () => {
      // Prepare
      const lastModified = new Date('2026-03-30T12:00:00.000Z');
      s3.on(HeadObjectCommand).resolves({ ContentLength: 42, LastModified: lastModified, ContentType: 'text/csv' });

      // Act
      const info = await makeStore().head('r.csv');

      // Assess
      expect(info).toEqual({ key: 'r.csv', size: 42, lastModified, contentType: 'text/csv' });
      expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'pb-bucket', Key: 'patchbridge/reports/r.csv' });
    });

    it('when a listing spans pages, then every key comes back without the store prefix', async () => {
      // Prepare
      const at = new Date('2026-03-01T00:00:00.000Z');
      s3.on(ListObjectsV2Command)
        .resolvesOnce({
          Contents: [
            { Key: 'patchbridge/reports/history/dt=2026-03-01/a.gz', Size: 1, LastModified: at },
            { Key: 'patchbridge/reports/history/dt=2026-03-01/b.gz', Size: 2, LastModified: at },
          ],
          IsTruncated: true,
          NextContinuationToken: 'token-2',
        })
        .resolvesOnce({
          Contents: [{ Key: 'patchbridge/reports/history/dt=2026-03-02/c.gz', Size: 3, LastModified: at }],
          IsTruncated: false,
        });

      // Act
      const listed = await collect(makeStore().list('history/'));

      // Assess
      expect(listed).toEqual([
        { key: 'history/dt=2026-03-01/a.gz', size: 1, lastModified: at },
        { key: 'history/dt=2026-03-01/b.gz', size: 2, lastModified: at },
        { key: 'history/dt=2026-03-02/c.gz', size: 3, lastModified: at },
      ]);
      const inputs = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
      expect(inputs[0]).toMatchObject({ Bucket: 'pb-bucket', Prefix: 'patchbridge/reports/history/' });
      expect(inputs[1]).toMatchObject({ ContinuationToken: 'token-2' });
    });

    it('when listing is denied, then iteration fails with ACCESS_DENIED', async () => {
      // Prepare
      s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));

      // Act
      const err = await rejectionOf(collect(makeStore().list('')));

      // Assess
      expect(err).toMatchObject({ code: 'ACCESS_DENIED' });
    });

    it('when an object is deleted, then DeleteObject targets the prefixed key', async () => {
      // Prepare
      s3.on(DeleteObjectCommand).resolves({});

      // Act
      await makeStore().delete('reports/old.csv');

      // Assess
      expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'pb-bucket',
        Key: 'patchbridge/reports/reports/old.csv',
      });
    });
  });

  describe('presign', () => {
    it.each([
      ['under every cap', 900, undefined, '900'],
      ['over the 7-day SigV4 maximum', 30 * 24 * 3600, undefined, '604800'],
      ['over the configured cap', 86_400, 3600, '3600'],
      ['fractional', 90.9, undefined, '90'],
    ])('when the expiry is %s, then X-Amz-Expires is clamped accordingly', async (_label, seconds, cap, expected) => {
      // Act
      const url = new URL((await makeStore('patchbridge/reports', cap).presign('reports/r.csv', seconds)) ?? '');

      // Assess
      expect(url.searchParams.get('X-Amz-Expires')).toBe(expected);
      expect(url.pathname).toBe('/patchbridge/reports/reports/r.csv');
      expect(url.hostname).toBe('pb-bucket.s3.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    });

    it('when a file name is given, then the link asks S3 to serve it as an attachment with that name', async () => {
      // Act
      const url = new URL((await makeStore().presign('reports/r.csv', 600, { fileName: 'Compliance März "Q1".csv' })) ?? '');

      // Assess
      expect(url.searchParams.get('response-content-disposition')).toBe(
        `attachment; filename="Compliance M_rz _Q1_.csv"; filename*=UTF-8''Compliance%20M%C3%A4rz%20%22Q1%22.csv`,
      );
    });

    it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('when the expiry is %s, then presign fails with VALIDATION_FAILED', async (seconds) => {
      // Act
      const err = await rejectionOf(makeStore().presign('reports/r.csv', seconds));

      // Assess
      expect(err).toBeInstanceOf(ValidationError);
    });

    it('when building the disposition, then quotes, slashes and control characters never reach the quoted name', () => {
      expect(attachmentDisposition('a"/\\\r\nb.csv')).toBe(`attachment; filename="a_____b.csv"; filename*=UTF-8''a%22%2F%5C%0D%0Ab.csv`);
    });
  });

  describe('error mapping', () => {
    it.each([
      ['NoSuchKey', 404, 'NOT_FOUND', false],
      ['NotFound', 404, 'NOT_FOUND', false],
      ['AccessDenied', 403, 'ACCESS_DENIED', false],
      ['Forbidden', 403, 'ACCESS_DENIED', false],
      ['InvalidAccessKeyId', 403, 'ACCESS_DENIED', false],
      ['KeyTooLongError', 400, 'INVALID_KEY', false],
      ['NoSuchBucket', 404, 'MISCONFIGURED', false],
      ['SlowDown', 503, 'UNAVAILABLE', true],
      ['InternalError', 500, 'UNAVAILABLE', true],
      ['RequestTimeout', 400, 'UNAVAILABLE', true],
      ['InvalidArgument', 400, 'MISCONFIGURED', false],
    ])('when S3 answers %s (%s), then the blob error is %s with retryable=%s', (name, status, code, retryable) => {
      // Act
      const mapped = mapS3Error(s3Error(name, status), 'get');

      // Assess
      expect(mapped).toMatchObject({ code, retryable, details: { awsError: name, httpStatus: status } });
    });

    it('when the network fails before S3 answers, then the error is a retryable UNAVAILABLE', () => {
      // Act
      const mapped = mapS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'put');

      // Assess
      expect(mapped).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    });
  });
});
