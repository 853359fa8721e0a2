import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { EVENT_BATCH_WINDOW_MS, EVENT_QUIET_MS, INCIDENT_DRAFT_KIND } from '../../src/flows/incidents/index.js';
import { DRAFT_HOLD_MS, PATCH_EVENT_KIND } from '../../src/flows/incidents/standalone.js';
import { createOutboxWorker } from '../../src/flows/outbox/index.js';
import { createHarness, type Delivery, type Harness, shuffled } from './support/harness.js';
import { patchCommand, windowWith37Failures } from './support/scenario.js';

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
    // Prepare: a failure event that will not be due for an hour (an enrichment retrying through an AWS outage);
    // without the window execution's own final event no draft is complete, so every draft is held
    const scenario = await windowWith37Failures();
    const { h } = scenario;
    const deliveries = scenario.deliveries.filter((d) => !d.body.includes('Maintenance Window Execution State-change'));
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

/** A Run Command per patch group (no window, no runbook: each command is its own execution), failing on four instances each. */
async function twoCommands() {
  const h = await createHarness();
  open.push(h);
  const run = async (group: string) => {
    const failed = h.instancesOf(group).slice(0, 4).map((i) => i.instanceId);
    const { commandId } = await patchCommand(h, { groups: [group], failed, comment: `patch ${group}` });
    return { commandId, failed };
  };
  const db = await run('db-prod');
  const web = await run('web-prod');
  const isCommandEvent = (d: Delivery) => d.kind === 'eventbridge' && d.body.includes('EC2 Command Status-change Notification');
  /** The per-instance events (SNS and EventBridge) reporting the failed instances of one command. */
  const failureEvents = (c: { commandId: string; failed: string[] }) =>
    h.deliveries.filter((d) => !isCommandEvent(d) && d.body.includes(c.commandId) && c.failed.some((id) => d.body.includes(id)) && /Failed/.test(d.body));
  const commandEvent = (c: { commandId: string }) => h.deliveries.filter((d) => isCommandEvent(d) && d.body.includes(c.commandId) && d.body.includes('Failed'));
  return { h, db, web, failureEvents, commandEvent };
}

describe('complete drafts', () => {
  it('when a failed command is listed whole while failure events of another incident are still queued, then its incident is written at once with every failed instance', async () => {
    // Prepare
    const { h, db, web, failureEvents, commandEvent } = await twoCommands();
    const webFailures = failureEvents(web);
    expect(commandEvent(db)).toHaveLength(1);
    // Act: db's command event and two web failures share a batch; the other web failures wait in the next window
    await h.postAll([...commandEvent(db), ...webFailures.slice(0, 2)]);
    h.clock.advance(EVENT_BATCH_WINDOW_MS);
    await h.postAll(webFailures.slice(2));
    await h.worker.runOnce();
    const afterFirstBatch = calls(h);
    await h.drain();
    // Assess: db's incident did not wait for web's queued events; web's was still written once, whole
    expect(afterFirstBatch).toEqual(['POST /api/now/import/x_pbridge_failure_import']);
    expect(calls(h)).toHaveLength(2);
    for (const [group, ids] of [['db-prod', db.failed], ['web-prod', web.failed]] as const) {
      const incident = h.incidents().find((i) => (i['short_description'] ?? '').includes(`patch group ${group} `));
      const notes = h.workNotes(incident?.['sys_id'] ?? '');
      expect(notes, group).toHaveLength(1);
      for (const id of ids) expect(notes[0]).toContain(id);
    }
  });

  it('when failure events arrive late for instances a complete incident already names, then they cost no ServiceNow call and no per-instance AWS read', async () => {
    // Prepare: db's command event creates its incident, naming all four failures
    const { h, db, failureEvents, commandEvent } = await twoCommands();
    await h.postAll(commandEvent(db));
    await h.drain();
    const created = calls(h);
    h.aws.resetLog();
    // Act: the per-instance events of the same failures (SNS and EventBridge), then a redelivery of them all
    const late = failureEvents(db);
    await h.postAll(late);
    await h.drain();
    await h.postAll(late);
    await h.drain();
    // Assess
    expect(late.length).toBeGreaterThanOrEqual(db.failed.length);
    expect(created).toHaveLength(1);
    expect(calls(h)).toHaveLength(1);
    expect(h.incidents()).toHaveLength(1);
    expect(h.aws.count('ListComplianceItems') + h.aws.count('GetCommandInvocation')).toBe(0);
  });

  it('when a complete incident is written, then held drafts it already covers go at once, though failure events are still queued', async () => {
    // Prepare: a failure event that will not be due for an hour keeps the hold on
    const { h, web, failureEvents, commandEvent } = await twoCommands();
    await h.store.enqueue({
      id: 'event:stuck',
      kind: PATCH_EVENT_KIND,
      payload: { kind: 'command', accountId: '111122223333', region: 'eu-west-1', phase: 'failed', status: 'Failed', time: '2026-03-01T10:00:00Z', commandId: 'stuck' },
      nextAttemptAt: new Date(h.clock.now().getTime() + 3_600_000).toISOString(),
    });
    await h.postAll(failureEvents(web));
    h.clock.advance(EVENT_QUIET_MS);
    await h.worker.runOnce();
    const held = await h.store.outboxDepth(INCIDENT_DRAFT_KIND);
    // Act: web's command event lists it whole
    await h.postAll(commandEvent(web));
    h.clock.advance(EVENT_QUIET_MS);
    await h.worker.runOnce();
    // Assess: the complete draft made the incident; the held one had nothing to add and did not wait for the stuck event
    expect(held).toBeGreaterThan(0);
    expect(await h.store.outboxDepth(INCIDENT_DRAFT_KIND)).toBe(0);
    expect(calls(h)).toEqual(['POST /api/now/import/x_pbridge_failure_import']);
    expect(await h.store.outboxDepth(PATCH_EVENT_KIND)).toBe(1);
  });
});

