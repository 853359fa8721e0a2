import { afterEach, describe, expect, it } from 'vitest';
import { type AwsSimHarness, createAwsSimHarness } from '../sim/aws/index.js';

let h: AwsSimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const calls = (harness: AwsSimHarness, op: string) => harness.sim.requestLog.filter((e) => e.operation === op);

/** Whether `check` holds within two seconds, looked at every 5 ms. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 2_000; waited += 5) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return check();
}

describe('FleetInventory over the simulator', () => {
  it('when the fleet spans several pages, then describeInstances returns every instance in order', async () => {
    // Prepare
    h = await createAwsSimHarness({ sim: { fleet: { size: 120, seed: 3 } } });
    // Act
    const instances = await h.ports.inventory.describeInstances(h.ctx);
    // Assess
    expect(instances.map((i) => i.instanceId)).toEqual(h.sim.fleet.instances.map((i) => i.instanceId));
    expect(calls(h, 'DescribeInstanceInformation')).toHaveLength(3);
    expect(instances[0]).toMatchObject({ pingStatus: expect.any(String), platformName: expect.any(String) });
    expect(instances[0]?.lastPingAt).toBeInstanceOf(Date);
  });

  it('when a page arrives, then the next page is asked for before the caller has handled it', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 120, seed: 3 } } });
    const harness = h;
    const seen: string[] = [];
    let askedAhead = false;

    for await (const page of harness.ports.inventory.instancePages(harness.ctx)) {
      if (seen.length === 0) askedAhead = await eventually(() => calls(harness, 'DescribeInstanceInformation').length === 2);
      seen.push(...page.map((i) => i.instanceId));
    }

    expect(askedAhead).toBe(true);
    expect(seen).toEqual(harness.sim.fleet.instances.map((i) => i.instanceId));
    expect(calls(harness, 'DescribeInstanceInformation')).toHaveLength(3);
  });

  it('when the caller stops after a page and the page asked for ahead fails, then that failure is no unhandled rejection', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 120, seed: 3 }, tps: { DescribeInstanceInformation: { rate: 0.001, burst: 1 } } }, maxAttempts: 1 });
    const harness = h;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for await (const page of harness.ports.inventory.instancePages(harness.ctx)) {
        expect(page).toHaveLength(50);
        break;
      }
      const refused = await eventually(() => calls(harness, 'DescribeInstanceInformation').some((e) => e.errorCode === 'ThrottlingException'));
      await new Promise((resolve) => setTimeout(resolve, 50));

      expect(refused).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('when filtered by a tag, then only instances carrying it come back', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 80, seed: 4 } } });
    const group = h.sim.fleet.patchGroups[0]!;

    const instances = await h.ports.inventory.describeInstances(h.ctx, { tags: { 'Patch Group': [group] } });

    const expected = h.sim.fleet.instances.filter((i) => i.tags['Patch Group'] === group).map((i) => i.instanceId);
    expect(expected.length).toBeGreaterThan(0);
    expect(instances.map((i) => i.instanceId)).toEqual(expected);
  });

  it('when more than 50 instance ids are given, then the InstanceIds filter is split into calls of 50', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 130, seed: 5 } } });
    const ids = h.sim.fleet.instances.slice(0, 120).map((i) => i.instanceId);

    const instances = await h.ports.inventory.describeInstances(h.ctx, { instanceIds: ids });

    expect(instances.map((i) => i.instanceId).sort()).toEqual([...ids].sort());
    expect(calls(h, 'DescribeInstanceInformation')).toHaveLength(3);
  });

  it('when 200 instances are asked for, then DescribeInstancePatchStates is called 4 times, 50 ids each', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 200, seed: 6, unmanagedRate: 0 } } });
    const ids = h.sim.fleet.instances.map((i) => i.instanceId);

    const states = await h.ports.inventory.describePatchStates(h.ctx, ids);

    expect(calls(h, 'DescribeInstancePatchStates')).toHaveLength(4);
    expect(states).toHaveLength(200);
    const first = h.sim.fleet.instances[0]!;
    const state = states.find((s) => s.instanceId === first.instanceId);
    expect(state?.patchGroup).toBe(first.tags['Patch Group']);
    expect(state?.operationEndAt).toBeInstanceOf(Date);
    expect(state!.installedCount + state!.missingCount + state!.notApplicableCount).toBeGreaterThan(0);
  });

  it('when the API is limited to 5 TPS, then a batched read still completes and the log shows throttled retries with backoff', async () => {
    h = await createAwsSimHarness({
      sim: { fleet: { size: 250, seed: 7, unmanagedRate: 0 }, tps: { DescribeInstancePatchStates: { rate: 5, burst: 2 } } },
      maxAttempts: 8,
    });
    const ids = h.sim.fleet.instances.map((i) => i.instanceId);

    const states = await h.ports.inventory.describePatchStates(h.ctx, ids);

    expect(states).toHaveLength(250);
    const log = calls(h, 'DescribeInstancePatchStates');
    const throttled = log.filter((e) => e.errorCode === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(0);
    expect(log.filter((e) => e.status === 200)).toHaveLength(5);
    // Each throttled call was retried later under the same SDK invocation id, with a higher attempt number.
    for (const t of throttled) {
      const retry = log.find((e) => e.invocationId === t.invocationId && (e.attempt ?? 0) > (t.attempt ?? 0));
      expect(retry, `retry of ${t.invocationId}`).toBeDefined();
      expect(retry!.at).toBeGreaterThan(t.at);
    }
    expect(h.sim.counters.get('DescribeInstancePatchStates')?.throttled).toBe(throttled.length);
  });

  it('when a patch group is larger than a page, then patchStatesForGroup pages through all of it', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 230, seed: 8, patchGroups: ['only'], unmanagedRate: 0 } } });

    const states = await h.ports.inventory.patchStatesForGroup(h.ctx, 'only');

    expect(states).toHaveLength(230);
    expect(new Set(states.map((s) => s.patchGroup))).toEqual(new Set(['only']));
    expect(calls(h, 'DescribeInstancePatchStatesForPatchGroup')).toHaveLength(3);
  });

  it('when a patch group is spread through a larger fleet, then its pages hold exactly its members, once each, and the last page ends the listing', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 700, seed: 8, patchGroups: ['a', 'b', 'c'], unmanagedRate: 0 } } });
    const expected = h.sim.fleet.instances.filter((i) => i.tags['Patch Group'] === 'b').map((i) => i.instanceId);

    const states = await h.ports.inventory.patchStatesForGroup(h.ctx, 'b');

    expect(expected.length).toBeGreaterThan(200);
    expect(states.map((s) => s.instanceId)).toEqual(expected);
    const log = calls(h, 'DescribeInstancePatchStatesForPatchGroup');
    expect(log).toHaveLength(Math.ceil(expected.length / 100));
    expect(log.every((e) => e.status === 200)).toBe(true);
  });

  it('when patch groups are listed, then each maps to its baseline per operating system', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 60, seed: 9, patchGroups: ['web', 'db'] } } });

    const groups = await h.ports.inventory.patchGroups(h.ctx);

    expect(new Set(groups.map((g) => g.patchGroup))).toEqual(new Set(['web', 'db']));
    for (const g of groups) {
      expect(g.baselineId).toMatch(/^pb-[0-9a-f]{17}$/);
      expect(g.operatingSystem).toBeDefined();
    }
  });

  it('when compliance items are read, then there is one call per instance and items carry patch state and severity', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 30, seed: 10, unmanagedRate: 0, compliantRate: 0 } } });
    const ids = h.sim.fleet.instances.slice(0, 12).map((i) => i.instanceId);

    const items = await h.ports.inventory.complianceItems(h.ctx, ids);
    const nonCompliant = await h.ports.inventory.complianceItems(h.ctx, ids, { statuses: ['NON_COMPLIANT'] });

    expect(calls(h, 'ListComplianceItems')).toHaveLength(24);
    expect([...items.keys()]).toEqual(ids);
    const all = [...items.values()].flat();
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((i) => i.patchState !== undefined && i.classification !== undefined)).toBe(true);
    const bad = [...nonCompliant.values()].flat();
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((i) => i.status === 'NON_COMPLIANT' && ['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected'].includes(i.patchState!))).toBe(true);
  });

  it('when tags are read for 250 instances, then GetResources is called 3 times and hybrid nodes are included', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 250, seed: 11, hybridRate: 0.3 } } });
    const ids = h.sim.fleet.instances.map((i) => i.instanceId);

    const tags = await h.ports.inventory.tags(h.ctx, [...ids, 'i-0000000000000dead']);

    expect(calls(h, 'GetResources')).toHaveLength(3);
    const hybrid = h.sim.fleet.instances.find((i) => i.instanceId.startsWith('mi-'))!;
    expect(tags.get(hybrid.instanceId)).toEqual(hybrid.tags);
    expect(tags.get(ids[0]!)).toMatchObject({ Environment: expect.any(String), Application: expect.any(String), Owner: expect.any(String) });
    expect(tags.get('i-0000000000000dead')).toEqual({});
  });

  it('when command output is longer than the excerpt, then the tail is kept', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 10, seed: 12 } } });
    const target = h.sim.fleet.instances.find((i) => i.pingStatus === 'Online')!;
    h.sim.forceOutcome(target.instanceId, 'Failed');
    const { commandId } = await h.ports.patchExecution.sendPatchCommand(h.ctx, {
      targets: [{ key: 'InstanceIds', values: [target.instanceId] }],
      operation: 'Install',
      maxConcurrency: '1',
      maxErrors: '0',
      comment: 'CHG0000001',
    });
    await h.sim.settle();

    const full = await h.ports.inventory.commandOutput(h.ctx, commandId, target.instanceId, { maxChars: 100_000 });
    const short = await h.ports.inventory.commandOutput(h.ctx, commandId, target.instanceId, { maxChars: 40 });

    expect(full.status).toBe('Failed');
    expect(full.responseCode).toBe(1);
    expect(full.stderrExcerpt).toMatch(/fail/i);
    expect(short.stdoutExcerpt).toHaveLength(40);
    expect(full.stdoutExcerpt.endsWith(short.stdoutExcerpt.slice(1))).toBe(true);
  });
});
