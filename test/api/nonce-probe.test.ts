import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { Router } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiAuthenticator, DEFAULT_TOLERANCE_SECONDS, signRequest } from '../../src/api/auth/index.js';
import { createApp } from '../../src/api/app.js';
import { startServer } from '../../src/api/server.js';
import { createSpecValidator } from '../../src/api/validation/index.js';
import { loadConfig } from '../../src/config/index.js';
import { ManualClock, silentLogger } from '../../src/core/index.js';
import { createSqliteStore, type StateStore } from '../../src/store/index.js';

const KEY = { id: 'sn-replay', secret: 'r'.repeat(48) };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const config = loadConfig({ PATCHBRIDGE_AWS_REGIONS: 'eu-west-1', PATCHBRIDGE_DATA_DIR: tmpdir(), PATCHBRIDGE_API_HMAC_KEYS: `${KEY.id}:${KEY.secret}` });
const SPEC = createSpecValidator({
  openapi: '3.1.0',
  paths: { '/v1/ping': { get: { operationId: 'ping', security: [{ hmac: ['patch-runs:read'] }], responses: {} } } },
});
const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function instance(clock: ManualClock) {
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const auth = createApiAuthenticator({ config, clock, logger: silentLogger(), store });
  const router = Router();
  router.get('/v1/ping', auth.authorize, (_req, res) => void res.json({ ok: true }));
  return createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, validation: SPEC.middleware, features: [router] });
}
const sign = (ts: number, nonce = randomBytes(16).toString('base64url')) => signRequest(KEY, { method: 'GET', pathWithQuery: '/v1/ping', body: '' }, { ts, nonce });
const parts = (header: string) => Object.fromEntries(header.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));

describe('nonce probes', () => {
  it('when an accepted request is replayed in another spelling of its header, then every spelling is refused', async () => {
    const clock = new ManualClock(T0);
    const app = instance(clock);
    const ts = Math.floor(T0 / 1000);
    const header = sign(ts);
    const p = parts(header);
    const variants = [
      `sig=${p.sig},nonce=${p.nonce},ts=${p.ts},keyId=${p.keyId}`,
      `keyId=${p.keyId}, ts=${p.ts}, nonce=${p.nonce}, sig=${p.sig}`,
      `keyId=${p.keyId},ts=000${p.ts},nonce=${p.nonce},sig=${p.sig}`,
      `keyId=${p.keyId},ts=${p.ts},nonce=${p.nonce},sig=${String(p.sig).toUpperCase()}`,
      `keyId=${p.keyId},ts=${p.ts},nonce=${p.nonce},sig=${Buffer.from(String(p.sig), 'hex').toString('base64')}`,
    ];
    expect((await request(app).get('/v1/ping').set('x-patchbridge-signature', header)).status).toBe(200);
    const statuses = [];
    for (const v of variants) statuses.push((await request(app).get('/v1/ping').set('x-patchbridge-signature', v)).status);
    expect(statuses).toEqual(variants.map(() => 401));
  });

  it('when a request signed at the far future edge of the tolerance is replayed at the far past edge, then it is refused', async () => {
    const clock = new ManualClock(T0);
    const app = instance(clock);
    const header = sign(Math.floor(T0 / 1000) + DEFAULT_TOLERANCE_SECONDS);
    expect((await request(app).get('/v1/ping').set('x-patchbridge-signature', header)).status).toBe(200);
    await clock.advance(2 * DEFAULT_TOLERANCE_SECONDS * 1000);
    // A spend elsewhere runs the sweep.
    expect((await request(app).get('/v1/ping').set('x-patchbridge-signature', sign(Math.floor(clock.now().getTime() / 1000)))).status).toBe(200);
    expect((await request(app).get('/v1/ping').set('x-patchbridge-signature', header)).status).toBe(401);
  });

  it('when 30 copies of one signed request arrive at once, then exactly one passes', async () => {
    const clock = new ManualClock(T0);
    const app = instance(clock);
    const header = sign(Math.floor(T0 / 1000));
    const statuses = (await Promise.all(Array.from({ length: 30 }, () => request(app).get('/v1/ping').set('x-patchbridge-signature', header)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200 && s !== 401)).toEqual([]);
  });

  it('when malformed signature headers arrive over a socket (non-ASCII, repeated lines, huge, control characters), then none is a 5xx', async () => {
    const clock = new ManualClock(T0);
    const server = await startServer(instance(clock), { host: '127.0.0.1', port: 0, logger: silentLogger() });
    const good = sign(Math.floor(T0 / 1000));
    const raw = async (headerLines: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const { port } = new URL(server.url);
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(Buffer.from(`GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerLines}\r\n`, 'latin1'));
        });
        let data = '';
        socket.on('data', (d) => (data += d.toString('latin1')));
        socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
        socket.on('error', reject);
      });
    try {
      const statuses = [
        await raw(`x-patchbridge-signature: ${good.replace('keyId=', 'keyId=\u00fc')}\r\n`),
        await raw(`x-patchbridge-signature: ${good}\r\nx-patchbridge-signature: ${good}\r\n`),
        await raw(`x-patchbridge-signature: ${good}\r\nx-patchbridge-signature: junk\r\n`),
        await raw(`x-patchbridge-signature: ${'a=b,'.repeat(3000)}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/nonce=[^,]+/, `nonce=${'n'.repeat(129)}`)}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/nonce=[^,]+/, 'nonce=\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9')}\r\n`),
        await raw(`x-patchbridge-signature: ,,,,\r\n`),
        await raw(`x-patchbridge-signature: =\r\n`),
        await raw(`x-patchbridge-signature: keyId=,ts=,nonce=,sig=\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/ts=\d+/, 'ts=99999999999999999999')}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/ts=\d+/, 'ts=-1')}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/ts=\d+/, 'ts=1e9')}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/keyId=[^,]+/, 'keyId=__proto__')}\r\n`),
        await raw(`x-patchbridge-signature: ${good.replace(/keyId=[^,]+/, 'keyId=constructor')}\r\n`),
        await raw(`x-patchbridge-signature: ${good}\r\nauthorization: Bearer a.b.c\r\n`),
      ];
      expect(statuses.filter((s) => s === 0 || s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 200)).toEqual([]);
    } finally {
      await server.close(0);
    }
  });
});
