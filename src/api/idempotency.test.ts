import { Router } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../core/index.js';
import { createSqliteStore, type StateStore } from '../store/index.js';
import { createApp } from './app.js';
import { createIdempotency } from './idempotency.js';

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function setup(handler: (body: unknown) => Promise<{ statusCode: number; body: unknown }>, clientOf: () => string = () => 'client-a') {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const idempotency = createIdempotency({ store, clock, logger: silentLogger(), ttlSeconds: 3600 });
  const router = Router();
  router.post(
    '/things',
    (_req, res, next) => {
      res.locals['principal'] = { clientId: clientOf(), scheme: 'hmac', scopes: new Set() };
      next();
    },
    idempotency.handle('createThing', (req) => handler(req.body)),
  );
  return { app: createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, features: [router] }), clock };
}

describe('Idempotency-Key', () => {
  it('when the process holding a key died mid-request, then a retry runs once the in-progress lease has expired, not 409 for 24 h', async () => {
    // Prepare: the first request never answers, as if its process had been killed.
    let calls = 0;
    const { app, clock } = setup(async () => {
      calls++;
      if (calls === 1) return new Promise(() => {});
      return { statusCode: 201, body: { ok: true } };
    });
    const first = request(app).post('/things').set('idempotency-key', 'k-dead').send({ a: 1 });
    void first.then(() => undefined, () => undefined);
    await new Promise((r) => setTimeout(r, 50));

    // Act
    const during = await request(app).post('/things').set('idempotency-key', 'k-dead').send({ a: 1 });
    await clock.advance(121_000);
    const after = await request(app).post('/things').set('idempotency-key', 'k-dead').send({ a: 1 });
    const replay = await request(app).post('/things').set('idempotency-key', 'k-dead').send({ a: 1 });

    // Assess
    expect(during.status).toBe(409);
    expect(during.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(after.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(calls).toBe(2);
  });

  it('when the first request is still running, then a second with the same key is 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const { app } = setup(async () => {
      calls++;
      await gate;
      return { statusCode: 201, body: { n: calls } };
    });
    const first = request(app).post('/things').set('idempotency-key', 'k1').send({ a: 1 }).then((r) => r);
    await new Promise((r) => setTimeout(r, 20));
    const second = await request(app).post('/things').set('idempotency-key', 'k1').send({ a: 1 });
    release();
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect((await first).status).toBe(201);
    const third = await request(app).post('/things').set('idempotency-key', 'k1').send({ a: 1 });
    expect(third.body).toEqual({ n: 1 });
    expect(calls).toBe(1);
  });

  it('when the handler fails, then the key is released and a retry runs it again', async () => {
    let calls = 0;
    const { app } = setup(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return { statusCode: 202, body: { ok: true } };
    });
    const failed = await request(app).post('/things').set('idempotency-key', 'k2').send({ a: 1 });
    const retried = await request(app).post('/things').set('idempotency-key', 'k2').send({ a: 1 });
    expect([failed.status, retried.status]).toEqual([500, 202]);
    expect(calls).toBe(2);
  });

  it('when the same body comes with its keys in another order, then it is the same request', async () => {
    let calls = 0;
    const { app } = setup(async () => ({ statusCode: 202, body: { n: ++calls } }));
    await request(app).post('/things').set('content-type', 'application/json').set('idempotency-key', 'k3').send('{"a":1,"b":{"c":2,"d":3}}');
    const again = await request(app).post('/things').set('content-type', 'application/json').set('idempotency-key', 'k3').send('{"b":{"d":3,"c":2},"a":1}');
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(calls).toBe(1);
  });

  it('when two clients use the same key, then each gets its own answer', async () => {
    let client = 'client-a';
    let calls = 0;
    const { app } = setup(
      async () => ({ statusCode: 202, body: { n: ++calls } }),
      () => client,
    );
    const a = await request(app).post('/things').set('idempotency-key', 'shared').send({ a: 1 });
    client = 'client-b';
    const b = await request(app).post('/things').set('idempotency-key', 'shared').send({ a: 1 });
    expect([a.body.n, b.body.n]).toEqual([1, 2]);
  });

  it('when the stored answer has expired, then the key may be used afresh', async () => {
    let calls = 0;
    const { app, clock } = setup(async () => ({ statusCode: 202, body: { n: ++calls } }));
    await request(app).post('/things').set('idempotency-key', 'k4').send({ a: 1 });
    await clock.advance(3_601_000);
    const later = await request(app).post('/things').set('idempotency-key', 'k4').send({ a: 2 });
    expect(later.status).toBe(202);
    expect(later.body.n).toBe(2);
  });
});
