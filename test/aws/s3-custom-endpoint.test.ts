import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, silentLogger } from '../../src/core/index.js';
import { rejectionOf } from '../../src/core/testing.js';
import { loadConfig } from '../../src/config/index.js';
import { createCoreContext } from '../../src/runtime/index.js';

const BUCKET = 'pb-reports';
let dir: string;
let server: S3rver;
let port: number;
const saved = { ...process.env };

/** Environment as an operator pointing patchbridge at an S3 emulator would set it; the SDK reads it from process.env. */
function useEndpointEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pb-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 's3'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  port = (await server.run()).port;
  useEndpointEnv({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
});

afterAll(async () => {
  await server.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

async function openContext(endpointVar: 'AWS_ENDPOINT_URL' | 'AWS_ENDPOINT_URL_S3', url: string) {
  delete process.env['AWS_ENDPOINT_URL'];
  delete process.env['AWS_ENDPOINT_URL_S3'];
  useEndpointEnv({ [endpointVar]: url });
  const config = loadConfig({
    ...process.env,
    PATCHBRIDGE_DATA_DIR: dir,
    PATCHBRIDGE_STORE: `sqlite:${path.join(dir, `state-${endpointVar}.db`)}`,
    PATCHBRIDGE_BLOBS: `s3://${BUCKET}/patchbridge`,
  });
  return createCoreContext(config, { logger: silentLogger() });
}

describe('S3 behind a custom endpoint', () => {
  it.each(['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const)(
    'when %s names a host, then blobs are written, read and presigned with path-style addressing',
    async (endpointVar) => {
      const ctx = await openContext(endpointVar, `http://localhost:${port}`);
      try {
        const key = `reports/${endpointVar}/r.csv`;
        await ctx.blobs.put(key, Readable.from([Buffer.from('instance,state\ni-0abc,FAILED\n')]), { contentType: 'text/csv' });
        const chunks: Buffer[] = [];
        for await (const chunk of await ctx.blobs.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
        expect(Buffer.concat(chunks).toString()).toBe('instance,state\ni-0abc,FAILED\n');

        const link = await ctx.blobs.presign(key, 300, { fileName: 'r.csv' });
        expect(link).toBeDefined();
        const url = new URL(link ?? '');
        expect(url.host).toBe(`localhost:${port}`);
        expect(url.pathname.startsWith(`/${BUCKET}/patchbridge/`)).toBe(true);
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('instance,state\ni-0abc,FAILED\n');
      } finally {
        await ctx.close();
      }
    },
  );

  it('when the endpoint host does not resolve, then the error names the network cause and the host', async () => {
    const ctx = await openContext('AWS_ENDPOINT_URL_S3', `http://no-such-host.invalid:${port}`);
    try {
      const err = await rejectionOf(ctx.blobs.head('reports/x.csv'));
      expect(isAppError(err)).toBe(true);
      expect((err as Error).message).toMatch(/ENOTFOUND no-such-host\.invalid/);
    } finally {
      await ctx.close();
    }
  });
});
