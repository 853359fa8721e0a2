import { afterEach, describe, expect, it, vi } from 'vitest';
import { correlationIdFor } from '../../src/domain/index.js';
import { ACCOUNT, type Delivery, type Harness, REGION, shuffled } from './support/harness.js';
import { windowWith37Failures } from './support/scenario.js';

// Whole-fleet scenarios over both simulators: 4–15 s on a quiet 2-core machine, several times that when it is shared.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('a maintenance-window execution failing on 37 instances across 3 patch groups', () => {
  it.each(['import-set', 'table'] as const)(
    'when every SNS and EventBridge delivery arrives shuffled (%s mode), then exactly 3 incidents carry complete per-instance tables',
    async (mode) => {
      // Prepare
      const { h, failing, windowExecutionId, windowId } = await windowWith37Failures({ mode });
      open.push(h);
      const deliveries = shuffled(h.deliveries, 42);
      // Act
      const responses = await h.postAll(deliveries);
      await h.drain();
      // Assess
      expect(responses.every((r) => r.status === 202)).toBe(true);
      const incidents = h.incidents();
      expect(incidents).toHaveLength(3);
      for (const [group, ids] of failing) {
        const correlationId = correlationIdFor({ accountId: ACCOUNT, region: REGION, executionId: windowExecutionId, patchGroup: group });
        const incident = incidents.find((i) => i['correlation_id'] === correlationId);
        expect(incident, group).toBeDefined();
        const description = incident?.['description'] ?? '';
        expect(description).toContain(`Patching failed on ${ids.length} instance(s) of patch group "${group}" during maintenance window ${windowId} execution ${windowExecutionId}`);
        // Complete table: one row per failed instance, nothing from other groups.
        const rows = description.split('\n').filter((line) => /^(i|mi)-[0-9a-f]+ /.test(line));
        expect(rows.map((r) => r.split(' ')[0]).sort()).toEqual([...ids].sort());
        for (const row of rows) expect(row).toMatch(/\| Failed \|/);
        expect(description).toContain('Next steps:');
        expect(incident?.['short_description']).toBe(`Patching failed on ${ids.length} instances in patch group ${group} (maintenance window, ${ACCOUNT} ${REGION})`);
        const notes = h.workNotes(incident?.['sys_id'] ?? '');
        expect(notes).toHaveLength(1);
        for (const id of ids) expect(notes[0]).toContain(id);
      }
    },
  );
});

describe('replays and late events', () => {
  it('when all events are replayed twice, then there are still 3 incidents and no new work notes', async () => {
    // Prepare
    const { h } = await windowWith37Failures();
    open.push(h);
    const original: Delivery[] = [...h.deliveries];
    await h.postAll(shuffled(original, 1));
    await h.drain();
    const before = h.incidents().map((i) => ({ id: i['sys_id'] ?? '', notes: h.workNotes(i['sys_id'] ?? '').length }));
    // Act
    await h.postAll(shuffled(original, 2));
    await h.drain();
    await h.postAll(shuffled(original, 3));
    await h.drain();
    // Assess
    expect(h.incidents()).toHaveLength(3);
    for (const b of before) expect(h.workNotes(b.id)).toHaveLength(b.notes);
  });

  it('when failures of the same execution arrive late, then each incident gets one work note listing only the new ones', async () => {
    // Prepare: hold back everything about 2 failed instances per group, and the window-level events
    const { h, failing } = await windowWith37Failures();
    open.push(h);
    const late = new Set([...failing.values()].flatMap((ids) => ids.slice(-2)));
    const isLate = (d: Delivery) => [...late].some((id) => d.body.includes(id)) || d.body.includes('Maintenance Window');
    const early = h.deliveries.filter((d) => !isLate(d));
    const rest = h.deliveries.filter(isLate);
    await h.postAll(early);
    await h.drain();
    const afterEarly = h.incidents();
    // Act
    await h.postAll(rest);
    await h.drain();
    await h.postAll(h.deliveries);
    await h.drain();
    // Assess
    expect(afterEarly).toHaveLength(3);
    const incidents = h.incidents();
    expect(incidents).toHaveLength(3);
    for (const [group, ids] of failing) {
      const incident = incidents.find((i) => (i['short_description'] ?? '').includes(`patch group ${group} `));
      const notes = h.workNotes(incident?.['sys_id'] ?? '');
      expect(notes, group).toHaveLength(2);
      const lateIds = ids.slice(-2);
      const lateNote = notes.find((n) => n.includes('more instance(s) failed')) ?? '';
      expect(lateNote).toContain(`2 more instance(s) failed in the same execution (now ${ids.length} in total)`);
      for (const id of ids) expect(lateNote.includes(id), id).toBe(lateIds.includes(id));
      expect(incident?.['short_description']).toContain(`Patching failed on ${ids.length} instances`);
      // The description's table now lists the late instances too.
      const rows = (incident?.['description'] ?? '').split('\n').filter((l) => /^(i|mi)-[0-9a-f]+ /.test(l));
      expect(rows.map((r) => r.split(' ')[0]).sort()).toEqual([...ids].sort());
      expect(incident?.['description']).toContain(`Patching failed on ${ids.length} instance(s) of patch group "${group}"`);
    }
  });
});
