import { describe, expect, it } from 'vitest';
import { PLATFORMS } from './catalog.js';
import { createFleet, HOSTILE_TEXT, patchCounts, resolveTargets } from './fleet.js';

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

describe('the hostile knob', () => {
  it('when hostile is on, then every other instance carries hostile Name, Application and Owner tags within 256 characters and a Linux host name within 64, and 1 patch title in 7 a 10 KB tail', () => {
    // Act
    const plain = createFleet({ size: 40, seed: 3 });
    const fleet = createFleet({ size: 40, seed: 3, hostile: true });

    // Assess
    const marked = fleet.instances.filter((i) => HOSTILE_TEXT.some((t) => (i.tags['Owner'] ?? '').startsWith(t.slice(0, 20))));
    expect(marked).toHaveLength(20);
    for (const i of fleet.instances) for (const v of Object.values(i.tags)) expect(v.length).toBeLessThanOrEqual(256);
    for (const i of fleet.instances) expect(i.computerName.length).toBeLessThanOrEqual(64);
    expect(fleet.instances.some((i) => HOSTILE_TEXT.includes(i.computerName as (typeof HOSTILE_TEXT)[number]) || HOSTILE_TEXT.some((t) => t.startsWith(i.computerName)))).toBe(true);
    const titles = Object.values(fleet.catalogs).flat().map((p) => p.title);
    expect(titles.filter((t) => t.length > 10_000).length).toBe(Math.ceil(Object.values(fleet.catalogs).reduce((n, c) => n + Math.ceil(c.length / 7), 0)));
    expect(plain.instances.every((i) => !HOSTILE_TEXT.some((t) => Object.values(i.tags).some((v) => v.includes(t))))).toBe(true);
  });
});
