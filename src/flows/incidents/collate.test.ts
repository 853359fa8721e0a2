import { describe, expect, it } from 'vitest';
import { type ExecutionRef, type IncidentPolicy, type InstanceFailure, NO_PATCH_GROUP } from '../../domain/index.js';
import { type CollateOptions, collateDrafts } from './collate.js';
import type { EnrichedUnit } from './enrich-scope.js';
import type { FailedUnit } from './expand.js';

const policy: IncidentPolicy = { prodEnvironments: ['prod'], groupMap: [], defaultGroup: 'Cloud Ops', serviceMap: {} };
const window: ExecutionRef = { kind: 'maintenance-window', id: 'e1f2a3b4-0000-4000-8000-000000000001' };
const options = (over: Partial<CollateOptions> = {}): CollateOptions => ({
  policy,
  now: new Date('2026-12-06T05:00:00Z'),
  perDraft: 100,
  failed: () => false,
  automationChanges: new Map(),
  ...over,
});

function enriched(instanceId: string, over: { key?: string; patchGroup?: string; execution?: ExecutionRef; change?: string; excerpt?: string; accountId?: string } = {}): EnrichedUnit {
  const unit: FailedUnit = {
    keys: new Set([over.key ?? `k-${instanceId}`]),
    ctx: { accountId: over.accountId ?? '111122223333', region: 'eu-west-1' },
    instanceId,
    status: 'Failed',
    execution: over.execution ?? window,
    ...(over.change ? { changeNumber: over.change } : {}),
    time: '2026-12-06T04:59:00Z',
  };
  const failure: InstanceFailure = {
    instanceId,
    patchGroup: over.patchGroup ?? 'web-prod',
    status: 'Failed',
    topPatches: [],
    tags: {},
    links: { instance: `https://console/${instanceId}` },
    failedAt: unit.time,
    ...(over.excerpt ? { errorExcerpt: over.excerpt } : {}),
  };
  return { unit, failure };
}

describe('collateDrafts', () => {
  it('groups failures into one draft per account, region, execution and patch group, naming every source event', () => {
    const drafts = collateDrafts(
      [enriched('i-0000000000000000a'), enriched('i-0000000000000000b'), enriched('i-0000000000000000c', { patchGroup: 'db-prod' }), enriched('i-0000000000000000d', { accountId: '444455556666' })],
      options(),
    );
    expect(drafts.map((d) => [d.draft.accountId, d.draft.patchGroup, d.draft.instances.map((i) => i.instanceId)])).toEqual([
      ['111122223333', 'web-prod', ['i-0000000000000000a', 'i-0000000000000000b']],
      ['111122223333', 'db-prod', ['i-0000000000000000c']],
      ['444455556666', 'web-prod', ['i-0000000000000000d']],
    ]);
    expect(drafts[0]?.sources).toEqual(['k-i-0000000000000000a', 'k-i-0000000000000000b']);
  });

  it('reports an instance reached twice once, keeping the record with an error excerpt', () => {
    const [draft, ...rest] = collateDrafts([enriched('i-0000000000000000a', { key: 'inv' }), enriched('i-0000000000000000a', { key: 'cmd', excerpt: 'E: dpkg lock' })], options());
    expect(rest).toEqual([]);
    expect(draft?.draft.instances).toHaveLength(1);
    expect(draft?.draft.instances[0]?.errorExcerpt).toBe('E: dpkg lock');
    expect(draft?.sources).toEqual(['inv', 'cmd']);
  });

  it('leaves out the units of events that already failed, so those events are retried whole', () => {
    const drafts = collateDrafts([enriched('i-0000000000000000a', { key: 'bad' }), enriched('i-0000000000000000b', { key: 'good' })], options({ failed: (k) => k === 'bad' }));
    expect(drafts.flatMap((d) => d.draft.instances.map((i) => i.instanceId))).toEqual(['i-0000000000000000b']);
    expect(drafts.flatMap((d) => d.sources)).toEqual(['good']);
  });

  it('splits a large group into drafts of perDraft instances under one correlation id', () => {
    const units = Array.from({ length: 5 }, (_, i) => enriched(`i-000000000000000${i}a`));
    const drafts = collateDrafts(units, options({ perDraft: 2 }));
    expect(drafts.map((d) => d.draft.instances.length)).toEqual([2, 2, 1]);
    expect(new Set(drafts.map((d) => d.draft.correlationId)).size).toBe(1);
  });

  it('takes the change number from any member, else from the automation execution it ran under', () => {
    const automation: ExecutionRef = { kind: 'automation', id: 'auto-1' };
    const [fromMember] = collateDrafts([enriched('i-0000000000000000a'), enriched('i-0000000000000000b', { change: 'CHG0040001' })], options());
    expect(fromMember?.draft.changeNumber).toBe('CHG0040001');
    const [fromRun] = collateDrafts([enriched('i-0000000000000000a', { execution: automation })], options({ automationChanges: new Map([['auto-1', 'CHG0040002']]) }));
    expect(fromRun?.draft.changeNumber).toBe('CHG0040002');
    const [none] = collateDrafts([enriched('i-0000000000000000a', { patchGroup: NO_PATCH_GROUP })], options());
    expect(none?.draft.changeNumber).toBeUndefined();
  });

  it('keeps the window id any member knows for the whole group', () => {
    const [draft] = collateDrafts([enriched('i-0000000000000000a'), enriched('i-0000000000000000b', { execution: { ...window, windowId: 'mw-0123456789abcdef0' } })], options());
    expect(draft?.draft.execution).toEqual({ ...window, windowId: 'mw-0123456789abcdef0' });
  });
});
