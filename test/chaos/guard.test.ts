import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardUnderFault, openGates, postBacklog } from './scenarios/guard.js';
import { patchWithFailures } from './scenarios/storm.js';
import { createWorld, type Patchbridge, startPatchbridge, type World } from './support/world.js';

/** The target: cancelled within 15 s of the event, whatever ServiceNow does. */
const GUARD_LIMIT_S = 15;

describe('chaos: the window guard under a backlog (patchbridge serve as a child process)', () => {
  let world: World;
  let pb: Patchbridge;
  let windows: string[];
  beforeAll(async () => {
    world = await createWorld({ fleetSize: 1_100, patchGroups: 4 });
    pb = await startPatchbridge(world);
    windows = await openGates(world, pb);
    // 1,000 failed invocations: a thousand outbox items, and incident writes that will meet the fault.
    const backlog = await patchWithFailures(world, 1_000);
    await world.proxy.set('503');
    await postBacklog(pb, backlog);
  }, 120_000);
  afterAll(async () => {
    await pb?.stop();
    await world?.close();
  });

  it.each([
    ['503', 0],
    ['hang', 1],
  ] as const)('when ServiceNow answers %s and 1,000 items are queued, then a gated window that cannot be confirmed is cancelled within 15 s', async (mode, index) => {
    // Act
    const run = await guardUnderFault(world, pb, windows[index] as string, mode, 40_000);

    // Assess
    expect(run.seconds, `no cancel within 40 s in mode ${mode}`).toBeDefined();
    expect(run.seconds).toBeLessThanOrEqual(GUARD_LIMIT_S);
  }, 90_000);
});
