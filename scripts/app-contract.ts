/**
 * Builds the scoped app (`scoped-app/`) and reads what it defines from the
 * built XML, so the simulator and the contract tests derive from the app itself.
 *
 * - `buildScopedApp()` installs the app's own dependencies when needed
 *   (`npm ci --prefix scoped-app`), runs `now-sdk build [--frozenKeys]` and
 *   `now-sdk pack`, all offline.
 * - `readAppContract(files)` turns the app's XML files (from `dist/app` or
 *   from the packed zip) into an `AppContract`.
 * - `renderAppContract` / `renderModuleCopy` write the generated files the
 *   simulator imports (`npm run gen:app-contract`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type {
  AppAcl,
  AppBusinessRule,
  AppCatalogItem,
  AppColumn,
  AppContract,
  AppFieldMap,
  AppProperty,
  AppRole,
  AppTable,
  AppTransformMap,
} from '../src/sim/servicenow/app/contract-types.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const SCOPED_APP_DIR = join(REPO_ROOT, 'scoped-app');
export const CONTRACT_GEN = join(REPO_ROOT, 'src/sim/servicenow/app/contract.gen.ts');
/** The app's server modules patchbridge runs in Node (under the Glide stand-in). */
export const APP_MODULES = ['failure-import', 'patchbridge-signing', 'patchbridge-client', 'patchbridge-app'] as const;
export type AppModule = (typeof APP_MODULES)[number];
/** The module's source in the app. */
export const appModuleSource = (name: AppModule) => join(SCOPED_APP_DIR, `src/server/${name}.ts`);
/** Its copy for Node, next to the stand-in. */
export const appModuleGen = (name: AppModule) => join(REPO_ROOT, `src/sim/servicenow/app/${name}.gen.ts`);

export interface ScopedAppBuild {
  /** The packed zip (`scoped-app/target/*.zip`). */
  readonly zipPath: string;
  /** Combined output of build and pack. */
  readonly log: string;
}

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
}

/** Installs the app's dependencies from its lockfile unless they are already installed from it. */
export function ensureScopedAppDeps(): void {
  const marker = join(SCOPED_APP_DIR, 'node_modules/.package-lock.json');
  const lock = join(SCOPED_APP_DIR, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], SCOPED_APP_DIR);
}

/** What a build was made from: the app's sources, config and lockfile. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const files: string[] = ['now.config.json', 'package.json', 'package-lock.json'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(SCOPED_APP_DIR, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('src');
  for (const file of files.sort()) hash.update(`${file}\0`).update(readFileSync(join(SCOPED_APP_DIR, file))).update('\0');
  return hash.digest('hex');
}

const BUILD_RECORD = join(SCOPED_APP_DIR, 'target/build.json');

/** `now-sdk build` (with `--frozenKeys` in CI) and `now-sdk pack`; throws with the tool's output on failure. */
export function buildScopedApp(options: { readonly frozenKeys: boolean }): ScopedAppBuild {
  ensureScopedAppDeps();
  const sdk = join(SCOPED_APP_DIR, 'node_modules/.bin/now-sdk');
  const target = join(SCOPED_APP_DIR, 'target');
  for (const dir of [join(SCOPED_APP_DIR, 'dist'), target]) if (existsSync(dir)) execFileSync('rm', ['-rf', dir]);
  let log = run(sdk, ['build', ...(options.frozenKeys ? ['--frozenKeys'] : [])], SCOPED_APP_DIR);
  // The SDK reports some plugin failures as ERROR lines and still says "completed successfully".
  if (/\bERROR\b/.test(log)) throw new Error(`now-sdk build reported errors:\n${log}`);
  log += run(sdk, ['pack'], SCOPED_APP_DIR);
  const zips = existsSync(target) ? readdirSync(target).filter((f) => f.endsWith('.zip')) : [];
  if (zips.length !== 1 || !zips[0]) throw new Error(`now-sdk pack produced ${zips.length} zip files:\n${log}`);
  const build = { zipPath: join(target, zips[0]), log };
  writeFileSync(BUILD_RECORD, JSON.stringify({ hash: sourceHash(), frozenKeys: options.frozenKeys, ...build }));
  return build;
}

/** The last `--frozenKeys` build and pack, if it was made from the app's current sources. */
export function currentScopedAppBuild(): ScopedAppBuild | undefined {
  if (!existsSync(BUILD_RECORD)) return undefined;
  const record = JSON.parse(readFileSync(BUILD_RECORD, 'utf8')) as { hash?: string; frozenKeys?: boolean; zipPath?: string; log?: string };
  if (record.hash !== sourceHash() || record.frozenKeys !== true || !record.zipPath || !existsSync(record.zipPath)) return undefined;
  return { zipPath: record.zipPath, log: record.log ?? '' };
}

/** Every XML file under `dir`, keyed by its path relative to `dir`. */
export function readXmlTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.xml')) out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'element' || name === 'sys_choice',
});

function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && '#text' in node) return String((node as Node)['#text']);
  return '';
}

function attr(node: unknown, name: string): string {
  return typeof node === 'object' && node !== null ? String((node as Node)[`@${name}`] ?? '') : '';
}

const bool = (value: string) => value === 'true';

/** The function a generated `// @fluent-module fn;…` script calls, or the `fn` of `require('…').fn(`. */
function moduleCall(script: string): { readonly fn: string; readonly module: string } | undefined {
  const fluent = /^\/\/ @fluent-module (\w+);\w+;(\S+)/m.exec(script);
  if (fluent?.[1] && fluent[2]) return { fn: fluent[1], module: fluent[2] };
  const required = /require\('([^']+)'\)\.(\w+)\(/.exec(script);
  if (required?.[1] && required[2]) return { fn: required[2], module: required[1] };
  return undefined;
}

/** Reads the app's definitions from its XML files (paths relative to `dist/app` or the zip root). */
export function readAppContract(files: ReadonlyMap<string, string>): AppContract {
  const records = new Map<string, Node[]>();
  const dictionaries: Node[] = [];
  let scope = '';
  for (const [path, xml] of files) {
    const doc = parser.parse(xml) as Node;
    if (doc['database']) {
      dictionaries.push(doc['database'] as Node);
      continue;
    }
    const update = doc['record_update'] as Node | undefined;
    if (!update) continue;
    for (const [table, value] of Object.entries(update)) {
      if (table.startsWith('@') || typeof value !== 'object' || value === null) continue;
      // Records the app deletes (a property it no longer has) are not part of it.
      if (attr(value, 'action') === 'DELETE') continue;
      if (table === 'sys_app') scope = text((value as Node)['scope']);
      const list = records.get(table) ?? [];
      list.push(value as Node);
      records.set(table, list);
    }
    if (path.includes('sys_app_')) scope ||= attr((update['sys_app'] as Node | undefined)?.['sys_scope'], 'display_value');
  }
  const all = (table: string) => records.get(table) ?? [];

  const superClass = new Map(all('sys_db_object').map((r) => [text(r['name']), attr(r['super_class'], 'name')]));
  const numbers = new Map(all('sys_number').map((r) => [text(r['category']), r]));
  const tables: Record<string, AppTable> = {};
  for (const db of dictionaries) {
    for (const t of (db['element'] as Node[] | undefined) ?? []) {
      const name = attr(t, 'name');
      const columns: Record<string, AppColumn> = {};
      let display: string | undefined;
      for (const c of (t['element'] as Node[] | undefined) ?? []) {
        const column = attr(c, 'name');
        if (attr(c, 'display') === 'true') display = column;
        const choices = (((c['choice'] as Node | undefined)?.['element'] as Node[] | undefined) ?? [])
          .filter((e) => attr(e, 'inactive') !== 'true')
          .sort((a, b) => Number(attr(a, 'sequence')) - Number(attr(b, 'sequence')))
          .map((e) => attr(e, 'value'));
        columns[column] = {
          type: attr(c, 'type'),
          maxLength: Number(attr(c, 'max_length') || '0'),
          ...(attr(c, 'reference') ? { reference: attr(c, 'reference') } : {}),
          ...(attr(c, 'default_value') ? { default: attr(c, 'default_value') } : {}),
          mandatory: attr(c, 'mandatory') === 'true',
          ...(choices.length > 0 ? { choices } : {}),
        };
      }
      const num = numbers.get(name);
      const parent = superClass.get(name);
      tables[name] = {
        name,
        label: attr(t, 'label'),
        ...(parent ? { extends: parent } : {}),
        ...(display ? { display } : {}),
        ...(num
          ? { number: { prefix: text(num['prefix']), start: Number(text(num['number'])), digits: Number(text(num['maximum_digits'])) } }
          : {}),
        webServiceAccess: attr(t, 'ws_access') === 'true',
        columns,
      };
    }
  }

  const entries = all('sys_transform_entry');
  const transformMaps: AppTransformMap[] = all('sys_transform_map').map((m) => {
    const id = text(m['sys_id']);
    const fields: AppFieldMap[] = entries
      .filter((e) => text(e['map']) === id)
      .map((e) => {
        const scripted = bool(text(e['use_source_script']));
        const call = scripted ? moduleCall(text(e['source_script'])) : undefined;
        if (scripted && !call) throw new Error(`field map ${text(e['target_field'])}: a source script must call the app's module`);
        return {
          target: text(e['target_field']),
          source: text(e['source_field']),
          coalesce: bool(text(e['coalesce'])),
          coalesceCaseSensitive: bool(text(e['coalesce_case_sensitive'])),
          coalesceEmptyFields: bool(text(e['coalesce_empty_fields'])),
          ...(call ? { script: call.fn } : {}),
        };
      })
      .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    const row = bool(text(m['run_script'])) ? moduleCall(text(m['script'])) : undefined;
    return {
      name: text(m['name']),
      source: text(m['source_table']),
      target: text(m['target_table']),
      active: bool(text(m['active'])),
      copyEmptyFields: bool(text(m['copy_empty_fields'])),
      createOnEmptyCoalesce: bool(text(m['create_new_record_on_empty_coalesce_fields'])),
      runBusinessRules: bool(text(m['run_business_rules'])),
      fields,
      ...(row ? { rowScript: row.fn, rowScriptModule: row.module } : {}),
    };
  });

  const roleNames = new Map(all('sys_user_role').map((r) => [text(r['sys_id']), text(r['name'])]));
  const roles: AppRole[] = [...roleNames.values()].sort().map((name) => ({
    name,
    contains: all('sys_user_role_contains')
      .filter((c) => attr(c['role'], 'name') === name)
      .map((c) => attr(c['contains'], 'name'))
      .sort(),
  }));

  const aclRoles = all('sys_security_acl_role');
  const acls: AppAcl[] = all('sys_security_acl')
    .filter((a) => text(a['type']) === 'record' && text(a['active']) !== 'false' && text(a['decision_type']) !== 'deny')
    .map((a) => {
      const [table = '', field] = text(a['name']).split('.');
      const condition = text(a['condition']);
      return {
        table,
        ...(field ? { field } : {}),
        operation: text(a['operation']),
        roles: aclRoles
          .filter((r) => text(r['sys_security_acl']) === text(a['sys_id']))
          .map((r) => attr(r['sys_user_role'], 'name'))
          .sort(),
        adminOverrides: bool(text(a['admin_overrides'])),
        ...(condition ? { condition } : {}),
      };
    })
    .sort((a, b) => `${a.table}.${a.field ?? ''}.${a.operation}`.localeCompare(`${b.table}.${b.field ?? ''}.${b.operation}`));

  const properties: AppProperty[] = all('sys_properties')
    .map((p) => ({ name: text(p['name']), type: text(p['type']), value: text(p['value']) }))
    .sort((a, b) => a.name.localeCompare(b.name));

  return {
    scope,
    tables: Object.fromEntries(Object.entries(tables).sort(([a], [b]) => a.localeCompare(b))),
    transformMaps,
    roles,
    acls,
    properties,
    modules: all('sys_module')
      .map((m) => text(m['path']))
      .filter((p) => p !== '')
      .sort(),
    tests: all('sys_atf_test')
      .map((t) => text(t['name']))
      .sort(),
    ...appScripts(all),
  };
}

const byName = <T extends { readonly name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

function scripted(record: Node, what: string): { readonly fn: string; readonly module: string } {
  const call = moduleCall(text(record['script']));
  if (!call) throw new Error(`${what} ${text(record['name'])}: its script must call one of the app's modules`);
  return call;
}

/** Catalog items, business rules and the other scripted records, read from the app's XML. */
function appScripts(all: (table: string) => Node[]): Pick<
  AppContract,
  'catalogItems' | 'businessRules' | 'scriptActions' | 'scheduledScripts' | 'uiActions' | 'scriptIncludes' | 'aliases' | 'events' | 'privileges'
> {
  const categories = new Map(all('sc_category').map((c) => [text(c['sys_id']), text(c['title'])]));
  const catalogItems: AppCatalogItem[] = all('sc_cat_item')
    .map((item) => {
      const id = text(item['sys_id']);
      return {
        sysId: id,
        name: text(item['name']),
        categories: all('sc_cat_item_category')
          .filter((l) => text(l['sc_cat_item']) === id)
          .map((l) => categories.get(text(l['sc_category'])) ?? text(l['sc_category']))
          .sort(),
        variables: all('item_option_new')
          .filter((v) => text(v['cat_item']) === id)
          .sort((a, b) => Number(text(a['order'])) - Number(text(b['order'])))
          .map((v) => ({
            sysId: text(v['sys_id']),
            name: text(v['name']),
            type: text(v['type']),
            mandatory: bool(text(v['mandatory'])),
            ...(text(v['reference']) || text(v['list_table']) ? { referenceTable: text(v['reference']) || text(v['list_table']) } : {}),
            ...(text(v['reference_qual_condition']) || text(v['reference_qual'])
              ? { referenceQualifier: text(v['reference_qual_condition']) || text(v['reference_qual']) }
              : {}),
            ...(text(v['default_value']) ? { default: text(v['default_value']) } : {}),
          })),
        clientScripts: all('catalog_script_client')
          .filter((c) => text(c['cat_item']) === id)
          .map((c) => ({ name: text(c['name']), type: text(c['type']) }))
          .sort(byName),
      };
    })
    .sort(byName);
  const actions = ['insert', 'update', 'delete', 'query'] as const;
  const businessRules: AppBusinessRule[] = all('sys_script')
    .map((r) => ({
      name: text(r['name']),
      table: text(r['collection']),
      when: text(r['when']),
      actions: actions.filter((a) => bool(text(r[`action_${a}`]))),
      filterCondition: text(r['filter_condition']),
      active: bool(text(r['active'])),
      ...scripted(r, 'business rule'),
    }))
    .sort(byName);
  return {
    catalogItems,
    businessRules,
    scriptActions: all('sysevent_script_action')
      .map((a) => ({ name: text(a['name']), event: text(a['event_name']), ...scripted(a, 'Script Action') }))
      .sort(byName),
    scheduledScripts: all('sysauto_script')
      .map((j) => ({ name: text(j['name']), ...scripted(j, 'scheduled script') }))
      .sort(byName),
    uiActions: all('sys_ui_action')
      .map((u) => ({ name: text(u['name']), table: text(u['table']), ...scripted(u, 'UI action') }))
      .sort(byName),
    scriptIncludes: all('sys_script_include')
      .map((i) => text(i['name']))
      .sort(),
    aliases: all('sys_alias')
      .map((a) => ({ id: text(a['id']), type: text(a['type']), connectionType: text(a['connection_type']) }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    events: all('sysevent_register')
      .map((e) => text(e['event_name']))
      .sort(),
    privileges: all('sys_scope_privilege')
      .filter((p) => text(p['status']) === 'allowed')
      .map((p) => ({ target: text(p['target_name']), operation: text(p['operation']) }))
      .sort((a, b) => `${a.target}.${a.operation}`.localeCompare(`${b.target}.${b.operation}`)),
  };
}

const GEN_HEADER = '// Generated by `npm run gen:app-contract` from the scoped app (scoped-app/). Do not edit.\n';

/** `contract.gen.ts`: the contract as a typed constant with literal types. */
export function renderAppContract(contract: AppContract): string {
  return `${GEN_HEADER}import type { AppContract } from './contract-types.js';

export const APP_CONTRACT = ${JSON.stringify(contract, null, 2)} as const satisfies AppContract;
`;
}

/** `<module>.gen.ts`: one of the app's server modules, importing the Glide stand-in instead of the platform. */
export function renderModuleCopy(name: AppModule, source: string): string {
  const platformImport = /from '@servicenow\/glide(\/sn_\w+)?'/g;
  if (!platformImport.test(source)) throw new Error(`the app module ${name} no longer imports @servicenow/glide`);
  const copy = source
    .replace(platformImport, "from './glide.js'")
    // The app's modules import each other by relative path: their copies sit side by side.
    .replace(/from '\.\/([\w-]+)'/g, (_, module: string) => `from './${module}.gen.js'`);
  return `${GEN_HEADER}// Source: scoped-app/src/server/${name}.ts, with '@servicenow/glide…' replaced by the stand-in.\n${copy}`;
}
