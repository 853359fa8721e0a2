/**
 * `createApiApp` is the only app builder, in tests and benchmarks too: a harness
 * that assembles the API itself (its own `createApp`, a route factory, a
 * hand-built authenticator) tests a mounting that production never runs. Only
 * the unit tests listed here, each of one piece of the api layer, build an app
 * from `createApp` and a router, and each says why.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Files that may assemble an app from the api layer's pieces, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  'test/api-problem.test.ts': 'unit test of the problem+json error middleware, behind one throwing router',
  'test/api/spec.test.ts': 'unit test of the spec validator middleware, on hand-made documents',
  'test/api/route-scopes.test.ts': 'mounts every router with stand-in flows to prove each operation takes its scopes from the spec',
  'test/api/request-context.test.ts': 'unit test of the request context across the body parser, with one probe router',
  'src/api/auth/authenticator.test.ts': 'unit test of the authenticator, behind one router',
  'src/api/idempotency.test.ts': 'unit test of the idempotency middleware, behind one router',
  'src/api/routes/events.test.ts': 'unit test of the events router on its own',
  'test/api/nonce-replay.test.ts': 'unit test of replay protection: the authenticator built from configuration over the real stores, behind one router',
  'bench/api/apps.ts': "the baseline variant is the same routes with the middleware taken out, to measure what the middleware costs (the full variant is createApiApp's)",
};

/** A call that assembles an app or a piece of it: `createApp(`, a route factory such as `patchRunRoutes(`, or the authenticator. */
const ASSEMBLES = /\b(createApp|[a-z]\w*Routes|createAuthenticator)\(/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'lambda-cold-start') return [];
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

/** Files under test/ and bench/, and the unit tests under src/, that assemble an app themselves, with what they call. */
function assemblers(files: readonly string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const calls = new Set([...read(file).matchAll(ASSEMBLES)].map((m) => m[1]));
    if (calls.size > 0) found.push(`${file}: ${[...calls].sort().join(', ')}`);
  }
  return found;
}

describe('one app builder', () => {
  it('when a file under test/ or bench/ assembles an app from routes itself, then this fails naming the file and the calls', () => {
    const self = path.relative(ROOT, import.meta.filename);
    const files = [
      ...sources(path.join(ROOT, 'test')),
      ...sources(path.join(ROOT, 'bench')),
      ...sources(path.join(ROOT, 'src')).filter((f) => f.endsWith('.test.ts')),
    ]
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
      .filter((f) => f !== self && !(f in ALLOWED));

    expect(assemblers(files, (f) => readFileSync(path.join(ROOT, f), 'utf8'))).toEqual([]);
  });

  it('when a harness builds its own app, then the check finds it', () => {
    const harness = [
      "const app = createApp({ logger, operations, features: [patchRunRoutes({ auth, idempotency, patchRuns }), changeGateRoutes({ auth, changeGates })] });",
      'const auth = createAuthenticator({ clock, logger, store, hmacKeys });',
    ].join('\n');
    const productionLike = 'const app = createApiApp(core, { change: { patchRuns, changeGates } });';

    expect(assemblers(['harness.ts', 'ok.ts'], (f) => (f === 'harness.ts' ? harness : productionLike))).toEqual([
      'harness.ts: changeGateRoutes, createApp, createAuthenticator, patchRunRoutes',
    ]);
  });

  it('every allowed file still assembles an app, so the list does not outlive its reasons', () => {
    const stale = Object.keys(ALLOWED).filter((f) => assemblers([f], (x) => readFileSync(path.join(ROOT, x), 'utf8')).length === 0);

    expect(stale).toEqual([]);
  });
});
