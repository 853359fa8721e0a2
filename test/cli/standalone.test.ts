import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';

describe('standalone server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pb-standalone-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function config(extra: Record<string, string> = {}) {
    return loadConfig({
      PATCHBRIDGE_PORT: '0',
      PATCHBRIDGE_DATA_DIR: dir,
      PATCHBRIDGE_STORE: `sqlite:${dir}/state/state.db`,
      PATCHBRIDGE_BLOBS: `file:${dir}/blobs`,
      ...extra,
    });
  }

  it('when the data directories do not exist, then they are created, the store is ready, and missing API auth is reported', async () => {
    // ServiceNow configured (so no sandbox key is made), AWS simulated.
    const running = await startStandalone(config({ PATCHBRIDGE_SERVICENOW_URL: 'http://127.0.0.1:9', PATCHBRIDGE_SERVICENOW_USERNAME: 'u', PATCHBRIDGE_SERVICENOW_PASSWORD: 'p' }), {
      logger: silentLogger(),
    });
    try {
      const res = await fetch(`${running.url}/readyz`);
      const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }>; missing: { setting: string }[] };
      expect(body.checks['store']).toMatchObject({ ok: true });
      expect(body.missing.map((m) => m.setting)).toContain('PATCHBRIDGE_API_JWT_ISSUER');
      expect(body.missing.map((m) => m.setting)).not.toContain('PATCHBRIDGE_SERVICENOW_URL');
      expect(res.status).toBe(503);
      expect(body.status).toBe('not-ready');
    } finally {
      await running.close();
    }
  });

  it('serves the OpenAPI document as JSON', async () => {
    const running = await startStandalone(config(), { logger: silentLogger() });
    try {
      const res = await fetch(`${running.url}/openapi.json`);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/openapi.json']));
    } finally {
      await running.close();
    }
  });

  it('when an unknown route is called, then it answers problem+json 404', async () => {
    const running = await startStandalone(config(), { logger: silentLogger() });
    try {
      const res = await fetch(`${running.url}/v1/nope`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found' });
    } finally {
      await running.close();
    }
  });

  it('when closing with a request in flight, then the request completes and new connections are refused', async () => {
    // Prepare: a keep-alive connection holding a slow readiness check open is hard to
    // produce from outside, so hold a raw request open by not finishing its body.
    const running = await startStandalone(config(), { logger: silentLogger() });
    const { port } = new URL(running.url);
    const inflight = new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/healthz', headers: { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('{');
      setTimeout(() => req.end('}'), 200);
    });
    await new Promise((r) => setTimeout(r, 50));

    // Act
    const closed = running.close();
    const status = await inflight;
    await closed;

    // Assess: POST /healthz is not an operation of /healthz, so the in-flight request got a full 405 answer.
    expect(status).toBe(405);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
