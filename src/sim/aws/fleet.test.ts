import { describe, expect, it } from 'vitest';
import { PLATFORMS } from './catalog.js';
import { createFleet, patchCounts, resolveTargets } from './fleet.js';

describe('createFleet', () => {
  it('when the same options and seed are used twice, then the fleets are identical', () => {
    const a = createFleet({ size: 300, seed: 'same', patchGroups: 5 });
    const b = createFleet({ size: 300, seed: 'same', patchGroups: 5 });

    expect(b.instances.map((i) => [i.instanceId, i.platform, i.tags, [...i.states], i.pingStatus])).toEqual(
      a.instances.map((i) => [i.instanceId, i.platform, i.tags, [...i.states], i.pingStatus]),
    );
    expect(b.windows.map((w) => w.windowId)).toEqual(a.windows.map((w) => w.windowId));
  });

  it('when the seed changes, then the fleet changes', () => {
    const a = createFleet({ size: 50, seed: 1 });
    const b = createFleet({ size: 50, seed: 2 });

    expect(b.instances.map((i) => i.instanceId)).not.toEqual(a.instances.map((i) => i.instanceId));
  });

  it('when a fleet is generated, then it mixes platforms, hybrid nodes, unmanaged and stale instances as configured', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const fleet = createFleet({ size: 2000, seed: 7, unmanagedRate: 0.1, staleRate: 0.05, hybridRate: 0.2, now });

    const count = (pred: (i: (typeof fleet.instances)[number]) => boolean) => fleet.instances.filter(pred).length;
    expect(new Set(fleet.instances.map((i) => i.platform))).toEqual(new Set(PLATFORMS));
    expect(count((i) => i.instanceId.startsWith('mi-') && i.resourceType === 'ManagedInstance')).toBeGreaterThan(300);
    expect(count((i) => i.tags['Patch Group'] === undefined)).toBeGreaterThan(150);
    const stale = fleet.instances.filter((i) => i.stale);
    expect(stale.length).toBeGreaterThan(60);
    expect(stale.every((i) => i.pingStatus !== 'Online' && now - i.lastPingAt >= 14 * 86_400_000)).toBe(true);
    expect(count((i) => i.patch === undefined)).toBeGreaterThan(0);
    expect(fleet.instances.every((i) => /^(i-[0-9a-f]{17}|mi-[0-9a-f]{17})$/.test(i.instanceId))).toBe(true);
  });

  it('when patch groups are named, then every managed instance carries one of them and a baseline per OS exists', () => {
    const fleet = createFleet({ size: 200, seed: 8, patchGroups: ['web', 'db'], unmanagedRate: 0 });

    expect(new Set(fleet.instances.map((i) => i.tags['Patch Group']))).toEqual(new Set(['web', 'db']));
    for (const i of fleet.instances) {
      expect(fleet.groupBaselines.get(i.tags['Patch Group']!)?.size).toBeGreaterThan(0);
    }
    expect(fleet.windows.map((w) => w.name)).toEqual(['patch-web', 'patch-db']);
  });

  it('when counts are computed, then they add up to the catalog and non-compliant splits into critical/security/other', () => {
    const fleet = createFleet({ size: 100, seed: 9, compliantRate: 0 });

    for (const i of fleet.instances) {
      const c = patchCounts(fleet, i);
      const total = c.installed + c.installedOther + c.installedPendingReboot + c.installedRejected + c.missing + c.failed + c.notApplicable;
      expect(total).toBe(fleet.catalogs[i.platform].length);
      expect(c.criticalNonCompliant + c.securityNonCompliant + c.otherNonCompliant).toBe(
        c.installedPendingReboot + c.installedRejected + c.missing + c.failed,
      );
    }
  });

  it.each([
    [[{ key: 'tag:Environment', values: ['prod'] }], (t: Record<string, string>) => t['Environment'] === 'prod'],
    [[{ key: 'tag-key', values: ['Patch Group'] }], (t: Record<string, string>) => t['Patch Group'] !== undefined],
  ])('when targets %j are resolved, then exactly the matching instances come back', (targets, matches) => {
    const fleet = createFleet({ size: 150, seed: 10 });

    const resolved = resolveTargets(fleet, targets);

    expect(resolved.map((i) => i.instanceId)).toEqual(fleet.instances.filter((i) => matches(i.tags)).map((i) => i.instanceId));
  });
});
