import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/index.js';
import { EncodedQuery, encodedQuery } from './encoded-query.js';

describe('encodedQuery', () => {
  it.each([
    { name: 'AND of conditions', build: () => encodedQuery().eq('number', 'CHG0030001').eq('active', true), text: 'number=CHG0030001^active=true' },
    { name: 'an OR group', build: () => encodedQuery().eq('state', -2).or().eq('state', -1), text: 'state=-2^ORstate=-1' },
    {
      name: 'IN with several ids',
      build: () => encodedQuery().in('object_id', ['i-0123456789abcdef0', 'mi-0123456789abcdef0']),
      text: 'object_idINi-0123456789abcdef0,mi-0123456789abcdef0',
    },
    { name: 'NOT IN', build: () => encodedQuery().notIn('approval', ['rejected', 'cancelled']), text: 'approvalNOT INrejected,cancelled' },
    { name: 'emptiness', build: () => encodedQuery().isEmpty('cmdb_ci').isNotEmpty('assignment_group'), text: 'cmdb_ciISEMPTY^assignment_groupISNOTEMPTY' },
    {
      name: 'ordering after conditions',
      build: () => encodedQuery().orderByDesc('sys_updated_on').eq('correlation_id', 'pb:1'),
      text: 'correlation_id=pb:1^ORDERBYDESCsys_updated_on',
    },
  ])('when building $name, then the encoded text is exact', ({ build, text }) => {
    // Act
    const query = build().build();

    // Assess
    expect(query).toBeInstanceOf(EncodedQuery);
    expect(query.toString()).toBe(text);
  });

  it.each([
    { name: 'a caret', act: () => encodedQuery().eq('number', 'CHG0030001^ORactive=true') },
    { name: 'a newline', act: () => encodedQuery().eq('number', 'CHG0030001\n') },
    { name: 'a comma in an IN value', act: () => encodedQuery().in('object_id', ['i-01234567,i-89abcdef']) },
    { name: 'an empty IN list', act: () => encodedQuery().in('object_id', []) },
    { name: 'a too-short change number', act: () => encodedQuery().eq('number', 'CHG123') },
    { name: 'an upper-case sys_id', act: () => encodedQuery().eq('sys_id', 'A'.repeat(32)) },
    { name: 'a correlation id over 100 characters', act: () => encodedQuery().eq('correlation_id', 'a'.repeat(101)) },
    { name: 'a space in a correlation id', act: () => encodedQuery().eq('correlation_id', 'a b') },
    { name: 'a field outside the allowlist', act: () => encodedQuery().eq('short_description' as never, 'x') },
    { name: 'ordering by a field outside the list', act: () => encodedQuery().orderBy('short_description' as never) },
    { name: 'an object value', act: () => encodedQuery().eq('number', {} as never) },
    { name: 'a leading or()', act: () => encodedQuery().or() },
  ])('when given $name, then INVALID_QUERY_VALUE', ({ act }) => {
    // Act
    const run = () => act().build();

    // Assess
    expect(run).toThrow(ValidationError);
    try {
      run();
    } catch (error) {
      expect((error as ValidationError).code).toBe('INVALID_QUERY_VALUE');
      expect((error as Error).message).not.toContain('^OR');
    }
  });

  it('when constructed directly, then it is refused', () => {
    // Act
    const make = () => new EncodedQuery(Symbol('forged'), 'active=true');

    // Assess
    expect(make).toThrow(ValidationError);
  });
});
