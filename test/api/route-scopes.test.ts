/**
 * A route's scopes are declared once, in the OpenAPI spec's `security`; the
 * authenticator reads them from the operation the spec validator matched. This
 * proves it on every router `createApp` mounts: each scoped operation refuses a
 * caller without credentials (so the route is guarded at all), refuses a caller
 * holding every scope but its own, and lets in a caller holding only its own.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestHandler, Router } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { type Authenticator, createAuthenticator, type ResolvedHmacKey, SCOPES, signRequest } from '../../src/api/auth/index.js';
import { loadOpenApiDocument, openApiPath } from '../../src/api/openapi-document.js';
import { createSpecValidator, type SpecOperation } from '../../src/api/validation/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const routesDir = path.join(path.dirname(openApiPath()), '../src/api/routes');
const doc = loadOpenApiDocument();
const validator = createSpecValidator(doc);
const scoped = validator.operations.filter((o) => o.scopes.length > 0);

/** A key per case: holding only the operation's scopes, or every scope but those. */
function key(id: string, scopes: readonly string[]): ResolvedHmacKey {
  return { id, secret: `${id}-`.padEnd(40, 'k'), clientId: id, scopes: new Set(scopes) };
}

/** A callable stand-in for every dependency but the authenticator. */
function standIn(): unknown {
  const target = () => undefined;
  return new Proxy(target, { get: (_t, prop) => (prop === 'then' ? undefined : standIn()), apply: () => standIn() });
}

/**
 * Every feature router, mounted by `createApp` behind the spec validator, with
 * the real authenticator; a request it lets through is answered 299 there, so
 * no stand-in handler runs.
 */
async function appWithRealAuth(keys: readonly ResolvedHmacKey[]) {
  const real = createAuthenticator({
    clock: new ManualClock(T0),
    logger: silentLogger(),
    store: { spendNonce: async () => true },
    hmacKeys: { keysFor: async (id) => keys.filter((k) => k.id === id) },
  });
  const authorize: RequestHandler = (req, res, next) =>
    real.authorize(req, res, (err?: unknown) => (err === undefined ? void res.status(299).end() : next(err)));
  const auth: Authenticator = { authenticate: real.authenticate, authorize };
  const deps = new Proxy({}, { get: (_t, prop) => (prop === 'auth' ? auth : prop === 'then' ? undefined : standIn()) });
  const features: Router[] = [];
  for (const file of (await readdir(routesDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const mod: Record<string, unknown> = await import(pathToFileURL(path.join(routesDir, file)).href);
    for (const [name, factory] of Object.entries(mod)) {
      if (typeof factory === 'function' && name.endsWith('Routes') && name !== 'operationsRoutes') features.push(factory(deps));
    }
  }
  return createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: doc }, validation: validator.middleware, features });
}

/** A concrete path for the operation, with well-formed parameters. */
function concrete(op: SpecOperation): string {
  return op.path
    .replace('{runId}', '0b5c8f4e-2f3a-5d7e-9c1b-4a6e8d2f0c13')
    .replace('{windowId}', 'mw-0123456789abcdef0')
    .replace(/\{[^}]+\}/g, 'x');
}

async function call(app: Awaited<ReturnType<typeof appWithRealAuth>>, op: SpecOperation, as?: ResolvedHmacKey) {
  const p = concrete(op);
  const body = op.method === 'POST' || op.method === 'PUT' ? '{}' : '';
  let r = request(app)[op.method === 'DELETE' ? 'delete' : op.method === 'PUT' ? 'put' : op.method === 'POST' ? 'post' : 'get'](p);
  if (body) r = r.set('content-type', 'application/json');
  if (as) r = r.set('x-patchbridge-signature', signRequest(as, { method: op.method, pathWithQuery: p, body: Buffer.from(body) }, { ts: T0 / 1000, nonce: randomUUID() }));
  return body ? r.send(body) : r;
}

describe('route scopes come from the spec', () => {
  it('the spec grants exactly the scopes keys and tokens can hold', () => {
    expect(new Set(scoped.flatMap((o) => o.scopes))).toEqual(new Set(SCOPES));
    expect(scoped.length).toBeGreaterThanOrEqual(12);
  });

  it.each(scoped.map((o) => [o.operationId, o] as const))('%s: no credentials is 401, every other scope is 403, its own scopes let the caller in', async (_id, op) => {
    const own = key('own', op.scopes);
    const others = key('others', SCOPES.filter((s) => !op.scopes.includes(s)));
    const app = await appWithRealAuth([own, others]);

    const anonymous = await call(app, op);
    const wrong = await call(app, op, others);
    const right = await call(app, op, own);

    expect(anonymous.status).toBe(401);
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('FORBIDDEN');
    // 299: let through; 400: let through to the (deferred) schema check, which refused the stand-in input.
    expect([299, 400]).toContain(right.status);
  });

  it('when a route is reached without the spec validator, then authorize fails closed (500), never lets the caller in', async () => {
    const auth = createAuthenticator({ clock: new ManualClock(T0), logger: silentLogger(), store: { spendNonce: async () => true }, hmacKeys: { keysFor: async () => [] } });
    const { Router } = await import('express');
    const router = Router();
    router.get('/v1/patch-runs', auth.authorize, (_req, res) => void res.status(299).end());
    const app = createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: doc }, features: [router] });
    const res = await request(app).get('/v1/patch-runs');
    expect(res.status).toBe(500);
  });

  it('when an operation\'s OAuth and HMAC requirements name different scopes, then the spec is refused at start-up', () => {
    const broken = {
      openapi: '3.1.0',
      paths: { '/v1/x': { get: { operationId: 'getX', security: [{ oauth2: ['patch-runs:read'] }, { hmac: ['patch-runs:write'] }], responses: {} } } },
    };
    expect(() => createSpecValidator(broken)).toThrow(/getX.*scopes/);
  });
});
