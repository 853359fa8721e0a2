import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../src/config/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('<!-- config-table:start -->'), readme.indexOf('<!-- config-table:end -->'));

describe('README', () => {
  it.each(VARIABLES.map((v) => [v.name, 'default' in v ? v.default : undefined] as const))(
    'documents %s with its default',
    (name, def) => {
      const row = table.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README configuration table has no row for ${name}`).toBeDefined();
      expect(row).toContain(def === undefined ? '| — |' : `| \`${def}\` |`);
    },
  );

  it('documents no variable that the configuration does not know', () => {
    const documented = [...table.matchAll(/^\| `(PATCHBRIDGE_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(VARIABLES.map((v) => v.name).sort());
  });

  it('has a Quickstart with exactly the two commands', () => {
    const quickstart = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 3));
    const commands = [...quickstart.matchAll(/^(npm [^#\n]+?)\s*(#.*)?$/gm)].map((m) => m[1]);
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });

  it('is what .ci/run runs', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/^set -euo pipefail$/m);
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
