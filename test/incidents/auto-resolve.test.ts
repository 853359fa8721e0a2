import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { RESOLVE_NOTE_PREFIX } from '../../src/domain/index.js';
import { createComplianceSnapshot } from '../../src/flows/compliance/index.js';
import { randomIds } from '../../src/core/clock.js';
import { createIncidentFlows, INCIDENT_RESOLVE_KIND, monitoringTopicChannel } from '../../src/flows/incidents/index.js';
import { createPatchResultsHandler } from '../../src/handlers/patch-results.js';
import { createServiceNowListenerHandler } from '../../src/handlers/servicenow-listener.js';
import { memoryBlobs } from '../compliance/support/memory-blobs.js';
import { ACCOUNT, createHarness, type Harness, type HarnessOptions, MONITORING_TOPIC, REGION } from './support/harness.js';
import { fromTopic, patchResultsStream, sqsBatches } from './support/scenario.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const MINUTE = 60_000;
const MODES = ['import-set', 'table'] as const;

/** One incident for three failed web-prod instances of one window execution, delivered and written. */
async function openIncident(options: HarnessOptions) {
  const h = await createHarness({ sharedClock: true, fleetSize: 24, ...options });
  open.push(h);
  const failed = h.instancesOf('web-prod').slice(0, 3).map((i) => i.instanceId);
  for (const id of failed) h.aws.forceOutcome(id, 'Failed');
  const window = h.addWindow(['web-prod']);
  await h.runWindow(window.windowId);
  await h.postAll(patchResultsStream(h.deliveries));
  await h.drain();
  const [incident, ...more] = h.incidents();
  expect(more).toEqual([]);
  expect(incident?.['state']).toBe('1');
  return { h, failed, window, sysId: incident?.['sys_id'] ?? '' };
}

/** Patches the fleet again with every instance succeeding; returns the deliveries that run produced. */
async function patchAgain(h: Harness, failed: readonly string[], windowId: string) {
  for (const id of failed) h.aws.forceOutcome(id, undefined);
  h.clock.advance(30 * MINUTE);
  const before = h.deliveries.length;
  await h.runWindow(windowId);
  return h.deliveries.slice(before);
}

function snapshotter(h: Harness) {
  return createComplianceSnapshot({
    inventory: h.awsPorts.inventory,
    blobs: memoryBlobs(),
    clock: h.clock,
    logger: silentLogger(),
    targets: [{ accountId: ACCOUNT, region: REGION }],
    staleDays: 7,
    onCollected: (snapshot) => h.flows.resolutions.fromSnapshot(snapshot),
  });
}

const resolveNotes = (h: Harness, sysId: string) => h.workNotes(sysId).filter((n) => n.startsWith(RESOLVE_NOTE_PREFIX));

describe('auto-resolve', () => {
  it.each(MODES)(
    'when the next compliance snapshot shows every instance of an open incident compliant (%s), then it is resolved once, with a close code, close notes and a note naming the instances and the snapshot',
    async (mode) => {
      // Prepare
      const { h, failed, window, sysId } = await openIncident({ mode });
      await patchAgain(h, failed, window.windowId);
      const snapshot = snapshotter(h);

      // Act: the snapshot, then the same snapshot again (a re-run), each delivered.
      h.clock.advance(MINUTE);
      await snapshot.run();
      await h.drain();
      const afterFirst = h.sn.state.get('incident', sysId);
      await snapshot.run({ overwrite: true });
      await h.drain();

      // Assess
      const incident = h.sn.state.get('incident', sysId);
      expect(afterFirst?.['state']).toBe('6');
      expect(incident?.['state']).toBe('6');
      expect(incident?.['active']).toBe('true');
      expect(incident?.['close_code']).toBe('Solution provided');
      expect(incident?.['close_notes']).toContain('All 3 instance(s) of this incident reported no missing or failed patches in the compliance snapshot taken');
      const notes = resolveNotes(h, sysId);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/Seen in the compliance snapshot taken 2026-03-01T\d\d:\d\d:\d\d\.\d{3}Z \(history\/account=111122223333\/region=eu-west-1\/dt=2026-03-01\/snapshot\.ndjson\.gz\)/);
      for (const id of failed) expect(notes[0]).toMatch(new RegExp(`^- ${id}: Install ended 2026-03-01T[0-9:.]+Z, no missing or failed patches$`, 'm'));
      const record = await h.store.getCorrelation(incident?.['correlation_id'] ?? '');
      expect(record).toMatchObject({ state: 'resolved', resolvedBy: expect.stringContaining('compliance snapshot') });
      expect(await h.store.outboxDepth()).toBe(0);
    },
  );

  it.each(MODES)('when a later successful run patches every instance of an open incident (%s), then it is resolved citing the run', async (mode) => {
    // Prepare
    const { h, failed, window, sysId } = await openIncident({ mode });
    const run = await patchAgain(h, failed, window.windowId);

    // Act: the run's success events arrive, twice (at-least-once delivery).
    await h.postAll(patchResultsStream(run));
    await h.drain();
    await h.postAll(patchResultsStream(run));
    await h.drain();

    // Assess
    const incident = h.sn.state.get('incident', sysId);
    expect(incident?.['state']).toBe('6');
    const notes = resolveNotes(h, sysId);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/Seen in patch states read 2026-03-01T[0-9:.]+Z after (Run Command [0-9a-f-]{36}|maintenance window execution [0-9a-f-]{36}) succeeded/);
    for (const id of failed) expect(notes[0]).toContain(`- ${id}: Install ended`);
    expect(h.incidents()).toHaveLength(1);
  });

  it.each(MODES)('when only some instances of the incident are compliant (%s), then it stays open and gets no note', async (mode) => {
    // Prepare: one instance keeps failing.
    const { h, failed, window, sysId } = await openIncident({ mode });
    const run = await patchAgain(h, failed.slice(1), window.windowId);
    h.aws.forceOutcome(failed[0] ?? '', 'Failed');
    const notesBefore = h.workNotes(sysId).length;

    // Act
    await h.postAll(patchResultsStream(run));
    await h.drain();
    await snapshotter(h).run();
    await h.drain();

    // Assess
    expect(h.sn.state.get('incident', sysId)?.['state']).toBe('1');
    expect(resolveNotes(h, sysId)).toEqual([]);
    expect(h.workNotes(sysId).length).toBeGreaterThanOrEqual(notesBefore);
  });

  it.each(MODES)('when ServiceNow is down as the snapshot resolves an incident (%s), then the resolution waits in the outbox and lands after the outage', async (mode) => {
    // Prepare
    const { h, failed, window, sysId } = await openIncident({ mode });
    await patchAgain(h, failed, window.windowId);
    const outageStart = h.clock.now().getTime();
    h.sn.configure({ outages: [{ from: outageStart, to: outageStart + 5 * MINUTE }] });

    // Act
    await snapshotter(h).run();
    await h.drain();
    const during = h.sn.state.get('incident', sysId)?.['state'];
    const queued = await h.store.outboxDepth(INCIDENT_RESOLVE_KIND);
    for (let waited = 0; waited < 30 * MINUTE && (await h.store.outboxDepth(INCIDENT_RESOLVE_KIND)) > 0; waited += 15_000) {
      h.clock.advance(15_000);
      await h.drain();
    }

    // Assess
    expect(during).toBe('1');
    expect(queued).toBe(1);
    expect(h.sn.state.get('incident', sysId)?.['state']).toBe('6');
    expect(resolveNotes(h, sysId)).toHaveLength(1);
  });

  it('when PATCHBRIDGE_INCIDENT_AUTO_RESOLVE is false, then neither a snapshot nor a successful run resolves the incident', async () => {
    // Prepare
    const { h, failed, window, sysId } = await openIncident({ env: { PATCHBRIDGE_INCIDENT_AUTO_RESOLVE: 'false' } });
    const run = await patchAgain(h, failed, window.windowId);

    // Act
    await h.postAll(patchResultsStream(run));
    await snapshotter(h).run();
    await h.drain();

    // Assess
    expect(h.sn.state.get('incident', sysId)?.['state']).toBe('1');
    expect(resolveNotes(h, sysId)).toEqual([]);
    expect(await h.store.outboxDepth(INCIDENT_RESOLVE_KIND)).toBe(0);
  });

  it.each(MODES)('when a person already resolved the incident (%s), then patchbridge adds no note and stops watching it', async (mode) => {
    // Prepare
    const { h, failed, window, sysId } = await openIncident({ mode });
    await patchAgain(h, failed, window.windowId);
    h.sn.state.update('incident', sysId, { state: '6', close_code: 'Solution provided', close_notes: 'patched by hand' });
    const notesBefore = h.workNotes(sysId).length;

    // Act
    await snapshotter(h).run();
    await h.drain();

    // Assess
    expect(h.workNotes(sysId)).toHaveLength(notesBefore);
    expect(h.sn.state.get('incident', sysId)?.['close_notes']).toBe('patched by hand');
    const correlationId = h.sn.state.get('incident', sysId)?.['correlation_id'] ?? '';
    expect(await h.store.getCorrelation(correlationId)).toMatchObject({ state: 'resolved', resolvedBy: 'already resolved or closed in ServiceNow' });
  });
});

describe('auto-resolve in the Lambda runtime', () => {
  it('when the patch-results Lambda sees the successful run, then the resolve request goes through the monitoring topic and the listener Lambda resolves the incident once', async () => {
    // Prepare: the incident exists (written by the standalone flow; the store is shared).
    const { h, failed, window, sysId } = await openIncident({ mode: 'table' });
    const flows = createIncidentFlows(
      { config: h.config, logger: silentLogger(), clock: h.clock, ids: randomIds, store: h.store, aws: h.awsPorts, servicenow: h.servicenow },
      { channel: monitoringTopicChannel({ publisher: h.awsPorts.publisher, topicArn: h.config.topics.monitoring }) },
    );
    const patchResults = createPatchResultsHandler({ processor: flows.processor, logger: silentLogger() });
    const listener = createServiceNowListenerHandler({ upserter: flows.upserter, logger: silentLogger() });
    const run = await patchAgain(h, failed, window.windowId);
    const published = fromTopic(h.deliveries, MONITORING_TOPIC).length;

    // Act
    for (const batch of sqsBatches(patchResultsStream(run), 100)) expect((await patchResults(batch)).batchItemFailures).toEqual([]);
    await h.aws.settle();
    const requests = fromTopic(h.deliveries, MONITORING_TOPIC).slice(published);
    const responses = [];
    // Delivered twice: SQS is at-least-once.
    for (const batch of sqsBatches([...requests, ...requests], 10, 'servicenow-listener')) responses.push(await listener(batch));

    // Assess
    expect(requests).toHaveLength(1);
    expect(JSON.parse((JSON.parse(requests[0]?.body ?? '{}') as { Message: string }).Message)).toMatchObject({ schema: 'patchbridge.incident-resolve/1', total: 3 });
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(h.sn.state.get('incident', sysId)?.['state']).toBe('6');
    expect(resolveNotes(h, sysId)).toHaveLength(1);
  });
});
