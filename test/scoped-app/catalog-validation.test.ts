import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { APP_CONTRACT as GENERATED } from '../../src/sim/servicenow/app/contract.gen.js';
import type { AppContract } from '../../src/sim/servicenow/app/contract-types.js';
import { ACCOUNT_ID, CHANGE_NUMBER, REGION } from '../../src/sim/servicenow/app/patchbridge-app.gen.js';

// The catalog items' onSubmit client script (scoped-app/src/client/catalog-validation.js,
// the file the three CatalogClientScript records include), run in a sandbox with a
// g_form stand-in holding each item's own variables as the app's build defines them.

const APP_CONTRACT: AppContract = GENERATED;
const SOURCE = readFileSync(new URL('../../scoped-app/src/client/catalog-validation.js', import.meta.url), 'utf8');
const ITEMS = {
  adhoc: 'Request ad hoc patching',
  report: 'Request a patch compliance report',
  gate: 'Gate a maintenance window with a change',
} as const;

function item(name: string) {
  const found = APP_CONTRACT.catalogItems.find((i) => i.name === name);
  if (!found) throw new Error(`no catalog item ${name}`);
  return found;
}

/** Submits the item's form with these values (change_request's display value in `changeDisplay`). */
function submit(itemName: string, values: Record<string, string>, changeDisplay = 'CHG0030001') {
  const fields = new Set(item(itemName).variables.map((v) => v.name));
  const messages: Record<string, string> = {};
  const errors: string[] = [];
  const g_form = {
    hasField: (name: string) => fields.has(name),
    getValue: (name: string) => values[name] ?? '',
    getDisplayValue: (name: string) => (name === 'change_request' ? changeDisplay : ''),
    showFieldMsg: (name: string, message: string, type: string) => {
      if (type === 'error') messages[name] = message;
    },
    hideAllFieldMsgs: () => undefined,
    addErrorMessage: (m: string) => void errors.push(m),
  };
  const sandbox: { g_form: typeof g_form; result?: boolean } = { g_form };
  runInNewContext(`${SOURCE}\nresult = onSubmit();`, sandbox);
  return { allowed: sandbox.result, messages, errors };
}

const goodAdhoc = { change_request: '0123456789abcdef0123456789abcdef', account_id: '111122223333', region: 'eu-west-1', patch_groups: 'web-prod' };

describe('the catalog items refuse malformed input before submit', () => {
  it('every item carries the onSubmit validation script', () => {
    for (const name of Object.values(ITEMS)) expect(item(name).clientScripts.map((c) => c.type)).toEqual(['onSubmit']);
  });

  it('when the ad hoc patching form is well formed, then it submits', () => {
    expect(submit(ITEMS.adhoc, goodAdhoc)).toMatchObject({ allowed: true, messages: {} });
  });

  it.each([
    ['an 11-digit account id', { account_id: '11112222333' }, 'account_id'],
    ['an account id with letters', { account_id: '11112222333x' }, 'account_id'],
    ['a region name instead of a code', { region: 'Ireland' }, 'region'],
    ['a region in capitals', { region: 'EU-WEST-1' }, 'region'],
  ])('when the ad hoc patching form has %s, then submit is refused on that field', (_what, bad, field) => {
    const result = submit(ITEMS.adhoc, { ...goodAdhoc, ...bad });
    expect(result.allowed).toBe(false);
    expect(Object.keys(result.messages)).toEqual([field]);
    expect(result.errors).toHaveLength(1);
  });

  it('when the chosen change is not a change number, then submit is refused on the change', () => {
    const result = submit(ITEMS.gate, { window: 'a'.repeat(32), change_request: 'b'.repeat(32) }, 'RITM0010001');
    expect(result).toMatchObject({ allowed: false });
    expect(Object.keys(result.messages)).toEqual(['change_request']);
  });

  it.each([
    [{ accounts: '111122223333, 44445555666' }, 'accounts'],
    [{ regions: 'eu-west-1,us_east_1' }, 'regions'],
    [{ period_days: '400' }, 'period_days'],
  ])('when the report form has %o, then submit is refused on %s', (bad, field) => {
    const result = submit(ITEMS.report, { accounts: '', regions: '', period_days: '30', ...bad });
    expect(result.allowed).toBe(false);
    expect(Object.keys(result.messages)).toEqual([field]);
  });

  it('the client script checks with the same patterns as the server', () => {
    for (const pattern of [ACCOUNT_ID, REGION, CHANGE_NUMBER]) expect(SOURCE).toContain(`= ${pattern.toString()};`);
  });
});
