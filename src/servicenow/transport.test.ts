import { describe, expect, it } from 'vitest';
import { formatServiceNowDate, parseServiceNowDate } from './dates.js';
import { retryAfterMs } from './transport.js';

const NOW = new Date('2026-05-01T12:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    { name: 'Retry-After in seconds', headers: { 'retry-after': '7' }, expected: 7_000 },
    { name: 'Retry-After as an HTTP-date', headers: { 'retry-after': 'Fri, 01 May 2026 12:00:30 GMT' }, expected: 30_000 },
    { name: 'X-RateLimit-Reset in Unix seconds', headers: { 'x-ratelimit-reset': String(NOW.getTime() / 1000 + 12) }, expected: 12_000 },
    {
      name: 'both, the later wins',
      headers: { 'retry-after': '2', 'x-ratelimit-reset': String(NOW.getTime() / 1000 + 5) },
      expected: 5_000,
    },
    { name: 'a date in the past', headers: { 'retry-after': 'Fri, 01 May 2026 11:00:00 GMT' }, expected: 0 },
    { name: 'nothing usable', headers: { 'retry-after': 'soon' }, expected: undefined },
  ])('when the 429 has $name, then wait $expected ms', ({ headers, expected }) => {
    // Act
    const wait = retryAfterMs(headers, NOW);

    // Assess
    expect(wait).toBe(expected);
  });
});

describe('ServiceNow dates', () => {
  it('when formatting and parsing, then UTC YYYY-MM-DD HH:mm:ss round-trips', () => {
    // Act
    const text = formatServiceNowDate(new Date('2026-03-04T05:06:07.890Z'));

    // Assess
    expect(text).toBe('2026-03-04 05:06:07');
    expect(parseServiceNowDate(text)).toEqual(new Date('2026-03-04T05:06:07Z'));
    expect(parseServiceNowDate('')).toBeUndefined();
    expect(parseServiceNowDate('2026-03-04T05:06:07Z')).toBeUndefined();
  });
});
