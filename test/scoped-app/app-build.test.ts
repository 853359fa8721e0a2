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

beforeAll(() => {
  build = currentScopedAppBuild() ?? buildScopedApp({ frozenKeys: true });
  const files = new Map<string, string>();
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
    expect(zipped.tests).toHaveLength(3);
    for (const map of zipped.transformMaps) if (map.rowScriptModule) expect(zipped.modules).toContain(map.rowScriptModule);
    const pkg = JSON.parse(readFileSync(new URL('../../scoped-app/package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies['@servicenow/sdk']).toBe('4.9.0');
  });

  it('matches the contract the simulator and the client tests use (else run npm run gen:app-contract)', () => {
    expect(zipped).toEqual(APP_CONTRACT);
  });
});
