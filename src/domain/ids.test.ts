import { describe, expect, it } from 'vitest';
import { ID_EXAMPLES as EXAMPLES } from '../../test/fixtures/id-examples.js';
import { ID_PATTERNS, ID_SOURCES, type IdKind, isId } from './ids.js';


describe('id patterns', () => {
  it('every declared id kind has examples here', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(ID_SOURCES).sort());
  });

  describe.each(Object.entries(EXAMPLES) as [IdKind, { valid: string[]; invalid: string[] }][])('%s', (kind, { valid, invalid }) => {
    it.each(valid)('accepts %s', (value) => {
      expect(isId(kind, value)).toBe(true);
    });
    it.each(invalid)('rejects %j', (value) => {
      expect(isId(kind, value)).toBe(false);
    });
  });

  it('each source has no capturing group, so a pattern composed from it keeps its own group numbers', () => {
    for (const source of Object.values(ID_SOURCES)) {
      // One alternative that matches the empty string: the match array's length is 1 + capturing groups.
      expect(new RegExp(`(?:${source})|`).exec('')?.length).toBe(1);
    }
  });

  it('the anchored pattern matches the whole value only', () => {
    expect(ID_PATTERNS.changeNumber.test('xCHG0030001')).toBe(false);
    expect(ID_PATTERNS.instanceId.test('i-12345678i-12345678')).toBe(false);
    expect(new RegExp(`\\b(${ID_SOURCES.windowId})\\b`).exec('window mw-0123456789abcdef0 ran')?.[1]).toBe('mw-0123456789abcdef0');
  });
});
