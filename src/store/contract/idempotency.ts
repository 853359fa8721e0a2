import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { IdempotencyStore } from '../ports.js';
import { expectStoreError, idempotency, MINUTE, SECOND, type StoreFixture } from './support.js';

/** The contract of idempotency records (`IdempotencyStore`). */
export function idempotencyContract(fixture: () => StoreFixture): void {
  describe('idempotency records', () => {
    let store: IdempotencyStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when a key is new, then begin creates it; a second begin returns the in-progress record', async () => {
      // Prepare
      const record = idempotency(clock, 'POST /v1/patch-runs|client-a|k1', 24 * 60 * MINUTE);

      // Act
      const first = await store.beginIdempotent(record);
      const second = await store.beginIdempotent({ ...record, requestHash: 'hash-b' });

      // Assess
      expect(first).toEqual({ created: true });
      expect(second).toEqual({ created: false, existing: record });
    });

    it('when an operation completes, then later begins return the stored response', async () => {
      // Prepare
      const record = idempotency(clock, 'k-complete', 24 * 60 * MINUTE);
      await store.beginIdempotent(record);
      const response = { statusCode: 201, body: { id: 'run-1', links: ['a', 'b'] }, headers: { location: '/v1/patch-runs/run-1' } };

      // Act
      await store.completeIdempotent('k-complete', response);
      const again = await store.beginIdempotent(record);

      // Assess
      expect(again).toEqual({ created: false, existing: { ...record, status: 'completed', response } });
    });

    it('when completing a key that was never begun, then it fails with NOT_FOUND', async () => {
      await expectStoreError(store.completeIdempotent('k-missing', { statusCode: 200, body: null }), 'NOT_FOUND');
    });

    it('when an in-progress operation is abandoned, then the next begin owns it again', async () => {
      // Prepare
      const record = idempotency(clock, 'k-abandon', 24 * 60 * MINUTE);
      await store.beginIdempotent(record);

      // Act
      await store.abandonIdempotent('k-abandon');
      const again = await store.beginIdempotent(record);

      // Assess
      expect(again).toEqual({ created: true });
    });

    it('when a completed operation is abandoned, then its stored response survives', async () => {
      // Prepare
      const record = idempotency(clock, 'k-done', 24 * 60 * MINUTE);
      await store.beginIdempotent(record);
      await store.completeIdempotent('k-done', { statusCode: 200, body: 'ok' });

      // Act
      await store.abandonIdempotent('k-done');
      const again = await store.beginIdempotent(record);

      // Assess
      expect(again).toMatchObject({ created: false, existing: { status: 'completed', response: { statusCode: 200, body: 'ok' } } });
    });

    it('when a record has expired, then begin replaces it with the new one', async () => {
      // Prepare
      await store.beginIdempotent(idempotency(clock, 'k-expire', MINUTE, 'hash-old'));
      await store.completeIdempotent('k-expire', { statusCode: 200, body: 'old' });
      await clock.advance(MINUTE + 2 * SECOND);
      const fresh = idempotency(clock, 'k-expire', MINUTE, 'hash-new');

      // Act
      const result = await store.beginIdempotent(fresh);
      const after = await store.beginIdempotent(fresh);

      // Assess
      expect(result).toEqual({ created: true });
      expect(after).toEqual({ created: false, existing: fresh });
    });

    it('when many callers begin one key in parallel, then exactly one owns it', async () => {
      // Prepare
      const record = idempotency(clock, 'k-race', MINUTE);

      // Act
      const results = await Promise.all(Array.from({ length: 20 }, () => store.beginIdempotent(record)));

      // Assess
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });
  });
}
