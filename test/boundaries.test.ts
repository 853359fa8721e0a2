/**
 * The layering of src/, checked rather than hoped for (modelled on
 * test/process-env.test.ts). Each top-level folder may import only the folders
 * listed for it, and only through the other folder's index.ts (a folder with
 * separate modules, flows/*, sim/*, api/* and runtime/*, through each module's index.ts);
 * a flow reaches another flow only through its index.ts; nothing imports a
 * Lambda handler; every handler stays within 30 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Which top-level folders each may import (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  domain: ['core'],
  config: ['core', 'domain'],
  servicenow: ['core', 'domain'],
  aws: ['config', 'core', 'domain'],
  store: ['config', 'core'],
  blobs: ['config', 'core'],
  events: ['core', 'domain'],
  flows: ['aws', 'blobs', 'config', 'core', 'domain', 'events', 'servicenow', 'store'],
  sim: ['aws', 'config', 'core', 'domain', 'servicenow'],
  api: ['aws', 'config', 'core', 'flows', 'store'],
  console: ['api', 'core', 'domain', 'flows', 'servicenow', 'sim', 'store'],
  runtime: ['api', 'aws', 'blobs', 'config', 'core', 'events', 'flows', 'servicenow', 'store'],
  handlers: ['core', 'events', 'flows', 'runtime'],
  cli: ['api', 'config', 'console', 'core', 'domain', 'flows', 'runtime', 'sim', 'store'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') && !full.endsWith('.test.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

/** The rule an import from `from` (a path under src/) of `spec` breaks, if any. */
function brokenRule(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.relative(SRC, path.resolve(SRC, path.dirname(from), spec));
  if (target.startsWith('..')) return undefined;
  const [top = '', ...rest] = from.split(path.sep);
  const [targetTop = '', ...targetRest] = target.split(path.sep);
  if (targetTop === top) {
    // Flows are separate capabilities: one reaches another only through its index.ts.
    if (top === 'flows' && rest[0] !== targetRest[0] && targetRest.slice(1).join('/') !== 'index.js') return `${target} is not flows/${targetRest[0]}/index.ts`;
    return undefined;
  }
  const allowed = ALLOWED[top];
  if (!allowed) return `src/${top} has no layer in this test`;
  if (!allowed.includes(targetTop)) return `src/${top} may not import src/${targetTop}`;
  const surface = targetRest.at(-1) ?? '';
  // A folder is reached through its index.ts; test support (sim, the store's contract suite) may also use a folder's testing.ts.
  if (surface === 'index.js') return undefined;
  if (surface === 'testing.js' && (top === 'sim' || rest.includes('contract'))) return undefined;
  return `${target} is not a folder's index.ts: src/${top} reaches src/${targetTop} only through it`;
}

describe('import boundaries', () => {
  it('when any module imports across a boundary, then this fails naming the import and the rule', () => {
    const broken: string[] = [];
    for (const file of files(SRC)) {
      const from = path.relative(SRC, file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const rule = brokenRule(from, m[1] ?? '');
        if (rule) broken.push(`${from} → ${m[1]}: ${rule}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('when a Lambda handler grows past 30 lines, then this fails naming it: a handler parses, calls one flow function and maps the result', () => {
    const long = readdirSync(path.join(SRC, 'handlers'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f, readFileSync(path.join(SRC, 'handlers', f), 'utf8').trimEnd().split('\n').length] as const)
      .filter(([, lines]) => lines > 30);
    expect(long).toEqual([]);
  });

  it('when a file in src/flows, src/store or src/handlers grows past 400 lines, then this fails naming it: split it along its seams', () => {
    const all = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? all(full) : full.endsWith('.ts') ? [full] : [];
      });
    const long = ['flows', 'store', 'handlers']
      .flatMap((dir) => all(path.join(SRC, dir)))
      .map((f) => [path.relative(SRC, f), readFileSync(f, 'utf8').trimEnd().split('\n').length] as const)
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it('when the window guard would load the flows or the store before its fail-closed wrapper exists, then this fails: it must still cancel when they cannot load', () => {
    // The modules a file loads at import: `import`/`export … from` that are not type-only, followed through src/.
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s*'(\.[^']+)';/gms)) {
        visit(path.resolve(path.dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')));
      }
    };
    visit(path.join(SRC, 'handlers', 'window-guard.ts'));
    const heavy = [...loaded].map((f) => path.relative(SRC, f)).filter((f) => f.startsWith(`flows${path.sep}`) || f.startsWith(`store${path.sep}`));
    expect(heavy).toEqual([]);
    expect(loaded.size).toBeGreaterThan(3);
  });

  it('when a folder\'s index.ts re-exports test helpers, then this fails: they stay out of the shipped surface', () => {
    const leaking = files(SRC)
      .filter((f) => path.basename(f) === 'index.ts')
      .filter((f) => /from '\.\/(testing|.*\.test)\.js'/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(leaking).toEqual([]);
  });

  it.each([
    ['flows/incidents/enrich.ts', '../../sim/aws/index.js', 'src/flows may not import src/sim'],
    ['flows/incidents/enrich.ts', '../../handlers/window-guard.js', 'src/flows may not import src/handlers'],
    ['cli/standalone.ts', '../handlers/window-guard.js', 'src/cli may not import src/handlers'],
    ['flows/incidents/enrich.ts', '../../store/sqlite/sqlite-store.js', "store/sqlite/sqlite-store.js is not a folder's index.ts: src/flows reaches src/store only through it"],
    ['flows/incidents/enrich.ts', '../../store/ports.js', "store/ports.js is not a folder's index.ts: src/flows reaches src/store only through it"],
    ['runtime/core.ts', '../core/logger.js', "core/logger.js is not a folder's index.ts: src/runtime reaches src/core only through it"],
    ['runtime/api-app/api-app.ts', '../../api/routes/patch-runs.js', "api/routes/patch-runs.js is not a folder's index.ts: src/runtime reaches src/api only through it"],
    ['flows/changes/patch-runs.ts', '../../core/testing.js', "core/testing.js is not a folder's index.ts: src/flows reaches src/core only through it"],
    ['flows/incidents/enrich.ts', '../compliance/report-builder.js', 'flows/compliance/report-builder.js is not flows/compliance/index.ts'],
    ['domain/compliance.ts', '../servicenow/index.js', 'src/domain may not import src/servicenow'],
  ])('when %s imports %s, then the rule says: %s', (from, spec, rule) => {
    expect(brokenRule(from, spec)).toBe(rule);
  });

  it.each([
    ['flows/incidents/enrich.ts', '../compliance/index.js'],
    ['flows/incidents/enrich.ts', '../../aws/index.js'],
    ['cli/standalone.ts', '../flows/changes/index.js'],
    ['handlers/window-guard.ts', '../flows/changes/index.js'],
  ])('when %s imports %s, then that is allowed', (from, spec) => {
    expect(brokenRule(from, spec)).toBeUndefined();
  });
});
