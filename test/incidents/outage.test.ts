import { afterEach, describe, expect, it, vi } from 'vitest';
import { INCIDENT_COMPLETE_DRAFT_KIND, INCIDENT_DRAFT_KIND } from '../../src/flows/incidents/index.js';
import { type Harness, shuffled } from './support/harness.js';
import { FAILING, patchResultsStream, windowWith37Failures } from './support/scenario.js';

// Whole-fleet scenarios over both simulators: 4–15 s on a quiet 2-core machine, several times that when it is shared.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const MINUTE = 60_000;

/** Drafts waiting for ServiceNow: held ones and complete ones (a window execution's own final event lists it whole). */
async function draftsQueued(h: Harness): Promise<number> {
  return (await h.store.outboxDepth(INCIDENT_DRAFT_KIND)) + (await h.store.outboxDepth(INCIDENT_COMPLETE_DRAFT_KIND));
}

describe('a ServiceNow outage mid-stream', () => {
  it('when ServiceNow is down for five simulated minutes, then every incident arrives afterwards and none twice', async () => {
    // Prepare: the web-prod failures go through while ServiceNow is up.
    const { h, failing } = await windowWith37Failures();
    open.push(h);
    const stream = shuffled(patchResultsStream(h.deliveries), 11);
    const webIds = failing.get('web-prod') ?? [];
    const isWebOnly = (body: string) => webIds.some((id) => body.includes(id)) && !body.includes('Maintenance Window');
    await h.postAll(stream.filter((d) => isWebOnly(d.body)));
    await h.drain();
    expect(h.incidents()).toHaveLength(1);
    const outageStart = h.clock.now().getTime();
    h.sn.configure({ outages: [{ from: outageStart, to: outageStart + 5 * MINUTE }] });

    // Act: the rest of the stream arrives during the outage; the worker keeps polling.
    await h.postAll(stream.filter((d) => !isWebOnly(d.body)));
    await h.drain();
    const stuck = await draftsQueued(h);
    const duringOutage = h.incidents().length;
    const importCallsDuringOutage = h.sn.calls(/import/);
    for (let waited = 0; waited < 30 * MINUTE && (await draftsQueued(h)) > 0; waited += 15_000) {
      h.clock.advance(15_000);
      await h.drain();
    }

    // Assess
    expect(stuck).toBeGreaterThan(0);
    expect(duringOutage).toBe(1);
    expect(importCallsDuringOutage).toBeGreaterThan(1);
    expect(h.clock.now().getTime()).toBeGreaterThan(outageStart + 5 * MINUTE);
    expect(await h.store.outboxDepth()).toBe(0);
    const incidents = h.incidents();
    expect(incidents).toHaveLength(3);
    expect(new Set(incidents.map((i) => i['correlation_id'])).size).toBe(3);
    for (const [group, ids] of failing) {
      const incident = incidents.find((i) => (i['short_description'] ?? '').includes(`patch group ${group} `));
      expect(incident?.['short_description'], group).toContain(`on ${FAILING[group as keyof typeof FAILING]} instances`);
      const rows = (incident?.['description'] ?? '').split('\n').filter((l) => /^(i|mi)-[0-9a-f]+ /.test(l));
      expect(rows).toHaveLength(ids.length);
      expect(h.workNotes(incident?.['sys_id'] ?? '')).toHaveLength(1);
    }
  });
});
