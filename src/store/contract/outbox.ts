import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { OutboxStore } from '../ports.js';
import { collectPages, expectValidationError, MINUTE, SECOND, type StoreFixture } from './support.js';

/** The contract of the outbox (`OutboxStore`): leasing, retries, listing and operator deletes. */
export function outboxContract(fixture: () => StoreFixture): void {
  describe('outbox', () => {
    let store: OutboxStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when an id is enqueued twice, then the second enqueue is a no-op returning false', async () => {
      // Act
      const first = await store.enqueue({ id: 'o-1', kind: 'incident', payload: { n: 1 } });
      const second = await store.enqueue({ id: 'o-1', kind: 'incident', payload: { n: 2 } });

      // Assess
      expect([first, second]).toEqual([true, false]);
      const [leased] = await store.lease({ limit: 10, leaseMs: MINUTE });
      expect(leased?.payload).toEqual({ n: 1 });
      expect(await store.outboxDepth()).toBe(1);
    });

    it('when due items are leased, then they carry a token and lease end and are not leased again meanwhile', async () => {
      // Prepare
      const payload = { table: 'incident', body: { short_description: 'Patch failed', nested: [1, { a: null }] } };
      await store.enqueue({ id: 'o-1', kind: 'incident', payload });

      // Act
      const leased = await store.lease({ limit: 10, leaseMs: MINUTE });
      const again = await store.lease({ limit: 10, leaseMs: MINUTE });

      // Assess
      expect(leased).toEqual([
        {
          id: 'o-1',
          kind: 'incident',
          payload,
          attempts: 0,
          nextAttemptAt: clock.now().toISOString(),
          leaseToken: expect.any(String),
          leaseUntil: new Date(clock.now().getTime() + MINUTE).toISOString(),
          createdAt: clock.now().toISOString(),
        },
      ]);
      expect(again).toEqual([]);
    });

    it('when an item is scheduled for later, then it is not leased until the clock reaches it', async () => {
      // Prepare
      const later = new Date(clock.now().getTime() + 10 * MINUTE).toISOString();
      await store.enqueue({ id: 'o-later', kind: 'incident', payload: {}, nextAttemptAt: later });

      // Act
      const early = await store.lease({ limit: 10, leaseMs: MINUTE });
      await clock.advance(10 * MINUTE);
      const onTime = await store.lease({ limit: 10, leaseMs: MINUTE });

      // Assess
      expect(early).toEqual([]);
      expect(onTime.map((i) => i.id)).toEqual(['o-later']);
    });

    it('when leasing with a limit and a kind, then only that many items of that kind come back, oldest due first', async () => {
      // Prepare
      for (let i = 0; i < 4; i++) {
        await store.enqueue({ id: `inc-${i}`, kind: 'incident', payload: { i } });
        await store.enqueue({ id: `note-${i}`, kind: 'work-note', payload: { i } });
        await clock.advance(SECOND);
      }

      // Act
      const notes = await store.lease({ limit: 3, leaseMs: MINUTE, kind: 'work-note' });
      const rest = await store.lease({ limit: 10, leaseMs: MINUTE });

      // Assess
      expect(notes.map((i) => i.id)).toEqual(['note-0', 'note-1', 'note-2']);
      expect(rest.map((i) => i.id)).toEqual(['inc-0', 'inc-1', 'inc-2', 'inc-3', 'note-3']);
    });

    it('when a lease expires, then the item is leased again with a new token and the old token’s ack is ignored', async () => {
      // Prepare
      await store.enqueue({ id: 'o-crash', kind: 'incident', payload: {} });
      const [first] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });

      // Act
      await clock.advance(31 * SECOND);
      const [second] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
      await store.ack('o-crash', first!.leaseToken!);

      // Assess
      expect(second?.id).toBe('o-crash');
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
      expect(second?.attempts).toBe(0);
      expect(await store.outboxDepth()).toBe(1);

      await store.ack('o-crash', second!.leaseToken!);
      expect(await store.outboxDepth()).toBe(0);
    });

    it('when a held lease is renewed, then it outlives its first end; a stale token cannot renew', async () => {
      // Prepare
      await store.enqueue({ id: 'o-long', kind: 'incident', payload: {} });
      const [held] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });

      // Act
      await clock.advance(20 * SECOND);
      const renewed = await store.renewLease('o-long', held!.leaseToken!, 30 * SECOND);
      await clock.advance(20 * SECOND);
      const stolen = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
      const staleRenewal = await store.renewLease('o-long', 'not-the-token', 30 * SECOND);
      await clock.advance(11 * SECOND);
      const [retaken] = await store.lease({ limit: 1, leaseMs: 30 * SECOND });
      const lateRenewal = await store.renewLease('o-long', held!.leaseToken!, 30 * SECOND);

      // Assess: 40 s after leasing (past the first 30 s) nobody else could take it.
      expect(renewed).toBe(true);
      expect(stolen).toEqual([]);
      expect(staleRenewal).toBe(false);
      expect(retaken?.id).toBe('o-long');
      expect(lateRenewal).toBe(false);
    });

    it('when a delivery fails, then attempts grow by one, the error is kept and the item waits for nextAttemptAt', async () => {
      // Prepare
      await store.enqueue({ id: 'o-fail', kind: 'incident', payload: {} });
      const [leased] = await store.lease({ limit: 1, leaseMs: MINUTE });
      const retryAt = new Date(clock.now().getTime() + 5 * MINUTE).toISOString();

      // Act
      await store.fail('o-fail', leased!.leaseToken!, 'ServiceNow 503', retryAt);
      const tooEarly = await store.lease({ limit: 1, leaseMs: MINUTE });
      await clock.advance(5 * MINUTE);
      const [retried] = await store.lease({ limit: 1, leaseMs: MINUTE });

      // Assess
      expect(tooEarly).toEqual([]);
      expect(retried).toMatchObject({ id: 'o-fail', attempts: 1, lastError: 'ServiceNow 503', nextAttemptAt: retryAt });
    });

    it('when fail or ack arrive with a stale token, then the item is untouched', async () => {
      // Prepare
      await store.enqueue({ id: 'o-stale', kind: 'incident', payload: {} });
      const [first] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
      await clock.advance(11 * SECOND);
      const [second] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
      expect(second?.id).toBe('o-stale');

      // Act
      await store.fail('o-stale', first!.leaseToken!, 'late failure', clock.now().toISOString());
      await store.ack('o-stale', 'not-a-token');

      // Assess
      const noneWhileLeased = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
      expect(noneWhileLeased).toEqual([]);
      await clock.advance(11 * SECOND);
      const [third] = await store.lease({ limit: 1, leaseMs: 10 * SECOND });
      expect(third).toMatchObject({ id: 'o-stale', attempts: 0 });
      expect(third?.lastError).toBeUndefined();
    });

    it('when several workers lease in parallel, then no item is handed to two of them', async () => {
      // Prepare
      for (let i = 0; i < 12; i++) await store.enqueue({ id: `o-${i}`, kind: 'incident', payload: { i } });

      // Act
      const batches = await Promise.all(Array.from({ length: 4 }, () => store.lease({ limit: 5, leaseMs: MINUTE })));

      // Assess
      const ids = batches.flat().map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(12);
    });

    it('when counting, then depth covers leased and waiting items and can be narrowed by kind', async () => {
      // Prepare
      await store.enqueue({ id: 'a', kind: 'incident', payload: {} });
      await store.enqueue({ id: 'b', kind: 'incident', payload: {}, nextAttemptAt: '2030-01-01T00:00:00.000Z' });
      await store.enqueue({ id: 'c', kind: 'attachment', payload: {} });
      await store.lease({ limit: 1, leaseMs: MINUTE, kind: 'incident' });

      // Act + Assess
      expect(await store.outboxDepth()).toBe(3);
      expect(await store.outboxDepth('incident')).toBe(2);
      expect(await store.outboxDepth('attachment')).toBe(1);
      expect(await store.outboxDepth('nothing')).toBe(0);
    });
  });

  describe('outbox listing and delete', () => {
    let store: OutboxStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when more items of a kind exist than one page holds, then cursors walk them oldest first, once each, and other kinds stay out', async () => {
      // Prepare: two items share each creation time, so ties are broken by id.
      for (let i = 0; i < 3; i++) {
        for (const suffix of ['b', 'a']) {
          await store.enqueue({ id: `dead:${i}-${suffix}`, kind: 'dead-letter', payload: { i }, nextAttemptAt: '9999-12-31T00:00:00.000Z' });
        }
        await store.enqueue({ id: `live-${i}`, kind: 'incident', payload: { i } });
        await clock.advance(SECOND);
      }
      await store.lease({ limit: 10, leaseMs: MINUTE, kind: 'incident' });

      // Act
      const { items, pages } = await collectPages((cursor) => store.listOutbox({ kind: 'dead-letter', limit: 4, cursor }), 4);

      // Assess
      expect(pages).toBe(2);
      expect(items.map((i) => i.id)).toEqual(['dead:0-a', 'dead:0-b', 'dead:1-a', 'dead:1-b', 'dead:2-a', 'dead:2-b']);
      expect(items[0]).toEqual({
        id: 'dead:0-a',
        kind: 'dead-letter',
        payload: { i: 0 },
        attempts: 0,
        nextAttemptAt: '9999-12-31T00:00:00.000Z',
        createdAt: items[1]?.createdAt,
      });
    });

    it('when a kind has no items, then the listing is one empty page', async () => {
      // Prepare
      await store.enqueue({ id: 'o-1', kind: 'incident', payload: {} });

      // Act
      const page = await store.listOutbox({ kind: 'dead-letter', limit: 10 });

      // Assess
      expect(page).toEqual({ items: [] });
    });

    it('when a cursor from one kind is replayed against another, then listing fails with VALIDATION_FAILED', async () => {
      // Prepare
      await store.enqueue({ id: 'a-1', kind: 'a', payload: {} });
      await store.enqueue({ id: 'a-2', kind: 'a', payload: {} });
      const page = await store.listOutbox({ kind: 'a', limit: 1 });
      expect(page.nextCursor).toBeDefined();

      // Act + Assess
      await expectValidationError(store.listOutbox({ kind: 'b', limit: 1, cursor: page.nextCursor }));
      await expectValidationError(store.listOutbox({ kind: 'a', limit: 1, cursor: 'not-a-cursor' }));
      await expectValidationError(store.listOutbox({ kind: 'a', limit: 0 }));
    });

    it('when an item is read by id, then it comes back as listed; an unknown id gives undefined', async () => {
      // Prepare
      await store.enqueue({ id: 'dead:x', kind: 'dead-letter', payload: { nested: [1, { a: null }] } });

      // Act
      const found = await store.getOutboxItem('dead:x');
      const missing = await store.getOutboxItem('dead:none');

      // Assess
      expect(found).toEqual((await store.listOutbox({ kind: 'dead-letter', limit: 1 })).items[0]);
      expect(found?.payload).toEqual({ nested: [1, { a: null }] });
      expect(missing).toBeUndefined();
    });

    it('when an item is deleted, then it is gone whatever its lease and a second delete returns false', async () => {
      // Prepare
      await store.enqueue({ id: 'o-held', kind: 'incident', payload: {} });
      await store.enqueue({ id: 'o-other', kind: 'incident', payload: {} });
      await store.lease({ limit: 1, leaseMs: MINUTE, kind: 'incident' });

      // Act
      const first = await store.deleteOutboxItem('o-held');
      const second = await store.deleteOutboxItem('o-held');
      const unknown = await store.deleteOutboxItem('never-enqueued');

      // Assess
      expect([first, second, unknown]).toEqual([true, false, false]);
      expect(await store.outboxDepth('incident')).toBe(1);
      expect((await store.listOutbox({ kind: 'incident', limit: 10 })).items.map((i) => i.id)).toEqual(['o-other']);
    });
  });
}
