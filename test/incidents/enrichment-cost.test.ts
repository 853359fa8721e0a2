import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_QUIET_MS } from '../../src/flows/incidents/index.js';
import { createHarness, type Harness, shuffled } from './support/harness.js';
import { patchCommand } from './support/scenario.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('enrichment cost under a storm', () => {
  it('when 120 instances of one command fail, then patch states cost one call per 50 instances and tags one per 100', async () => {
    // Prepare
    const h = await createHarness({ fleetSize: 400 });
    open.push(h);
    const targets = [...h.instancesOf('web-prod'), ...h.instancesOf('db-prod')];
    const failed = targets.slice(0, 120).map((i) => i.instanceId);
    await patchCommand(h, { groups: ['web-prod', 'db-prod'], failed, comment: 'storm test' });
    const deliveries = shuffled(h.deliveries, 5);
    h.aws.resetLog();
    // Act
    await h.postAll(deliveries);
    await h.drain();
    // Assess
    expect(h.incidents()).toHaveLength(2);
    expect(h.aws.count('DescribeInstancePatchStates')).toBe(Math.ceil(failed.length / 50));
    expect(h.aws.count('GetResources')).toBe(Math.ceil(failed.length / 100));
    expect(h.aws.count('DescribeInstanceInformation')).toBe(Math.ceil(failed.length / 50));
    // The command is listed once, not once per failure event: its first page, then by failure status (a page per 50 failures).
    expect(targets.length).toBeGreaterThan(50);
    expect(h.aws.count('ListCommandInvocations')).toBe(1 + Math.ceil(failed.length / 50) + 2);
    const total = h.aws.requestLog.length;
    expect(total / failed.length).toBeLessThan(1.3);
  });

  it('when a command of at most 50 targets fails, then it is listed whole in one call, its successes included', async () => {
    // Prepare
    const h = await createHarness({ fleetSize: 160 });
    open.push(h);
    const targets = h.instancesOf('db-prod');
    const failed = targets.slice(0, 6).map((i) => i.instanceId);
    await patchCommand(h, { groups: ['db-prod'], failed, comment: 'small command' });
    h.aws.resetLog();
    // Act
    await h.postAll(shuffled(h.deliveries, 3));
    await h.drain();
    // Assess
    expect(targets.length).toBeLessThanOrEqual(50);
    expect(h.aws.requestLog.filter((e) => e.operation === 'ListCommandInvocations')).toHaveLength(1);
    const [incident] = h.incidents();
    expect(h.incidents()).toHaveLength(1);
    for (const id of failed) expect(incident?.['description']).toContain(id);
  });

  it('when 12 invocations of one command fail in one batch without the command event, then the command is listed once with a Status filter, not once per instance', async () => {
    // Prepare: only the per-invocation SNS notifications arrive (no command-level event to list the command whole)
    const h = await createHarness({ fleetSize: 160 });
    open.push(h);
    const failed = h.instancesOf('db-prod').slice(0, 12).map((i) => i.instanceId);
    await patchCommand(h, { groups: ['db-prod'], failed, comment: 'filtered listing' });
    const invocationNotifications = shuffled(h.deliveries.filter((d) => d.kind === 'sns'), 9);
    h.aws.resetLog();
    // Act
    await h.postAll(invocationNotifications);
    await h.drain();
    // Assess
    const listings = h.aws.requestLog.filter((e) => e.operation === 'ListCommandInvocations');
    expect(listings).toHaveLength(1);
    const [incident] = h.incidents();
    expect(h.incidents()).toHaveLength(1);
    for (const id of failed) expect(incident?.['description']).toContain(id);
  });

  it("when a command's event follows its invocation events in a later batch, then no instance's compliance is read twice", async () => {
    // Prepare
    const h = await createHarness({ fleetSize: 160 });
    open.push(h);
    const failed = h.instancesOf('web-prod').slice(0, 10).map((i) => i.instanceId);
    await patchCommand(h, { groups: ['web-prod'], failed, comment: 'two batches' });
    const isCommandEvent = (d: { kind: string; body: string }) => d.kind === 'eventbridge' && d.body.includes('EC2 Command Status-change Notification');
    h.aws.resetLog();
    // Act: the per-instance events are enriched in a batch of their own (their stream went quiet), their draft held; the command event comes after
    await h.postAll(h.deliveries.filter((d) => d.kind === 'sns'));
    h.clock.advance(EVENT_QUIET_MS);
    await h.worker.runOnce();
    const firstBatch = h.aws.count('ListComplianceItems');
    await h.postAll(h.deliveries.filter(isCommandEvent));
    await h.drain();
    // Assess: the command's listing reached the same ten instances again, and reused what the first batch read
    expect(firstBatch).toBe(failed.length);
    expect(h.aws.count('ListComplianceItems')).toBe(failed.length);
    expect(h.incidents()).toHaveLength(1);
    expect(h.sn.requests).toHaveLength(1);
  });
});

