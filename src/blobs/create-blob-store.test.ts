import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { createBlobStore } from './index.js';

describe('createBlobStore', () => {
  it('when the config names a folder, then a file store writes under it', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'pb-blob-factory-'));

    // Act
    const store = await createBlobStore({ kind: 'file', dir });
    await store.put('reports/a.csv', 'x');

    // Assess
    expect((await store.head('reports/a.csv'))?.size).toBe(1);
    expect(await store.presign('reports/a.csv', 60)).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the config names a bucket and deps give a client factory, then puts go to that bucket and prefix', async () => {
    // Prepare
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    const s3 = mockClient(client);
    s3.on(PutObjectCommand).resolves({});

    // Act
    const store = await createBlobStore({ kind: 's3', bucket: 'pb-reports', prefix: 'env/prod' }, { s3Client: () => client });
    await store.put('reports/a.csv', 'x');

    // Assess
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'pb-reports', Key: 'env/prod/reports/a.csv' });
  });

  it('when the config names a bucket but no client is given, then it fails naming the setting', async () => {
    // Act
    const err = await createBlobStore({ kind: 's3', bucket: 'pb-reports', prefix: '' }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ variable: 'PATCHBRIDGE_BLOBS' });
  });
});
