import { describe, expect, it } from 'vitest';
import { type InstanceCompliance, RESOLUTION_LISTED_MAX, resolutionFor, resolutionWorkNote } from './incident-resolution.js';

const incident = (ids: readonly string[], failedAt = '2026-03-01T10:00:00.000Z') => ({
  correlationId: 'pb-1',
  version: 4,
  reportedInstances: ids,
  failedAt,
  updatedAt: '2026-03-01T10:05:00.000Z',
});
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const compliant = (operationAt: string) => (instanceId: string): InstanceCompliance => ({ instanceId, compliant: true, operation: 'Install', operationAt });
const source = { kind: 'snapshot', key: 'history/x' } as const;

describe('resolutionFor', () => {
  it('when every instance is compliant after the last failure, then it asks to resolve at the record version, with the newest operation as compliantAt', () => {
    // Act
    const request = resolutionFor(incident([id(2), id(1)]), (i) => compliant(i === id(1) ? '2026-03-01T11:00:00.000Z' : '2026-03-01T12:00:00.000Z')(i), source, '2026-03-02T02:15:00.000Z');

    // Assess
    expect(request).toMatchObject({ correlationId: 'pb-1', version: 4, total: 2, compliantAt: '2026-03-01T12:00:00.000Z', seenAt: '2026-03-02T02:15:00.000Z' });
    expect(request?.listed.map((i) => i.instanceId)).toEqual([id(1), id(2)]);
  });

  it.each([
    ['one instance is missing from the evidence', (i: string) => (i === id(2) ? undefined : compliant('2026-03-01T11:00:00.000Z')(i)), '2026-03-02T00:00:00.000Z'],
    ['one instance is non-compliant', (i: string) => ({ ...compliant('2026-03-01T11:00:00.000Z')(i), compliant: i !== id(2) }), '2026-03-02T00:00:00.000Z'],
    ['one instance was last patched before the failure (an older state)', (i: string) => compliant(i === id(2) ? '2026-03-01T09:59:59.000Z' : '2026-03-01T11:00:00.000Z')(i), '2026-03-02T00:00:00.000Z'],
    ['one instance was last patched exactly at the failure', (i: string) => compliant(i === id(2) ? '2026-03-01T10:00:00.000Z' : '2026-03-01T11:00:00.000Z')(i), '2026-03-02T00:00:00.000Z'],
    ['an instance has no operation time', (i: string) => ({ ...compliant('2026-03-01T11:00:00.000Z')(i), operationAt: null }), '2026-03-02T00:00:00.000Z'],
    ['the snapshot was taken before the failure (an older snapshot)', compliant('2026-03-01T11:00:00.000Z'), '2026-03-01T09:00:00.000Z'],
  ])('when %s, then nothing is resolved', (_label, evidence, seenAt) => {
    expect(resolutionFor(incident([id(1), id(2)]), evidence, source, seenAt)).toBeUndefined();
  });

  it('when a record has no failure time (written before auto-resolve), then its updatedAt stands in for it', () => {
    // Prepare
    const { failedAt: _none, ...legacy } = incident([id(1)]);

    // Act / Assess
    expect(resolutionFor(legacy, compliant('2026-03-01T10:04:00.000Z'), source, '2026-03-02T00:00:00.000Z')).toBeUndefined();
    expect(resolutionFor(legacy, compliant('2026-03-01T10:06:00.000Z'), source, '2026-03-02T00:00:00.000Z')).toBeDefined();
  });

  it('when an incident has more instances than a note lists, then the note lists the first ones whole and counts the rest', () => {
    // Prepare
    const ids = Array.from({ length: RESOLUTION_LISTED_MAX + 7 }, (_, n) => id(n + 1));

    // Act
    const request = resolutionFor(incident(ids), compliant('2026-03-01T11:00:00.000Z'), source, '2026-03-02T00:00:00.000Z');
    const note = resolutionWorkNote(request!);

    // Assess
    expect(request?.listed).toHaveLength(RESOLUTION_LISTED_MAX);
    expect(note.split('\n').filter((l) => l.startsWith('- i-'))).toHaveLength(RESOLUTION_LISTED_MAX);
    expect(note).toMatch(/\n- and 7 more instance\(s\), all compliant after their last failure\.$/);
  });
});
