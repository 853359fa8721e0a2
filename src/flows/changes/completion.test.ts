import { describe, expect, it } from 'vitest';
import { type PatchRunCounts, suggestedCloseCode } from './run-views.js';

const counts = (total: number, succeeded: number, failed = total - succeeded): PatchRunCounts => ({ total, pending: 0, inProgress: 0, succeeded, failed, timedOut: 0, cancelled: 0 });

describe('suggestedCloseCode', () => {
  it.each([
    ['Success', counts(4, 4), 'successful'],
    ['Success', counts(4, 3), 'successful_issues'],
    ['Failed', counts(4, 1), 'successful_issues'],
    ['TimedOut', counts(4, 2), 'successful_issues'],
    ['Failed', counts(4, 0), 'unsuccessful'],
    ['TimedOut', counts(4, 0), 'unsuccessful'],
    ['Cancelled', counts(4, 4), undefined],
    ['Success', counts(0, 0), undefined],
  ] as const)('a run ending %s with %o suggests %s', (status, c, expected) => {
    expect(suggestedCloseCode(status, c)).toBe(expected);
  });
});
