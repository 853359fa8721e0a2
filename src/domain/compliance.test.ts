import { describe, expect, it } from 'vitest';
import {
  addDays,
  complianceStatus,
  daysBetween,
  isDay,
  isStale,
  type PatchCounts,
  patchGroupFromTags,
  periodDays,
  ZERO_COUNTS,
} from './compliance.js';

const counts = (patch: Partial<PatchCounts>): PatchCounts => ({ ...ZERO_COUNTS, ...patch });

describe('complianceStatus', () => {
  it.each([
    ['nothing missing', counts({ installed_count: 40 }), 'COMPLIANT'],
    ['a missing patch', counts({ missing_count: 1 }), 'NON_COMPLIANT'],
    ['a failed patch', counts({ failed_count: 1 }), 'NON_COMPLIANT'],
    ['a patch pending reboot', counts({ installed_pending_reboot_count: 2 }), 'NON_COMPLIANT'],
    ['an installed rejected patch', counts({ installed_rejected_count: 1 }), 'NON_COMPLIANT'],
    ['only not-applicable and other patches', counts({ not_applicable_count: 9, installed_other_count: 3 }), 'COMPLIANT'],
    ['no patch state at all', undefined, 'UNREPORTED'],
  ] as const)('when the instance has %s, then it is %s', (_what, c, expected) => {
    expect(complianceStatus(c)).toBe(expected);
  });
});

describe('isStale', () => {
  const at = new Date('2026-03-10T12:00:00Z');
  it.each([
    ['pinged an hour ago', new Date('2026-03-10T11:00:00Z'), false],
    ['pinged exactly 7 days ago', new Date('2026-03-03T12:00:00Z'), false],
    ['pinged 7 days and a minute ago', new Date('2026-03-03T11:59:00Z'), true],
    ['never pinged', undefined, true],
  ] as const)('when the instance %s and the limit is 7 days, then stale is %s', (_what, lastPing, expected) => {
    expect(isStale(lastPing, at, 7)).toBe(expected);
  });
});

describe('patchGroupFromTags', () => {
  it.each([
    [{ 'Patch Group': 'web' }, 'web'],
    [{ PatchGroup: 'db' }, 'db'],
    [{ 'Patch Group': 'web', PatchGroup: 'db' }, 'web'],
    [{ 'Patch Group': '  ' }, undefined],
    [{ Environment: 'prod' }, undefined],
    [undefined, undefined],
  ])('when the tags are %j, then the patch group is %s', (tags, expected) => {
    expect(patchGroupFromTags(tags)).toBe(expected);
  });
});

describe('calendar days', () => {
  it('when a period of 30 days ends on 1 March, then it starts on 31 January and runs oldest first', () => {
    const days = periodDays('2026-03-01', 30);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2026-01-31');
    expect(days[29]).toBe('2026-03-01');
  });

  it('when days are added across a month end and a leap day, then the calendar is respected', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-01-30', '2026-03-01')).toBe(30);
  });

  it.each([
    ['2026-02-28', true],
    ['2026-02-30', false],
    ['2026-2-3', false],
    ['20260203', false],
  ])('when the text is %s, then isDay is %s', (text, expected) => {
    expect(isDay(text)).toBe(expected);
  });
});
