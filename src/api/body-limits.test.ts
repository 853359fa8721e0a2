import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './body-limits.js';

describe('jsonDepthExceeds', () => {
  it.each([
    ['[[[]]]', 3, false],
    ['[[[[]]]]', 3, true],
    ['{"a":{"b":{"c":1}}}', 3, false],
    ['{"a":{"b":{"c":{"d":1}}}}', 3, true],
    // Brackets inside strings, and escaped quotes, are text, not nesting.
    ['{"a":"[[[[[[{{{{{"}', 1, false],
    ['{"a":"\\"[[[[[["}', 1, false],
    ['[1,[2],[3],[4]]', 2, false],
  ])('%s with a limit of %i exceeds it: %s', (text, max, expected) => {
    expect(jsonDepthExceeds(Buffer.from(text), max)).toBe(expected);
  });
});
