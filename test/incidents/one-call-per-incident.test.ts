import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { EVENT_BATCH_WINDOW_MS } from '../../src/flows/incidents/index.js';
import { DRAFT_HOLD_MS, PATCH_EVENT_KIND } from '../../src/flows/incidents/standalone.js';
import { createOutboxWorker } from '../../src/flows/outbox/index.js';
import { type Delivery, type Harness, shuffled } from './support/harness.js';
import { windowWith37Failures } from './support/scenario.js';

// A whole-fleet storm over both simulators: well under 30 s on a quiet machine, up to 40 s when it is shared.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/**
 * The storm in three parts, each in a batching window of its own: the
 * per-instance failures of the first half of every group's failed instances,
 * those of the second half, then the command- and window-level events (which
 * name every failure at once) with the successes.
 */
async function stormInThreeParts() {
  const scenario = await windowWith37Failures();
  open.push(scenario.h);
  const groups = [...scenario.failing.values()];
  const early = new Set(groups.flatMap((ids) => ids.slice(0, Math.ceil(ids.length / 2))));
  const named = (d: Delivery) => groups.flat().filter((id) => d.body.includes(id));
  const single = (d: Delivery) => named(d).length === 1 && !d.body.includes('Maintenance Window');
  const inFirst = (d: Delivery) => single(d) && early.has(named(d)[0] ?? '');
  const parts = [
    shuffled(scenario.deliveries.filter(inFirst), 7),
    shuffled(scenario.deliveries.filter((d) => single(d) && !inFirst(d)), 8),
    scenario.deliveries.filter((d) => !single(d)),
  ];
  return { ...scenario, parts };
}

/** ServiceNow calls the simulator served, by method and path. */
function calls(h: Harness): string[] {
  return h.sn.requests.map((r) => `${r.method} ${r.path}`);
}

describe('one ServiceNow call per incident', () => {
  it('when a storm arrives over three batching windows, then each incident is created by one call naming every failed instance', async () => {
    // Prepare
    const { h, parts, failing } = await stormInThreeParts();
    const [first = [], second = [], third = []] = parts;
    // Act: each part is posted while the one before it waits in its window, and the worker runs between them
    await h.postAll(first);
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await h.postAll(second);
    await h.worker.runOnce();
    const afterFirst = calls(h).length;
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await h.postAll(third);
    await h.worker.runOnce();
    const afterSecond = calls(h).length;
    await h.drain();
    // Assess
    expect(afterFirst).toBe(0);
    expect(afterSecond).toBe(0);
    expect(calls(h)).toEqual(Array(3).fill('POST /api/now/import/x_pbridge_failure_import'));
    for (const [group, ids] of failing) {
      const incident = h.incidents().find((i) => (i['short_description'] ?? '').includes(`patch group ${group} `));
      const notes = h.workNotes(incident?.['sys_id'] ?? '');
      expect(notes, group).toHaveLength(1);
      for (const id of ids) expect(notes[0]).toContain(id);
    }
  });

  it('when more failures arrive after the create in two windows, then each incident gets one follow-up update, not one per window', async () => {
    // Prepare: the first half creates the incidents
    const { h, parts } = await stormInThreeParts();
    const [first = [], second = [], third = []] = parts;
    await h.postAll(first);
    await h.drain();
    const created = calls(h).length;
    // Act
    await h.postAll(second);
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await h.postAll(third);
    await h.worker.runOnce();
    await h.drain();
    // Assess
    expect(created).toBe(3);
    expect(calls(h)).toHaveLength(6);
    expect(h.incidents()).toHaveLength(3);
    for (const incident of h.incidents()) expect(h.workNotes(incident['sys_id'] ?? '')).toHaveLength(2);
  });

  it('when failure events stay queued, then drafts wait for them no longer than the hold', async () => {
    // Prepare: a failure event that will not be due for an hour (an enrichment retrying through an AWS outage)
    const { h, deliveries } = await windowWith37Failures();
    open.push(h);
    await h.store.enqueue({
      id: 'event:stuck',
      kind: PATCH_EVENT_KIND,
      payload: { kind: 'command', accountId: '111122223333', region: 'eu-west-1', phase: 'failed', status: 'Failed', time: '2026-03-01T10:00:00Z', commandId: 'stuck' },
      nextAttemptAt: new Date(h.clock.now().getTime() + 3_600_000).toISOString(),
    });
    await h.postAll(deliveries);
    // Act
    await h.drain();
    const held = h.incidents().length;
    h.clock.advance(DRAFT_HOLD_MS);
    await h.drain();
    // Assess
    expect(held).toBe(0);
    expect(h.incidents()).toHaveLength(3);
    expect(calls(h)).toHaveLength(3);
  });

  it('when the node stops while drafts are held, then a new worker over the same store writes each incident once', async () => {
    // Prepare: drafts of the first part held while the second waits in its window
    const { h, parts } = await stormInThreeParts();
    const [first = [], second = []] = parts;
    await h.postAll(first);
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await h.postAll(second);
    await h.worker.runOnce();
    const queued = await h.store.outboxDepth('incident-draft');
    // Act: the first worker is never run again; another one takes over the store
    // As in the harness: the lease heartbeat must not pump the simulated clock.
    const clock: Clock = { now: () => h.clock.now(), sleep: (_ms, signal) => new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true })) };
    const next = createOutboxWorker({ store: h.store, clock, logger: silentLogger(), handlers: h.flows.outboxHandlers });
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await next.drain();
    // Assess
    expect(queued).toBeGreaterThan(0);
    expect(h.incidents()).toHaveLength(3);
    expect(calls(h)).toHaveLength(3);
  });
});
