/**
 * Replay protection as deployed: the authenticator `createApiAuthenticator`
 * builds from configuration, over the real state stores. A signed request's
 * nonce is spent in the store, so a replay is refused by another instance on the
 * same store (a second process on one SQLite file, another Lambda container on
 * one DynamoDB table) and after a restart, for as long as its timestamp could
 * still be accepted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Router } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiAuthenticator, DEFAULT_TOLERANCE_SECONDS, signRequest } from '../../src/api/auth/index.js';
import { createApp } from '../../src/api/app.js';
import { createSpecValidator } from '../../src/api/validation/index.js';
import { loadConfig } from '../../src/config/index.js';
import { ManualClock, silentLogger } from '../../src/core/index.js';
import { createDynamoStore, createSqliteStore, type DynaliteServer, type StateStore, startDynalite } from '../../src/store/index.js';

const KEY = { id: 'sn-replay', secret: 'r'.repeat(48) };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const config = loadConfig({ PATCHBRIDGE_AWS_REGIONS: 'eu-west-1', PATCHBRIDGE_DATA_DIR: tmpdir(), PATCHBRIDGE_API_HMAC_KEYS: `${KEY.id}:${KEY.secret}` });
const SPEC = createSpecValidator({
  openapi: '3.1.0',
  paths: { '/v1/ping': { get: { operationId: 'ping', security: [{ hmac: ['patch-runs:read'] }], responses: {} } } },
});

/** One API instance (a process, a Lambda container) on `store`. */
function instance(store: StateStore, clock: ManualClock) {
  const auth = createApiAuthenticator({ config, clock, logger: silentLogger(), store });
  const router = Router();
  router.get('/v1/ping', auth.authorize, (_req, res) => void res.json({ ok: true }));
  return createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, validation: SPEC.middleware, features: [router] });
}

function signed(ts = Math.floor(T0 / 1000), nonce = randomBytes(16).toString('base64url')): string {
  return signRequest(KEY, { method: 'GET', pathWithQuery: '/v1/ping', body: '' }, { ts, nonce });
}

const get = (app: ReturnType<typeof instance>, header: string) => request(app).get('/v1/ping').set('x-patchbridge-signature', header);

describe('HMAC replay protection on a SQLite file shared by two processes', () => {
  let dir: string;
  let file: string;
  const open: StateStore[] = [];
  const connect = (clock: ManualClock) => {
    const store = createSqliteStore({ path: file, clock, logger: silentLogger() });
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pb-nonce-'));
    file = path.join(dir, 'state.db');
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when one instance accepted a signed request, then another instance on the same file refuses its replay', async () => {
    // Prepare
    const clock = new ManualClock(T0);
    const a = instance(connect(clock), clock);
    const b = instance(connect(clock), clock);
    const header = signed();

    // Act
    const first = await get(a, header);
    const replay = await get(b, header);

    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('UNAUTHORIZED');
  });

  it('when two instances receive the same signed request at once, then exactly one accepts it', async () => {
    const clock = new ManualClock(T0);
    const a = instance(connect(clock), clock);
    const b = instance(connect(clock), clock);
    const header = signed();

    const statuses = (await Promise.all([get(a, header), get(b, header), get(a, header), get(b, header)])).map((r) => r.status);

    expect(statuses.sort()).toEqual([200, 401, 401, 401]);
  });

  it('when an accepted request is replayed in another spelling of its header (field order, spaces, zero-padded ts, MAC in upper-case hex or Base64), then every spelling is refused', async () => {
    // Prepare: every spelling carries the same key, nonce, ts and MAC, so each one verifies.
    const clock = new ManualClock(T0);
    const app = instance(connect(clock), clock);
    const header = signed();
    const p = Object.fromEntries(header.split(',').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
    const spellings = [
      `sig=${p['sig']},nonce=${p['nonce']},ts=${p['ts']},keyId=${p['keyId']}`,
      `keyId=${p['keyId']}, ts=${p['ts']}, nonce=${p['nonce']}, sig=${p['sig']}`,
      `keyId=${p['keyId']},ts=000${p['ts']},nonce=${p['nonce']},sig=${p['sig']}`,
      `keyId=${p['keyId']},ts=${p['ts']},nonce=${p['nonce']},sig=${String(p['sig']).toUpperCase()}`,
      `keyId=${p['keyId']},ts=${p['ts']},nonce=${p['nonce']},sig=${Buffer.from(String(p['sig']), 'hex').toString('base64')}`,
    ];

    // Act
    const first = await get(app, header);
    const replays = [];
    for (const spelling of spellings) replays.push((await get(app, spelling)).status);

    // Assess
    expect(first.status).toBe(200);
    expect(replays).toEqual(spellings.map(() => 401));
  });

  it('when the process restarts within the timestamp tolerance, then the replay is still refused', async () => {
    // Prepare: a request accepted, then the store closed as a stopping process closes it.
    const clock = new ManualClock(T0);
    const header = signed();
    const before = connect(clock);
    expect((await get(instance(before, clock), header)).status).toBe(200);
    await before.close();

    // Act: a new process on the same file, at the last second the timestamp is still accepted.
    await clock.advance(DEFAULT_TOLERANCE_SECONDS * 1000);
    const after = instance(connect(clock), clock);
    const replay = await get(after, header);
    const fresh = await get(after, signed(Math.floor(T0 / 1000)));

    // Assess: the same timestamp with a new nonce still passes, so the refusal is the spent nonce.
    expect(replay.status).toBe(401);
    expect(fresh.status).toBe(200);
  });

  it('when the nonce has expired and been swept, then its replay is refused by the timestamp', async () => {
    const clock = new ManualClock(T0);
    const store = connect(clock);
    const app = instance(store, clock);
    const header = signed();
    expect((await get(app, header)).status).toBe(200);

    // The nonce is kept twice the tolerance; past that the next claim sweeps it.
    await clock.advance((2 * DEFAULT_TOLERANCE_SECONDS + 2) * 1000);
    expect((await get(app, signed(Math.floor(clock.now().getTime() / 1000)))).status).toBe(200);
    const raw = new Database(file, { readonly: true });
    const kept = raw.prepare('SELECT nonce FROM nonces').all();
    raw.close();

    expect(kept).toHaveLength(1);
    expect((await get(app, header)).status).toBe(401);
  });
});

describe('HMAC replay protection on a DynamoDB table shared by two Lambda containers', () => {
  let dynalite: DynaliteServer;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite.stop();
  });
  const table = () => dynalite.freshTable();
  const connect = (tableName: string, clock: ManualClock) => createDynamoStore({ tableName, client: dynalite.client, clock, logger: silentLogger() });

  it('when one container accepted a signed request, then another container refuses its replay, also when both get it at once', async () => {
    const tableName = await table();
    const clock = new ManualClock(T0);
    const a = instance(connect(tableName, clock), clock);
    const b = instance(connect(tableName, clock), clock);

    const first = await get(a, signed(undefined, 'replayed-across-containers'));
    const replay = await get(b, signed(undefined, 'replayed-across-containers'));
    const header = signed();
    const raced = (await Promise.all([get(a, header), get(b, header)])).map((r) => r.status);

    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(raced.sort()).toEqual([200, 401]);
  });

  it('when a container starts after another accepted a request within the tolerance, then the replay is refused', async () => {
    const tableName = await table();
    const clock = new ManualClock(T0);
    const header = signed();
    expect((await get(instance(connect(tableName, clock), clock), header)).status).toBe(200);

    await clock.advance(DEFAULT_TOLERANCE_SECONDS * 1000);
    const later = instance(connect(tableName, clock), clock);

    expect((await get(later, header)).status).toBe(401);
    expect((await get(later, signed())).status).toBe(200);
  });
});
