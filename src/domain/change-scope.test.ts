import { describe, expect, it } from 'vitest';
import { evaluateChangeScope, namesWord, type ScopeTarget, UNCOVERED_NAMED_MAX } from './change-scope.js';

const change = (over: { cis?: { sys_id: string; name: string }[]; text?: string } = {}) => ({ changeNumber: 'CHG0030001', cis: over.cis ?? [], text: over.text ?? '' });
const inst = (instanceId: string, ...ciSysIds: string[]): ScopeTarget => ({ kind: 'instance', instanceId, ciSysIds });
const pg = (name: string): ScopeTarget => ({ kind: 'patch-group', name });

describe('namesWord', () => {
  it.each([
    ['Patch web-prod tonight', 'web-prod', true],
    ['web-prod', 'web-prod', true],
    ['groups: db-prod, web-prod.', 'web-prod', true],
    ['(web-prod)', 'web-prod', true],
    ['Patch web-prod-eu tonight', 'web-prod', false],
    ['Patch eu-web-prod tonight', 'web-prod', false],
    ['Patch web-prod.eu tonight', 'web-prod', false],
    ['Patch web_prod tonight', 'web-prod', false],
    ['Patch WEB-PROD tonight', 'web-prod', false],
    ['anything', '', false],
    ['group a+b (c)', 'a+b', true],
  ])('in %j, %j is named: %s', (text, name, expected) => {
    expect(namesWord(text, name)).toBe(expected);
  });
});

describe('evaluateChangeScope', () => {
  it('when the mode is none, then anything is covered, even nothing', () => {
    expect(evaluateChangeScope('none', change(), [])).toEqual({ ok: true });
    expect(evaluateChangeScope('none', change(), [inst('i-0123456789abcdef0')])).toEqual({ ok: true });
  });

  it('when there are no targets, then it is refused in every checking mode', () => {
    for (const mode of ['affected-cis', 'patch-groups'] as const) expect(evaluateChangeScope(mode, change(), [])).toMatchObject({ ok: false, uncovered: [] });
  });

  it('when any of an instance\'s CIs is named by the change, then the instance is covered', () => {
    const c = change({ cis: [{ sys_id: 'b'.repeat(32), name: 'web-1' }] });
    expect(evaluateChangeScope('affected-cis', c, [inst('i-0123456789abcdef0', 'a'.repeat(32), 'b'.repeat(32))])).toEqual({ ok: true });
    expect(evaluateChangeScope('affected-cis', c, [inst('i-0123456789abcdef1', 'a'.repeat(32))])).toMatchObject({ ok: false, uncovered: ['i-0123456789abcdef1'] });
    expect(evaluateChangeScope('affected-cis', c, [inst('i-0123456789abcdef2')])).toMatchObject({ ok: false, uncovered: ['i-0123456789abcdef2'] });
  });

  it('when a patch group is named by an affected CI or the text, then it is covered; the refusal names only the uncovered ones', () => {
    const c = change({ cis: [{ sys_id: 'b'.repeat(32), name: 'db-prod' }], text: 'Patch web-prod' });
    expect(evaluateChangeScope('patch-groups', c, [pg('db-prod'), pg('web-prod')])).toEqual({ ok: true });
    const v = evaluateChangeScope('patch-groups', c, [pg('db-prod'), pg('app-staging'), pg('web-prod')]);
    expect(v).toMatchObject({ ok: false, uncovered: ['app-staging'] });
    expect(!v.ok && v.reason).toBe('Change CHG0030001 does not cover 1 of 3 targets (targets the change names neither as an affected CI nor in its description): app-staging.');
  });

  it('when a CI has no name (unreadable), then it never covers a patch group by name', () => {
    expect(evaluateChangeScope('patch-groups', change({ cis: [{ sys_id: 'b'.repeat(32), name: '' }] }), [pg('')])).toMatchObject({ ok: false });
  });

  it('when many targets are uncovered, then the reason names the first ten and counts the rest', () => {
    const targets = Array.from({ length: 25 }, (_, i) => inst(`i-${String(i).padStart(17, '0')}`));
    const v = evaluateChangeScope('affected-cis', change(), targets);
    expect(!v.ok && v.uncovered).toHaveLength(25);
    expect(!v.ok && v.reason).toContain(`and ${25 - UNCOVERED_NAMED_MAX} more`);
    expect(!v.ok && v.reason).toContain('i-00000000000000009');
    expect(!v.ok && v.reason).not.toContain('i-00000000000000010');
  });
});
