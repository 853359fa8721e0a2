import { describe, expect, it } from 'vitest';
import { ManualClock, ValidationError } from '../../core/index.js';
import { type ChangeRequest, ServiceNowError } from '../../servicenow/index.js';
import { approvedChange } from '../../servicenow/testing.js';
import { readChangeVerdict, verifyChange } from './verify-change.js';

const NOW = new Date('2026-03-01T10:00:00Z');

function change(): ChangeRequest {
  return approvedChange({ short_description: 'Patch', start_date: new Date('2026-03-01T09:00:00Z'), end_date: new Date('2026-03-01T12:00:00Z') });
}

describe('verifying a change with ServiceNow', () => {
  it('when ServiceNow answers with an approved change, then the verdict is approved with the planned window', async () => {
    const clock = new ManualClock(NOW);
    const verdict = await verifyChange({ clock, servicenow: { getChangeRequest: async () => change() } }, 'CHG0030001', 'run-now');
    expect(verdict).toMatchObject({ ok: true, changeSysId: 'c'.repeat(32), end: new Date('2026-03-01T12:00:00Z') });
  });

  it.each([
    ['a ServiceNowError', () => Promise.reject(new ServiceNowError('UNAVAILABLE', '503 from the instance'))],
    ['a non-retryable ServiceNowError', () => Promise.reject(new ServiceNowError('FORBIDDEN', 'ACL'))],
    ['any other failure', () => Promise.reject(new TypeError('socket hang up'))],
  ])('when reading the change fails with %s, then CHANGE_UNVERIFIABLE (fail closed)', async (_name, fail) => {
    const clock = new ManualClock(NOW);
    await expect(readChangeVerdict({ clock, servicenow: { getChangeRequest: fail } }, 'CHG0030001', 'run-now')).rejects.toMatchObject({
      code: 'CHANGE_UNVERIFIABLE',
      retryable: true,
    });
  });

  it('when ServiceNow does not answer within the timeout, then CHANGE_UNVERIFIABLE once it passes', async () => {
    const clock = new ManualClock(NOW);
    const pending = readChangeVerdict({ clock, servicenow: { getChangeRequest: () => new Promise(() => {}) }, verifyTimeoutMs: 5_000 }, 'CHG0030001', 'gate');
    const settled = pending.then(
      () => 'resolved',
      (err: { code?: string }) => err.code,
    );
    await clock.advance(4_999);
    const early = await Promise.race([settled, Promise.resolve('still waiting')]);
    await clock.advance(1);
    expect(early).toBe('still waiting');
    expect(await settled).toBe('CHANGE_UNVERIFIABLE');
  });

  it('when the change number cannot go into a query, then the validation error passes through as a 400', async () => {
    const clock = new ManualClock(NOW);
    const invalid = new ValidationError('INVALID_QUERY_VALUE', 'not a change number');
    await expect(readChangeVerdict({ clock, servicenow: { getChangeRequest: () => Promise.reject(invalid) } }, 'CHG^1', 'run-now')).rejects.toBe(invalid);
  });
});
