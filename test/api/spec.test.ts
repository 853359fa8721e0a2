import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { compileErrors, validate } from '@readme/openapi-parser';
import { type Router, Router as createRouter } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { loadOpenApiDocument, openApiPath } from '../../src/api/openapi-document.js';
import { completeValidation, createSpecValidator, listRoutes, validated } from '../../src/api/validation/index.js';
import { silentLogger } from '../../src/core/logger.js';

const root = path.resolve(path.dirname(openApiPath()), '..');
const routesDir = path.join(root, 'src/api/routes');

/**
 * Stands in for any dependency a router factory takes: every property is a
 * callable stand-in, so factories can register their routes without real flows.
 */
function standIn(): unknown {
  const target = () => undefined;
  return new Proxy(target, {
    get: (_t, prop) => (prop === 'then' ? undefined : standIn()),
    apply: () => standIn(),
  });
}

/** Every `*Routes` factory in src/api/routes (except the operations routes `createApp` mounts itself). */
async function featureRouters(): Promise<{ name: string; router: Router }[]> {
  const out: { name: string; router: Router }[] = [];
  for (const file of (await readdir(routesDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const mod = (await import(pathToFileURL(path.join(routesDir, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== 'function' || !name.endsWith('Routes') || name === 'operationsRoutes') continue;
      out.push({ name, router: (value as (deps: unknown) => Router)(standIn()) });
    }
  }
  return out;
}

describe('the OpenAPI contract', () => {
  it('when the module runs from src/, dist/src/ or a bundle, then the contract is found beside it, also in a checkout under a folder named src', () => {
    expect(openApiPath('/home/ops/src/patchbridge/src/api/openapi-document.ts')).toBe('/home/ops/src/patchbridge/openapi/patchbridge.yaml');
    expect(openApiPath('/home/ops/src/patchbridge/dist/src/api/openapi-document.js')).toBe('/home/ops/src/patchbridge/openapi/patchbridge.yaml');
    expect(openApiPath('/opt/patchbridge/src/api/openapi-document.ts')).toBe('/opt/patchbridge/openapi/patchbridge.yaml');
    expect(openApiPath('/var/task/index.mjs')).toBe('/var/task/openapi/patchbridge.yaml');
  });

  it('when validated, then it is a valid OpenAPI 3.1 document', async () => {
    const doc = loadOpenApiDocument();
    expect(doc['openapi']).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.warnings).toEqual([]);
  });

  it('when an operation names a security scheme, then the scheme is defined', () => {
    const doc = loadOpenApiDocument() as { paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>; components: { securitySchemes: Record<string, unknown> } };
    const defined = new Set(Object.keys(doc.components.securitySchemes));
    const used = Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => (op.security ?? []).flatMap((req) => Object.keys(req))));
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].filter((name) => !defined.has(name))).toEqual([]);
  });

  it('when /openapi.json is requested, then it serves the document', async () => {
    const doc = loadOpenApiDocument();
    const app = createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: doc } });
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('when the types are regenerated from the spec, then they equal the committed src/api/schema.gen.ts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pb-gen-'));
    try {
      const out = path.join(dir, 'schema.gen.ts');
      const cli = path.join(root, 'node_modules/openapi-typescript/bin/cli.js');
      await promisify(execFile)(process.execPath, [cli, openApiPath(), '-o', out], { cwd: root });
      const fresh = await readFile(out, 'utf8');
      const committed = await readFile(path.join(root, 'src/api/schema.gen.ts'), 'utf8');
      expect(committed === fresh, 'src/api/schema.gen.ts is stale: run `npm run gen:api`').toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when every router is mounted, then every route is in the spec and every spec operation has a route', async () => {
    const doc = loadOpenApiDocument();
    const routers = await featureRouters();
    expect(routers.map((r) => r.name)).toEqual(expect.arrayContaining(['patchRunRoutes', 'changeGateRoutes']));
    const app = createApp({
      logger: silentLogger(),
      operations: { checks: [], missing: () => [], openApi: doc },
      features: routers.map((r) => r.router),
    });
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const inApp = new Set(listRoutes(app).map(key));
    const inSpec = new Set(createSpecValidator(doc).operations.map(key));
    expect([...inApp].filter((r) => !inSpec.has(r)), 'routes missing from the spec').toEqual([]);
    expect([...inSpec].filter((r) => !inApp.has(r)), 'spec operations with no route').toEqual([]);
    expect(inSpec.size).toBeGreaterThan(10);
  });

  it('when a spec operation is protected, then it declares OAuth scopes and both schemes', () => {
    const doc = loadOpenApiDocument();
    const ops = createSpecValidator(doc).operations.filter((o) => o.path.startsWith('/v1/patch-runs') || o.path.startsWith('/v1/maintenance-windows'));
    expect(ops).toHaveLength(8);
    for (const op of ops) expect(op.scopes.length, op.operationId).toBe(1);
  });
});

describe('the spec validator', () => {
  const validator = createSpecValidator(loadOpenApiDocument());

  it.each([
    ['GET', '/v1/patch-runs/0b5c8f4e-2f3a-5d7e-9c1b-4a6e8d2f0c13', 'getPatchRun'],
    ['POST', '/v1/patch-runs/0b5c8f4e-2f3a-5d7e-9c1b-4a6e8d2f0c13/cancel', 'cancelPatchRun'],
    ['PUT', '/v1/maintenance-windows/mw-0123456789abcdef0/change-gate', 'putChangeGate'],
    ['GET', '/healthz', 'getHealth'],
  ])('when %s %s is matched, then it is %s', (method, p, operationId) => {
    expect(validator.match(method, p)?.operation.operationId).toBe(operationId);
  });

  it('when a path matches no operation, then the request is left to the 404 handler', () => {
    expect(validator.match('GET', '/v1/nothing-here')).toBeUndefined();
    expect(validator.match('PATCH', '/v1/patch-runs')).toBeUndefined();
  });

  /** The app with the validator and a stand-in authenticator that lets every caller through, as `authorize` does. */
  function appWithAuthenticatedCaller(calls: string[] = []) {
    const router = createRouter();
    router.use((_req, res, next) => {
      calls.push('authenticated');
      completeValidation(res);
      next();
    });
    return createApp({
      logger: silentLogger(),
      operations: { checks: [], missing: () => [], openApi: {} },
      validation: validator.middleware,
      features: [router],
    });
  }

  it('when a route reads the validated request as another operation than the one the spec matched, then 500, never a mistyped value', async () => {
    const appReading = (operationId: 'listPatchRuns' | 'getPatchRun') => {
      const router = createRouter();
      router.use((_req, res, next) => {
        completeValidation(res);
        next();
      });
      router.get('/v1/patch-runs', (_req, res) => void res.json(validated(res, operationId).query));
      return createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, validation: validator.middleware, features: [router] });
    };
    const right = await request(appReading('listPatchRuns')).get('/v1/patch-runs?limit=5');
    const wrong = await request(appReading('getPatchRun')).get('/v1/patch-runs?limit=5');
    expect(right.status).toBe(200);
    expect(right.body).toEqual({ limit: 5 });
    expect(wrong.status).toBe(500);
  });

  it.each([
    ['an unknown parameter', '/v1/patch-runs?changeRequest=CHG0030001&colour=red', 'colour'],
    ['__proto__', '/v1/patch-runs?__proto__=x&__proto__=y&changeRequest=CHG0030001', '__proto__'],
    ['constructor', '/v1/patch-runs?constructor=x', 'constructor'],
  ])('when the query string carries %s, then 400 names it as not allowed, and the route never runs', async (_name, url, named) => {
    const routed: unknown[] = [];
    const router = createRouter();
    router.use((_req, res, next) => {
      completeValidation(res);
      next();
    });
    router.get('/v1/patch-runs', (_req, res) => {
      routed.push(validated(res, 'listPatchRuns').query);
      res.json({});
    });
    const app = createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, validation: validator.middleware, features: [router] });
    const res = await request(app).get(url);
    const plain = await request(app).get('/v1/patch-runs?changeRequest=CHG0030001&limit=7');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'query', message: `must NOT have additional properties (${named})` }]);
    expect(plain.status).toBe(200);
    expect(routed).toEqual([{ changeRequest: 'CHG0030001', limit: 7 }]);
    expect(Object.getPrototypeOf(routed[0])).toBe(Object.prototype);
  });

  it('when a path parameter breaks its pattern, then 400 names it', async () => {
    const res = await request(appWithAuthenticatedCaller()).get('/v1/patch-runs/not-a-uuid');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('path/runId');
  });

  it('when a body has a type the operation does not declare, then 415', async () => {
    const res = await request(appWithAuthenticatedCaller()).post('/v1/patch-runs').set('content-type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when an operation has OAuth scopes, then its schema is checked only after the caller is authenticated', async () => {
    const calls: string[] = [];
    const app = createApp({
      logger: silentLogger(),
      operations: { checks: [], missing: () => [], openApi: {} },
      validation: validator.middleware,
      features: [],
    });
    const refused = await request(app).post('/v1/patch-runs').set('content-type', 'application/json').send('{"changeRequest":1}');
    const checked = await request(appWithAuthenticatedCaller(calls)).post('/v1/patch-runs').set('content-type', 'application/json').send('{"changeRequest":1}');
    // Without an authenticator nothing validated it: no route answered.
    expect(refused.status).toBe(404);
    expect(checked.status).toBe(400);
    expect(calls).toEqual(['authenticated']);
  });

  it('when HEAD is sent for a GET operation, then it is validated as that GET', () => {
    expect(validator.match('HEAD', '/v1/patch-runs')?.operation.operationId).toBe(validator.match('GET', '/v1/patch-runs')?.operation.operationId);
  });

  it.each([
    ['OPTIONS', 204, undefined],
    ['PATCH', 405, 'METHOD_NOT_ALLOWED'],
  ])('when %s is sent to a path of the API, then it is answered %i with Allow', async (method, status, code) => {
    const app = request(appWithAuthenticatedCaller());
    const res = method === 'OPTIONS' ? await app.options('/v1/patch-runs') : await app.patch('/v1/patch-runs');
    expect(res.status).toBe(status);
    expect(res.headers['allow']).toBe('GET, POST, HEAD, OPTIONS');
    if (code) expect(res.body.code).toBe(code);
  });
});
