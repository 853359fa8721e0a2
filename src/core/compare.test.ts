import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './compare.js';

describe('constantTimeEqual', () => {
  it.each([
    ['s3cret-api-key', 's3cret-api-key', true],
    ['s3cret-api-key', 's3cret-api-kez', false],
    ['short', 'a much longer value', false],
    ['', '', true],
    ['', 'x', false],
  ])('compares %j with %j as %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
    expect(constantTimeEqual(Buffer.from(a), Buffer.from(b))).toBe(expected);
  });
});
