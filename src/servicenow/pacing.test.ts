import { afterEach, describe, expect, it } from 'vitest';
import { createServiceNowSimHarness, type ServiceNowSim, type ServiceNowSimHarness, type ServiceNowSimOptions } from '../sim/servicenow/index.js';
import type { ServiceNowClient } from './index.js';

/** Pacing to the platform's semaphores (issue 14, point 7). Real time: the simulator holds each transaction for a few ms. */

const harnesses: ServiceNowSimHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function setup(options: ServiceNowSimOptions, maxInFlight: number): Promise<{ sim: ServiceNowSim; sn: ServiceNowClient }> {
  const h = await createServiceNowSimHarness({
    sim: options,
    limits: { maxInFlight, maxRetries: 20, baseDelayMs: 5, maxDelayMs: 20, retryBudgetMs: 20_000, timeoutMs: 5_000 },
  });
  harnesses.push(h);
  return { sim: h.sim, sn: h.client };
}

const burst = (sn: ServiceNowClient, n: number) => Promise.all(Array.from({ length: n }, () => sn.ping()));
const throttled = (sim: ServiceNowSim) => sim.requests.filter((r) => r.status === 429).length;

describe('pacing', () => {
  it('when a full semaphore queue answers 429 with no rate-limit headers, then the client halves its in-flight limit and the next burst is not refused', async () => {
    // Prepare: 4 integration threads, no queue; the client is configured for 8.
    const { sim, sn } = await setup({ semaphores: { threads: 4, queue: 0, holdMs: 100 } }, 8);
    // Under a loaded machine a burst may trickle in; send bursts until the pool has refused one.
    for (let tries = 0; tries < 5 && throttled(sim) === 0; tries++) await burst(sn, 8);
    expect(throttled(sim)).toBeGreaterThan(0);
    sim.resetRequests();
    // Act
    await burst(sn, 16);
    // Assess
    expect(throttled(sim)).toBe(0);
    expect(sim.peakInFlight).toBeLessThanOrEqual(4);
  });

  it('when requests are sent, then no Cookie is ever presented, so parallel requests never share a session', async () => {
    // Prepare: the simulator hands out a session cookie on every answer, as an instance does.
    const { sim, sn } = await setup({ semaphores: { threads: 8, queue: 50, holdMs: 5 } }, 4);
    // Act
    await burst(sn, 12);
    // Assess
    expect(sim.requests.length).toBe(12);
    expect(sim.requests.every((r) => !r.cookie)).toBe(true);
  });
});
