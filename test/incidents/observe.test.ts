import { afterEach, describe, expect, it } from 'vitest';
import type { PatchEvent } from '../../src/domain/index.js';
import { ACCOUNT, createHarness, type Delivery, type Harness, REGION } from './support/harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** A standalone server whose incident flows report every event they observe, as `serve` wires `change.recordEvent`. */
async function observedHarness() {
  const seen: PatchEvent[] = [];
  const h = await createHarness({ fleetSize: 12, observe: async (event) => void seen.push(event) });
  open.push(h);
  return { h, seen };
}

const automationSucceeded: Delivery = {
  kind: 'eventbridge',
  body: JSON.stringify({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Automation Execution Status-change Notification',
    source: 'aws.ssm',
    account: ACCOUNT,
    time: '2026-03-01T10:00:00Z',
    region: REGION,
    resources: [],
    detail: {
      ExecutionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c',
      Definition: 'patchbridge-AdHocPatch',
      DefinitionVersion: 1.0,
      Status: 'Success',
      StartTime: 'Mar 1, 2026 9:43:20 AM',
      EndTime: 'Mar 1, 2026 9:59:26 AM',
      ExecutedBy: `arn:aws:iam::${ACCOUNT}:role/patchbridge`,
    },
  }),
};

describe('standalone intake feeds the observer every event, not only failures', () => {
  it('when a maintenance window starts, then its window-execution IN_PROGRESS event reaches the observer at once, before any batching window', async () => {
    // Prepare
    const { h, seen } = await observedHarness();
    const window = h.addWindow(['web-prod']);
    const executionId = await h.runWindow(window.windowId);
    const started = h.deliveries.filter((d) => d.kind === 'eventbridge' && d.body.includes('Maintenance Window Execution') && d.body.includes('"IN_PROGRESS"'));
    expect(started).toHaveLength(1);
    // Act
    const [res] = await h.postAll(started);
    await h.worker.drain();
    // Assess
    expect(res?.status).toBe(202);
    expect(seen).toEqual([expect.objectContaining({ kind: 'window-execution', windowExecutionId: executionId, status: 'IN_PROGRESS', phase: 'running' })]);
  });

  it('when an automation execution succeeds, then its event is stored, observed once and raises no incident', async () => {
    // Prepare
    const { h, seen } = await observedHarness();
    // Act
    const first = await (await h.post(automationSucceeded)).json();
    const again = await (await h.post(automationSucceeded)).json();
    await h.drain();
    // Assess
    expect(first).toEqual({ status: 'accepted', accepted: 1, duplicates: 0, ignored: 0 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(seen).toEqual([expect.objectContaining({ kind: 'automation', executionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c', phase: 'succeeded' })]);
    expect(h.incidents()).toEqual([]);
    expect(await h.store.outboxDepth()).toBe(0);
  });

  it('when a whole window runs, then the observer sees its successes and progress as well as its failures', async () => {
    // Prepare
    const { h, seen } = await observedHarness();
    const [failing] = h.instancesOf('web-prod');
    h.aws.forceOutcome(failing?.instanceId ?? '', 'Failed');
    const window = h.addWindow(['web-prod']);
    await h.runWindow(window.windowId);
    // Act
    await h.postAll(h.deliveries.filter((d) => d.kind === 'eventbridge'));
    await h.drain();
    // Assess
    const phases = new Set(seen.map((e) => `${e.kind}:${e.phase}`));
    expect(phases).toContain('window-execution:running');
    expect(phases).toContain('invocation:succeeded');
    expect(phases).toContain('invocation:failed');
    expect(h.incidents()).toHaveLength(1);
  });
});
