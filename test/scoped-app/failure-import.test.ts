import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_MODULES, appModuleGen, appModuleSource, renderModuleCopy } from '../../scripts/app-contract.js';
import {
  AUTO_RESOLVE_PROPERTY,
  checkFailureRow,
  type FailureRow,
  matchOpenIncidents,
  REOPEN_NOTE,
  REOPEN_PROPERTY,
  resolveAssignmentGroup,
  resolveChange,
  resolveCi,
} from '../../src/sim/servicenow/app/failure-import.gen.js';
import { type GlideDatabase, withGlide } from '../../src/sim/servicenow/app/glide.js';

// The scoped app's transform module (scoped-app/src/server/failure-import.ts),
// run in Node against the in-memory Glide stand-in: the same code the transform
// map calls on an instance.

type Rows = Record<string, Record<string, string>[]>;

function db(tables: Rows, properties: Readonly<Record<string, string | undefined>> = {}): GlideDatabase {
  return {
    rows: (table) => (table === 'cmdb_ci' ? [...(tables['cmdb_ci_vm_instance'] ?? []), ...(tables['cmdb_ci_server'] ?? [])] : (tables[table] ?? [])),
    property: (name) => properties[name],
  };
}

function row(values: Readonly<Record<string, string | undefined>>, writes: Record<string, string> = {}): FailureRow & { readonly writes: Record<string, string> } {
  return {
    writes,
    getValue: (name) => writes[name] ?? (values[name] || null),
    setValue: (name, value) => {
      writes[name] = String(value);
    },
    getUniqueValue: () => values['sys_id'] ?? '',
  };
}

const id = (c: string) => c.repeat(32);
const TABLES: Rows = {
  sys_user_group: [
    { sys_id: id('a'), name: 'Cloud Ops', active: 'true' },
    { sys_id: id('b'), name: 'Old Ops', active: 'false' },
  ],
  cmdb_ci_vm_instance: [
    { sys_id: id('1'), object_id: 'i-0123456789abcdef0', name: 'web-1', install_status: '7', sys_updated_on: '2026-05-02 00:00:00' },
    { sys_id: id('2'), object_id: 'i-0123456789abcdef0', name: 'web-1', install_status: '1', sys_updated_on: '2026-05-01 00:00:00' },
    { sys_id: id('3'), object_id: 'i-00000000000000001', name: 'retired', install_status: '7', sys_updated_on: '2026-05-01 00:00:00' },
  ],
  cmdb_ci_server: [{ sys_id: id('4'), object_id: 'i-00000000000000001', name: 'srv-1', install_status: '1', sys_updated_on: '2026-05-01 00:00:00' }],
  change_request: [{ sys_id: id('c'), number: 'CHG0030001' }],
};

describe('the transform module run in Node through the Glide stand-in', () => {
  it.each(APP_MODULES)('runs the app module %s itself, with only the Glide import pointed at the stand-in', (name) => {
    expect(readFileSync(appModuleGen(name), 'utf8')).toBe(renderModuleCopy(name, readFileSync(appModuleSource(name), 'utf8')));
  });

  it('matches only active incidents through its coalesce value', () => {
    expect(matchOpenIncidents(row({}))).toBe('true');
  });

  it.each([
    { name: 'an active group by name', group: 'Cloud Ops', expected: id('a') },
    { name: 'an active group by sys_id', group: id('a'), expected: id('a') },
    { name: 'an inactive group', group: 'Old Ops', expected: '' },
    { name: 'an unknown group', group: 'Nobody', expected: '' },
    { name: 'no group', group: '', expected: '' },
  ])('resolves the assignment group: $name', ({ group, expected }) => {
    expect(withGlide(db(TABLES), () => resolveAssignmentGroup(row({ assignment_group: group })))).toBe(expected);
  });

  it.each([
    { name: 'the live VM CI of a one-instance incident, skipping a newer retired duplicate', values: { instance_ids: 'i-0123456789abcdef0' }, expected: id('2') },
    { name: 'a server CI when the VM CI is retired', values: { instance_ids: 'i-00000000000000001' }, expected: id('4') },
    { name: 'nothing for several instances', values: { instance_ids: 'i-0123456789abcdef0,i-00000000000000001' }, expected: '' },
    { name: 'nothing for a malformed instance id', values: { instance_ids: "i-0123'" }, expected: '' },
    { name: 'a named CI by sys_id', values: { cmdb_ci: id('4'), instance_ids: 'i-0123456789abcdef0' }, expected: id('4') },
    { name: 'a named CI by name', values: { cmdb_ci: 'srv-1' }, expected: id('4') },
    { name: 'nothing for a retired named CI', values: { cmdb_ci: 'retired' }, expected: '' },
  ])('resolves the CI: $name', ({ values, expected }) => {
    expect(withGlide(db(TABLES), () => resolveCi(row(values)))).toBe(expected);
  });

  it.each([
    { number: 'CHG0030001', expected: id('c') },
    { number: 'CHG0039999', expected: '' },
    { number: 'CHG1^ORnumber!=x', expected: '' },
  ])('resolves the change $number', ({ number, expected }) => {
    expect(withGlide(db(TABLES), () => resolveChange(row({ change_request: number })))).toBe(expected);
  });

  it.each([
    { name: 'an empty key', values: { correlation_id: '' } },
    { name: 'a key with an encoded-query separator', values: { correlation_id: 'pb:1^active=true' } },
    { name: 'a key over 100 characters', values: { correlation_id: 'x'.repeat(101) } },
    { name: 'impact 4', values: { correlation_id: 'pb:1', impact: '4' } },
    { name: 'urgency 0', values: { correlation_id: 'pb:1', urgency: '0' } },
  ])('refuses a row with $name and writes nothing on the target', ({ values }) => {
    const target = row({ state: '1' });
    const verdict = withGlide(db(TABLES), () => checkFailureRow(row(values), target, true));
    expect(verdict.refused).toBe(true);
    expect(verdict.message).not.toBe('');
    expect(target.writes).toEqual({});
  });

  it('reopens a Resolved match: state In Progress, reopen count up, a note saying why before the row note', () => {
    const target = row({ state: '6', reopen_count: '1' });
    const verdict = withGlide(db(TABLES), () => checkFailureRow(row({ correlation_id: 'pb:1', work_note: 'new failures' }), target, true));
    expect(verdict).toEqual({ refused: false, message: 'reopened' });
    expect(target.writes).toEqual({
      state: '2',
      reopen_count: '2',
      work_notes: `${REOPEN_NOTE}\nnew failures`,
    });
  });

  it.each([
    { name: 'an open match', state: '2', isUpdate: true, properties: {} },
    { name: 'a new incident', state: '', isUpdate: false, properties: {} },
    { name: 'a Resolved match when reopening is switched off', state: '6', isUpdate: true, properties: { [REOPEN_PROPERTY]: 'false' } },
  ])('leaves the lifecycle alone for $name', ({ state, isUpdate, properties }) => {
    const target = row({ state });
    const verdict = withGlide(db(TABLES, properties), () => checkFailureRow(row({ correlation_id: 'pb:1' }), target, isUpdate));
    expect(verdict).toEqual({ refused: false, message: '' });
    expect(target.writes).toEqual({});
  });

  it.each(['1', '2', '3'])('resolves an open match (state %s) from a resolve row: state Resolved with its close code and notes', (state) => {
    const target = row({ state });
    const source = row({ correlation_id: 'pb:1', close_code: 'Solution provided', close_notes: 'All 3 instance(s) compliant', work_note: 'patchbridge: resolved' });
    const verdict = withGlide(db(TABLES), () => checkFailureRow(source, target, true));
    expect(verdict).toEqual({ refused: false, message: 'resolved' });
    expect(target.writes).toEqual({ state: '6', close_code: 'Solution provided', close_notes: 'All 3 instance(s) compliant' });
  });

  it.each([
    { name: 'no open incident (it must not open one)', state: '', isUpdate: false, properties: {} },
    { name: 'an incident already Resolved (no second note)', state: '6', isUpdate: true, properties: {} },
    { name: 'a Closed incident', state: '7', isUpdate: true, properties: {} },
    { name: 'auto-resolve switched off on the instance', state: '2', isUpdate: true, properties: { [AUTO_RESOLVE_PROPERTY]: 'false' } },
  ])('ignores a resolve row for $name and writes nothing', ({ state, isUpdate, properties }) => {
    const target = row({ state });
    const source = row({ correlation_id: 'pb:1', close_code: 'Solution provided', close_notes: 'n', work_note: 'w' });
    const verdict = withGlide(db(TABLES, properties), () => checkFailureRow(source, target, isUpdate));
    expect(verdict).toMatchObject({ refused: false, ignored: true, message: expect.stringMatching(/^not resolved: /) });
    expect(target.writes).toEqual({});
  });

  it('refuses a resolve row with a malformed key before anything else', () => {
    const verdict = withGlide(db(TABLES), () => checkFailureRow(row({ correlation_id: 'pb:1^ORactive=false', close_code: 'x' }), row({ state: '2' }), true));
    expect(verdict.refused).toBe(true);
  });
});
