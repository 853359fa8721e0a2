import { readFileSync, statSync } from 'node:fs';
import AdmZip from 'adm-zip';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScopedApp, currentScopedAppBuild, readAppContract, type ScopedAppBuild } from '../../scripts/app-contract.js';
import { APP_CONTRACT } from '../../src/sim/servicenow/app/contract.gen.js';
import type { AppContract } from '../../src/sim/servicenow/app/contract-types.js';

// Inspects the scoped app as CI builds it (`npm run build:app` before vitest, or here
// when that build is missing or stale): its own `npm ci` when
// needed, `now-sdk build --frozenKeys`, `now-sdk pack`, all offline. Everything
// below is read back from the packed zip, not from the sources.
const BUILD_TIMEOUT_MS = 240_000;
const APP_TABLES = ['x_pbridge_failure_import', 'x_pbridge_patch_run', 'x_pbridge_window'] as const;
const OPERATIONS = ['create', 'read', 'write', 'delete'] as const;

let build: ScopedAppBuild;
let zipped: AppContract;
const files = new Map<string, string>();

beforeAll(() => {
  build = currentScopedAppBuild() ?? buildScopedApp({ frozenKeys: true });
  for (const entry of new AdmZip(build.zipPath).getEntries()) {
    if (!entry.isDirectory && entry.entryName.endsWith('.xml')) files.set(entry.entryName.replace(/^\//, ''), entry.getData().toString('utf8'));
  }
  zipped = readAppContract(files);
}, BUILD_TIMEOUT_MS);

describe('the scoped app, built with --frozenKeys and packed offline', () => {
  it('packs a zip that exists and is not empty', () => {
    expect(statSync(build.zipPath).size).toBeGreaterThan(10_000);
    expect(new AdmZip(build.zipPath).getEntries().length).toBeGreaterThan(50);
  });

  it('holds the staging table, extending sys_import_set_row and open to the Import Set API', () => {
    const staging = zipped.tables['x_pbridge_failure_import'];
    expect(staging).toMatchObject({ extends: 'sys_import_set_row', webServiceAccess: true });
    expect(Object.keys(staging?.columns ?? {})).toContain('correlation_id');
  });

  it('holds the transform map to incident with correlation_id as a real coalesce field', () => {
    const map = zipped.transformMaps.find((m) => m.source === 'x_pbridge_failure_import');
    expect(map).toMatchObject({ target: 'incident', active: true, createOnEmptyCoalesce: false });
    expect(map?.fields.find((f) => f.target === 'correlation_id')).toMatchObject({ source: 'correlation_id', coalesce: true });
    expect(map?.fields.filter((f) => f.coalesce).map((f) => f.target)).toEqual(['active', 'correlation_id']);
  });

  it('holds both app tables, the patch run numbered PBR', () => {
    expect(zipped.tables['x_pbridge_patch_run']).toMatchObject({ number: { prefix: 'PBR' }, display: 'number', webServiceAccess: true });
    expect(zipped.tables['x_pbridge_window']).toMatchObject({ display: 'name', webServiceAccess: true });
  });

  it('holds the three roles', () => {
    expect(zipped.roles.map((r) => r.name)).toEqual(['x_pbridge.admin', 'x_pbridge.integration', 'x_pbridge.user']);
  });

  it('holds an ACL with roles for every table and operation the app defines', () => {
    for (const table of APP_TABLES) {
      for (const operation of OPERATIONS) {
        const acl = zipped.acls.find((a) => a.table === table && a.operation === operation && !a.field);
        expect(acl, `${table} ${operation}`).toBeDefined();
        expect(acl?.roles.length, `${table} ${operation}`).toBeGreaterThan(0);
      }
    }
  });

  it('holds the ATF tests and every server module its scripts require', () => {
    expect(zipped.tests).toHaveLength(5);
    for (const map of zipped.transformMaps) if (map.rowScriptModule) expect(zipped.modules).toContain(map.rowScriptModule);
    const scripts = [...zipped.businessRules, ...zipped.scriptActions, ...zipped.scheduledScripts, ...zipped.uiActions];
    for (const script of scripts) expect(zipped.modules, script.name).toContain(script.module);
    const pkg = JSON.parse(readFileSync(new URL('../../scoped-app/package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['@servicenow/sdk']).toBe('4.9.0');
  });

  it('holds the three Cloud patching catalog items, each with its variables and the onSubmit validation', () => {
    const items = Object.fromEntries(zipped.catalogItems.map((i) => [i.name, i]));
    expect(Object.keys(items).sort()).toEqual(['Gate a maintenance window with a change', 'Request a patch compliance report', 'Request ad hoc patching']);
    for (const item of zipped.catalogItems) {
      expect(item.categories).toEqual(['Cloud patching']);
      expect(item.clientScripts.map((c) => c.type)).toEqual(['onSubmit']);
    }
    const names = (item: string) => items[item]?.variables.map((v) => v.name);
    expect(names('Request ad hoc patching')).toEqual(
      expect.arrayContaining(['change_request', 'account_id', 'region', 'target_type', 'patch_groups', 'instances', 'add_affected_cis', 'operation', 'reboot_option', 'max_concurrency', 'max_errors']),
    );
    expect(names('Request a patch compliance report')).toEqual(expect.arrayContaining(['accounts', 'regions', 'patch_groups', 'period_days', 'format_csv']));
    expect(names('Gate a maintenance window with a change')).toEqual(['window', 'change_request']);
    const change = items['Request ad hoc patching']?.variables.find((v) => v.name === 'change_request');
    expect(change).toMatchObject({ referenceTable: 'change_request', referenceQualifier: expect.stringContaining('approval=approved^stateIN-2,-1') });
  });

  it('shows the ad hoc item the target list its Targets choice names, through two catalog UI policies on that variable', () => {
    const adhoc = zipped.catalogItems.find((i) => i.name === 'Request ad hoc patching');
    const targetType = adhoc?.variables.find((v) => v.name === 'target_type')?.sysId;
    const policies = [...files.entries()].filter(([path, xml]) => /catalog_ui_policy_[0-9a-f]{32}\.xml$/.test(path) && xml.includes(`<catalog_item>${adhoc?.sysId}</catalog_item>`));
    const conditions = policies.map(([, xml]) => /<catalog_conditions>([^<]*)</.exec(xml)?.[1]).sort();
    expect(conditions).toEqual([`IO:${targetType}=instances^EQ`, `IO:${targetType}=patch_groups^EQ`]);
  });

  it('holds the submit, approval and follow-up business rules, each calling the app module', () => {
    const rules = Object.fromEntries(zipped.businessRules.map((r) => [r.name, r]));
    expect(rules['patchbridge: request ad hoc patching']).toMatchObject({ table: 'sc_req_item', when: 'async_always', actions: ['insert'], fn: 'submitPatchRun' });
    expect(rules['patchbridge: request a compliance report']).toMatchObject({ table: 'sc_req_item', actions: ['insert'], fn: 'submitComplianceReport' });
    expect(rules['patchbridge: gate a maintenance window']).toMatchObject({ table: 'sc_req_item', actions: ['insert'], fn: 'submitWindowGate' });
    expect(rules['patchbridge: change approval gates windows']).toMatchObject({ table: 'change_request', when: 'async_always', actions: ['update'], fn: 'onChangeGateRule' });
    expect(rules['patchbridge: requested item follows its patch run']).toMatchObject({ table: 'x_pbridge_patch_run', when: 'after', fn: 'followPatchRun' });
  });

  it('holds the script include, the connection & credential alias, the retry event and its Script Action, and the registry sync', () => {
    expect(zipped.scriptIncludes).toEqual(['PatchbridgeClient']);
    expect(zipped.aliases).toEqual([{ id: 'x_pbridge.patchbridge', type: 'connection', connectionType: 'http_connection' }]);
    expect(zipped.events).toEqual(['x_pbridge.call.retry']);
    expect(zipped.scriptActions).toEqual([expect.objectContaining({ event: 'x_pbridge.call.retry', fn: 'resumeCall' })]);
    expect(zipped.scheduledScripts).toEqual([expect.objectContaining({ fn: 'syncWindows' })]);
    expect(zipped.uiActions).toEqual([expect.objectContaining({ table: 'x_pbridge_window', fn: 'syncWindows' })]);
    const include = [...files.entries()].find(([path]) => path.includes('sys_script_include_'))?.[1] ?? '';
    expect(include).toContain("require('x_pbridge/patchbridge-scoped-app/0.1.0/src/server/patchbridge-client.ts')");
    expect(zipped.modules).toContain('x_pbridge/patchbridge-scoped-app/0.1.0/src/server/patchbridge-client.ts');
  });

  it('declares the cross-scope privileges its scripts need on platform tables, and no delete', () => {
    expect(zipped.privileges).toEqual(
      expect.arrayContaining([
        { target: 'sc_req_item', operation: 'write' },
        { target: 'change_request', operation: 'write' },
        { target: 'task_ci', operation: 'create' },
      ]),
    );
    expect(zipped.privileges.filter((p) => p.operation === 'delete')).toEqual([]);
  });

  it("the ATF catalog steps name variables of the app's catalog items (their sys_ids are written out as literals)", () => {
    const variables = new Set(zipped.catalogItems.flatMap((i) => i.variables.map((v) => v.sysId)));
    const named = [...files.values()].flatMap((xml) => [...xml.matchAll(/IO:([0-9a-f]{32})=/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(variables.has(id ?? ''), id).toBe(true);
  });

  it('matches the contract the simulator and the client tests use (else run npm run gen:app-contract)', () => {
    expect(zipped).toEqual(APP_CONTRACT);
  });
});
