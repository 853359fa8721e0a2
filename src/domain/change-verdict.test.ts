import { describe, expect, it } from 'vitest';
import { type ChangeFacts, type ChangePurpose, evaluateChange, requireApproved } from './change-verdict.js';
import { gateCovers, gateStateAt } from './change-gate.js';

const START = new Date('2026-03-07T22:00:00Z');
const END = new Date('2026-03-08T02:00:00Z');
const MS = 1;

function change(overrides: Partial<ChangeFacts> = {}): ChangeFacts {
  return { sys_id: 'a'.repeat(32), number: 'CHG0030001', state: -2, approval: 'approved', start_date: START, end_date: END, ...overrides };
}

// Each dimension value carries the refusal it causes on its own; the rule checks approval, then state, then time.
const approvals = [
  ['approved', undefined],
  ['requested', 'CHANGE_NOT_APPROVED'],
  ['rejected', 'CHANGE_NOT_APPROVED'],
] as const;
const states = [
  ['Scheduled', -2, undefined],
  ['Implement', -1, undefined],
  ['Assess', -4, 'CHANGE_WRONG_STATE'],
  ['Closed', 3, 'CHANGE_WRONG_STATE'],
  ['Canceled', 4, 'CHANGE_WRONG_STATE'],
] as const;
const times = [
  ['1 ms before start', new Date(START.getTime() - MS), 'CHANGE_OUTSIDE_WINDOW', undefined],
  ['exactly at start', START, undefined, undefined],
  ['inside', new Date('2026-03-08T00:00:00Z'), undefined, undefined],
  ['exactly at end', END, undefined, undefined],
  ['1 ms after end', new Date(END.getTime() + MS), 'CHANGE_OUTSIDE_WINDOW', 'CHANGE_OUTSIDE_WINDOW'],
] as const;

const table = approvals.flatMap(([approval, byApproval]) =>
  states.flatMap(([stateName, state, byState]) =>
    times.map(([when, now, runNowByTime, gateByTime]) => ({
      approval,
      stateName,
      state,
      when,
      now,
      runNow: byApproval ?? byState ?? runNowByTime ?? 'ok',
      gate: byApproval ?? byState ?? gateByTime ?? 'ok',
    })),
  ),
);

describe('evaluateChange', () => {
  it.each(table)('when approval is $approval, state $stateName and now is $when, then run-now → $runNow, gate → $gate', (row) => {
    const c = change({ approval: row.approval, state: row.state });
    const outcome = (purpose: ChangePurpose) => {
      const v = evaluateChange(c, row.now, purpose);
      return v.ok ? 'ok' : v.code;
    };
    expect(outcome('run-now')).toBe(row.runNow);
    expect(outcome('gate')).toBe(row.gate);
  });

  it('when the change does not exist, then CHANGE_NOT_FOUND', () => {
    expect(evaluateChange(undefined, START)).toMatchObject({ ok: false, code: 'CHANGE_NOT_FOUND' });
  });

  it.each([
    ['no planned start', { start_date: undefined }],
    ['no planned end', { end_date: undefined }],
    ['an end before the start', { start_date: END, end_date: START }],
    ['an unparseable date', { start_date: new Date(Number.NaN) }],
  ])('when the change has %s, then CHANGE_OUTSIDE_WINDOW for both purposes', (_name, overrides) => {
    for (const purpose of ['run-now', 'gate'] as const) {
      expect(evaluateChange(change(overrides), START, purpose)).toMatchObject({ ok: false, code: 'CHANGE_OUTSIDE_WINDOW' });
    }
  });

  it('when approved, then the verdict carries the planned window and the sys_id', () => {
    expect(evaluateChange(change(), START)).toEqual({ ok: true, changeNumber: 'CHG0030001', changeSysId: 'a'.repeat(32), start: START, end: END, facts: change() });
  });

  it('when a refusal is required, then requireApproved throws it with its code', () => {
    expect(() => requireApproved(evaluateChange(change({ approval: 'requested' }), START), 'CHG0030001')).toThrow(
      expect.objectContaining({ code: 'CHANGE_NOT_APPROVED' }),
    );
    expect(() => requireApproved(evaluateChange(undefined, START), 'CHG0030009')).toThrow(/CHG0030009/);
  });
});

describe('gate state', () => {
  const gate = { start: START.toISOString(), end: END.toISOString(), revoked: false };
  it.each([
    ['before the window', new Date(START.getTime() - MS), 'scheduled', false],
    ['at its start', START, 'open', true],
    ['at its end', END, 'open', true],
    ['after it', new Date(END.getTime() + MS), 'expired', false],
  ])('when now is %s, then the gate is %s', (_name, now, state, covers) => {
    expect(gateStateAt(gate, now)).toBe(state);
    expect(gateCovers(gate, now)).toBe(covers);
  });

  it('when revoked, then it covers nothing, even inside the window', () => {
    expect(gateStateAt({ ...gate, revoked: true }, START)).toBe('revoked');
    expect(gateCovers({ ...gate, revoked: true }, START)).toBe(false);
  });

  it('when there is no gate, then none', () => {
    expect(gateStateAt(undefined, START)).toBe('none');
  });
});
