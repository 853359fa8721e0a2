/**
 * `src/domain/ids.ts` is the one declaration of every id format. The places
 * that cannot import it (the OpenAPI contract, the scoped app that runs inside
 * ServiceNow) are checked against it here, and any other regex literal that
 * spells an id format again makes this fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOpenApiDocument } from '../src/api/openapi-document.js';
import { ID_PATTERNS, ID_SOURCES, type IdKind, isId } from '../src/domain/index.js';
import { ID_EXAMPLES } from './fixtures/id-examples.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'cdk.out' ? [] : tsFiles(full);
    return full.endsWith('.ts') && !full.endsWith('.test.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every `pattern` in the document, by JSON pointer. */
function specPatterns(node: unknown, at = '#', out = new Map<string, string>()): Map<string, string> {
  if (typeof node !== 'object' || node === null) return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') out.set(at, value);
    else specPatterns(value, `${at}/${key}`, out);
  }
  return out;
}

/** Whether `re` accepts exactly the valid and rejects exactly the invalid examples of the given kinds. */
function agreesWith(re: RegExp, kinds: readonly IdKind[]): string[] {
  const wrong: string[] = [];
  for (const kind of Object.keys(ID_EXAMPLES) as IdKind[]) {
    for (const value of [...ID_EXAMPLES[kind].valid, ...ID_EXAMPLES[kind].invalid]) {
      const expected = kinds.some((k) => isId(k, value));
      if (re.test(value) !== expected) wrong.push(`${JSON.stringify(value)}: ${expected ? 'rejected' : 'accepted'}`);
    }
  }
  return wrong;
}

// The spec's id patterns, by the id kinds they must accept (and nothing else).
const SPEC_IDS: Readonly<Record<string, readonly IdKind[]>> = {
  '#/components/parameters/WindowId/schema': ['windowId'],
  '#/components/schemas/ChangeNumber': ['changeNumber'],
  '#/components/schemas/AccountId': ['accountId'],
  '#/components/schemas/Region': ['region'],
  '#/components/schemas/PatchTargets/oneOf/1/properties/instanceIds/items': ['instanceId'],
  '#/components/schemas/PatchRunRequest/properties/requestedItem': ['requestedItemNumber'],
  '#/components/schemas/ComplianceReportRequest/properties/requestedItem': ['requestedItemNumber', 'sysId'],
  '#/components/schemas/EventBridgeEvent/properties/account': ['accountId'],
};

/** Fragments that only an id pattern would contain. */
const ID_FRAGMENT = /\\d\{12\}|CHG\\d|RITM\\d|INC\\d|SCTASK\\d|mw-\[|\bm?i-(?:\(\?:)?\[|\[0-9a-f\]\{32\}|\[0-9a-fA-F\]\{8\}-|iso\[a-z\]/;

describe('id patterns outside src/domain/ids.ts', () => {
  it('each id pattern in the OpenAPI contract accepts and rejects what src/domain/ids.ts does', () => {
    const patterns = specPatterns(loadOpenApiDocument());
    const wrong: Record<string, string[]> = {};
    for (const [pointer, kinds] of Object.entries(SPEC_IDS)) {
      const pattern = patterns.get(pointer);
      if (pattern === undefined) wrong[pointer] = ['no pattern here'];
      else if (agreesWith(new RegExp(pattern, 'u'), kinds).length > 0) wrong[pointer] = agreesWith(new RegExp(pattern, 'u'), kinds);
    }
    expect(wrong).toEqual({});
  });

  it('every other pattern in the contract is not an id pattern (a new one must be listed above)', () => {
    const unlisted = [...specPatterns(loadOpenApiDocument())].filter(([pointer, p]) => !(pointer in SPEC_IDS) && ID_FRAGMENT.test(p));
    expect(unlisted).toEqual([]);
  });

  it.each([
    ['patchbridge-app.ts', 'ACCOUNT_ID', ['accountId']],
    ['patchbridge-app.ts', 'REGION', ['region']],
    ['patchbridge-app.ts', 'CHANGE_NUMBER', ['changeNumber']],
    ['patchbridge-app.ts', 'INSTANCE_ID', ['instanceId']],
    ['failure-import.ts', 'SYS_ID', ['sysId']],
    ['failure-import.ts', 'INSTANCE_ID', ['instanceId']],
  ] as const)('the scoped app (which runs in ServiceNow and cannot import it) checks %s %s as src/domain/ids.ts does', (file, name, kinds) => {
    const text = readFileSync(path.join(ROOT, 'scoped-app/src/server', file), 'utf8');
    const literal = new RegExp(`^(?:export )?const ${name} = /(.+)/$`, 'm').exec(text)?.[1];
    expect(literal, `${file} declares ${name}`).toBeDefined();
    expect(agreesWith(new RegExp(literal ?? ''), kinds)).toEqual([]);
  });

  it('when a module in src/ or infra/ spells an id format in a regex of its own, then this fails naming it', () => {
    const ids = path.join(ROOT, 'src/domain/ids.ts');
    const offenders: string[] = [];
    for (const file of [...tsFiles(path.join(ROOT, 'src')), ...tsFiles(path.join(ROOT, 'infra/lib')), ...tsFiles(path.join(ROOT, 'infra/bin'))]) {
      // The *.gen.ts copies of the scoped app are checked through their sources above.
      if (file === ids || file.endsWith('.gen.ts')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (ID_FRAGMENT.test(line) && !/^\s*(?:\*|\/\/|\/\*\*)/.test(line)) {
            offenders.push(`${path.relative(ROOT, file)}:${i + 1}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the checker above recognises each id source as an id pattern', () => {
    for (const kind of Object.keys(ID_SOURCES) as IdKind[]) {
      if (kind === 'roleArn' || kind === 'topicArn') continue; // composed of accountId / region
      expect(ID_FRAGMENT.test(ID_PATTERNS[kind].source), kind).toBe(true);
    }
  });
});
