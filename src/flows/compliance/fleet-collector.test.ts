import { describe, expect, it } from 'vitest';
import type { AwsContext, InstancePatchState, ManagedInstance } from '../../aws/index.js';
import { silentLogger } from '../../core/index.js';
import { collectFleet } from './fleet-collector.js';
import type { ComplianceInventory } from './ports.js';

const CTX: AwsContext = { accountId: '111111111111', region: 'eu-west-1' };
const AT = new Date('2026-03-10T02:15:00Z');

function state(instanceId: string, patchGroup: string, patch: Partial<InstancePatchState> = {}): InstancePatchState {
  return {
    instanceId,
    patchGroup,
    baselineId: 'pb-0123456789abcdef0',
    operation: 'Scan',
    operationStartAt: new Date('2026-03-10T01:00:00Z'),
    operationEndAt: new Date('2026-03-10T01:05:00Z'),
    installedCount: 10,
    installedOtherCount: 0,
    installedPendingRebootCount: 0,
    installedRejectedCount: 0,
    missingCount: 0,
    failedCount: 0,
    unreportedNotApplicableCount: 0,
    notApplicableCount: 3,
    criticalNonCompliantCount: 0,
    securityNonCompliantCount: 0,
    otherNonCompliantCount: 0,
    ...patch,
  };
}

/** 250 instances: 0–199 tagged web/db, 200–239 untagged with a default-baseline state, 240–249 never scanned and silent. */
function fakeInventory() {
  const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
  const instances: ManagedInstance[] = Array.from({ length: 250 }, (_, n) => ({
    instanceId: id(n),
    pingStatus: n >= 240 ? 'ConnectionLost' : 'Online',
    lastPingAt: n >= 240 ? new Date('2026-02-01T00:00:00Z') : new Date('2026-03-10T02:00:00Z'),
    platformType: 'Linux',
    platformName: 'Amazon Linux',
  }));
  const groupOf = (n: number) => (n < 100 ? 'web' : n < 200 ? 'db' : undefined);
  const calls = { pages: 0, tags: [] as number[], groups: [] as string[], describePatchStates: [] as number[] };
  const inventory: ComplianceInventory = {
    async *instancePages() {
      for (let i = 0; i < instances.length; i += 50) {
        calls.pages++;
        yield instances.slice(i, i + 50);
      }
    },
    async patchGroups() {
      return [
        { patchGroup: 'web', baselineId: 'pb-0123456789abcdef0', operatingSystem: 'AMAZON_LINUX_2023' },
        { patchGroup: 'web', baselineId: 'pb-0123456789abcdef1', operatingSystem: 'WINDOWS' },
        { patchGroup: 'db', baselineId: 'pb-0123456789abcdef0', operatingSystem: 'AMAZON_LINUX_2023' },
      ];
    },
    async patchStatesForGroup(_ctx, group) {
      calls.groups.push(group);
      return instances.flatMap((_, n) => (groupOf(n) === group ? [state(id(n), group, n === 7 ? { missingCount: 2, criticalNonCompliantCount: 1 } : {})] : []));
    },
    async describePatchStates(_ctx, ids) {
      calls.describePatchStates.push(ids.length);
      return ids.filter((i) => Number.parseInt(i.slice(2), 16) < 240).map((i) => state(i, ''));
    },
    async tags(_ctx, ids) {
      calls.tags.push(ids.length);
      return new Map(ids.map((i) => {
        const g = groupOf(Number.parseInt(i.slice(2), 16));
        return [i, g ? { 'Patch Group': g, Environment: 'prod' } : { Environment: 'prod' }];
      }));
    },
    async describeInstances() {
      throw new Error('not used');
    },
  } as ComplianceInventory;
  return { inventory, calls, id };
}

describe('collectFleet', () => {
  it('when the fleet is read, then only bulk calls are made: pages, tags 100 at a time, states once per group, and a batch for the uncovered', async () => {
    // Prepare
    const { inventory, calls } = fakeInventory();
    // Act
    const records = [...await collectFleet({ inventory, logger: silentLogger(), staleDays: 7 }, CTX, AT)];
    // Assess
    expect(records).toHaveLength(250);
    expect(calls.pages).toBe(5);
    expect(calls.tags).toEqual([100, 100, 50]);
    expect(calls.groups.sort()).toEqual(['db', 'web']);
    expect(calls.describePatchStates).toEqual([50]);
  });

  it('when the fleet is read, then each record carries group, status, unmanaged and stale as the rules say', async () => {
    const { inventory, id } = fakeInventory();
    const records = [...await collectFleet({ inventory, logger: silentLogger(), staleDays: 7 }, CTX, AT)];
    const byId = new Map(records.map((r) => [r.instance_id, r]));
    expect(byId.get(id(7))).toMatchObject({ patch_group: 'web', status: 'NON_COMPLIANT', missing_count: 2, critical_non_compliant_count: 1, unmanaged: false, stale: false });
    expect(byId.get(id(150))).toMatchObject({ patch_group: 'db', status: 'COMPLIANT' });
    expect(byId.get(id(210))).toMatchObject({ patch_group: null, unmanaged: true, status: 'COMPLIANT' });
    expect(byId.get(id(245))).toMatchObject({ patch_group: null, unmanaged: true, status: 'UNREPORTED', stale: true, ping_status: 'ConnectionLost' });
    expect(records.map((r) => r.instance_id)).toEqual([...records.map((r) => r.instance_id)].sort());
    expect(records.every((r) => r.captured_at === AT.toISOString() && r.account_id === CTX.accountId && r.aws_region === CTX.region)).toBe(true);
  });

  it('when a tag call fails while pages are still arriving, then the error surfaces and nothing is left unhandled', async () => {
    const { inventory } = fakeInventory();
    const failing: ComplianceInventory = {
      ...inventory,
      tags: async () => {
        throw new Error('tagging down');
      },
    };
    await expect(collectFleet({ inventory: failing, logger: silentLogger(), staleDays: 7 }, CTX, AT)).rejects.toThrow('tagging down');
  });
});
