import { describe, expect, it } from 'vitest';
import { nameSome } from './text.js';

describe('nameSome', () => {
  it('when the items fit, then every one is named', () => {
    expect(nameSome(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(nameSome([], 3)).toBe('');
  });

  it('when there are more items than it may name, then it names the first and counts the rest', () => {
    const incidents = Array.from({ length: 120 }, (_, i) => `INC${String(10001 + i).padStart(7, '0')}`);

    const text = nameSome(incidents, 50);

    expect(text.startsWith('INC0010001, INC0010002')).toBe(true);
    expect(text.endsWith('INC0010050 and 70 more')).toBe(true);
    expect(text.split(', ')).toHaveLength(50);
  });
});
