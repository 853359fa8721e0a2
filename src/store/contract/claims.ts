import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { ClaimStore } from '../ports.js';
import { expectValidationError, MINUTE, SECOND, type StoreFixture } from './support.js';

/** The contract of claims and leases on keys (`ClaimStore`). */
export function claimsContract(fixture: () => StoreFixture): void {
  describe('claims', () => {
    let store: ClaimStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when a key is claimed, then a second owner cannot claim it and the same owner cannot claim it twice', async () => {
      // Act
      const first = await store.claim('incident:abc', 'worker-1');
      const second = await store.claim('incident:abc', 'worker-2');
      const again = await store.claim('incident:abc', 'worker-1');

      // Assess
      expect([first, second, again]).toEqual([true, false, false]);
    });

    it('when 50 callers claim one key in parallel, then exactly one wins', async () => {
      // Act
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.claim('nonce:parallel', `worker-${i}`, 300)),
      );

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('when a claim with a TTL has not expired, then another owner cannot take it', async () => {
      // Prepare
      await store.claim('job:snapshot', 'worker-1', 60);

      // Act
      await clock.advance(59 * SECOND);
      const taken = await store.claim('job:snapshot', 'worker-2', 60);

      // Assess
      expect(taken).toBe(false);
    });

    it('when a claim with a TTL has expired, then another owner takes it and holds it afresh', async () => {
      // Prepare
      await store.claim('job:snapshot', 'worker-1', 60);
      await clock.advance(62 * SECOND);

      // Act
      const taken = await store.claim('job:snapshot', 'worker-2', 60);
      const stolenBack = await store.claim('job:snapshot', 'worker-1', 60);

      // Assess
      expect(taken).toBe(true);
      expect(stolenBack).toBe(false);
    });

    it('when a claim has no TTL, then it never expires', async () => {
      // Prepare
      await store.claim('incident:forever', 'worker-1');

      // Act
      await clock.advance(400 * 24 * 60 * MINUTE);
      const taken = await store.claim('incident:forever', 'worker-2', 60);

      // Assess
      expect(taken).toBe(false);
    });

    it('when the owner releases a claim, then another owner may claim it; a release by anyone else does nothing', async () => {
      // Prepare
      await store.claim('job:report', 'worker-1');
      await store.claim('job:other', 'worker-1');

      // Act
      await store.release('job:report', 'worker-1');
      await store.release('job:other', 'intruder');

      // Assess
      expect(await store.claim('job:report', 'worker-2')).toBe(true);
      expect(await store.claim('job:other', 'worker-2')).toBe(false);
    });

    it('when the holder extends a claim, then it outlives its first expiry; nobody else can extend it, nor can anyone once it lapsed', async () => {
      // Prepare
      await store.claim('lease:a', 'worker-1', 60);
      await store.claim('lease:b', 'worker-1', 60);
      await store.claim('lease:c', 'worker-1', 60);

      // Act
      const extended = await store.extendClaim('lease:a', 'worker-1', 3_600);
      const madePermanent = await store.extendClaim('lease:b', 'worker-1');
      const byIntruder = await store.extendClaim('lease:c', 'intruder', 3_600);
      await clock.advance(2 * MINUTE);
      const afterLapse = await store.extendClaim('lease:c', 'worker-1', 3_600);

      // Assess
      expect([extended, madePermanent, byIntruder, afterLapse]).toEqual([true, true, false, false]);
      expect(await store.claim('lease:a', 'worker-2')).toBe(false);
      expect(await store.claim('lease:c', 'worker-2')).toBe(true);
      await clock.advance(2 * 3_600 * SECOND);
      expect(await store.claim('lease:a', 'worker-2')).toBe(true);
      expect(await store.claim('lease:b', 'worker-2')).toBe(false);
      expect(await store.extendClaim('missing', 'worker-1')).toBe(false);
    });
  });

  describe('claim holder', () => {
    let store: ClaimStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when a key is claimed, extended, released or lapses, then claimHolder names its current owner or nobody', async () => {
      // Act / Assess
      expect(await store.claimHolder('ev-1')).toBeUndefined();
      expect(await store.claim('ev-1', 'worker-a', 60)).toBe(true);
      expect(await store.claimHolder('ev-1')).toBe('worker-a');
      await store.release('ev-1', 'worker-a');
      expect(await store.claimHolder('ev-1')).toBeUndefined();
      expect(await store.claim('ev-1', 'published', 60)).toBe(true);
      await clock.advance(61 * SECOND);
      expect(await store.claimHolder('ev-1')).toBeUndefined();
      expect(await store.claim('ev-2', 'forever')).toBe(true);
      await clock.advance(400 * 24 * 60 * MINUTE);
      expect(await store.claimHolder('ev-2')).toBe('forever');
    });

    it('when a nonce is spent, then spending it again is refused, and another nonce is not', async () => {
      // Prepare
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;

      // Act
      const first = await store.spendNonce('sn-1:1772359200:q1Z3xG9vYb2mK7pR4tLw8A', expiresAt);
      const again = await store.spendNonce('sn-1:1772359200:q1Z3xG9vYb2mK7pR4tLw8A', expiresAt);
      const other = await store.spendNonce('sn-1:1772359200:aaaaaaaaaaaaaaaaaaaaaa', expiresAt);

      // Assess
      expect([first, again, other]).toEqual([true, false, true]);
    });

    it('when 50 callers spend one nonce in parallel, then exactly one succeeds', async () => {
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;

      const results = await Promise.all(Array.from({ length: 50 }, () => store.spendNonce('sn-1:1772359200:parallel-nonce-000', expiresAt)));

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('when a spent nonce has not expired, then it is still refused a second before its expiry, and forgotten after it', async () => {
      // Prepare
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;
      await store.spendNonce('sn-1:1772359200:expiring-nonce-00', expiresAt);

      // Act
      await clock.advance(599 * SECOND);
      const before = await store.spendNonce('sn-1:1772359200:expiring-nonce-00', expiresAt);
      await clock.advance(3 * SECOND);
      const after = await store.spendNonce('sn-1:1772359200:expiring-nonce-00', expiresAt);

      // Assess
      expect([before, after]).toEqual([false, true]);
    });

    it('when the previous version claimed a nonce (claim("nonce:" + token)), then spending it is refused until that claim expires', async () => {
      // Prepare: what the authenticator wrote for a signed request before nonces were spent with spendNonce.
      await store.claim('nonce:sn-1:q1Z3xG9vYb2mK7pR4tLw8A', 'client-a', 600);
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;

      // Act
      const replayed = await store.spendNonce('sn-1:q1Z3xG9vYb2mK7pR4tLw8A', expiresAt);
      const other = await store.spendNonce('sn-1:aaaaaaaaaaaaaaaaaaaaaa', expiresAt);
      await clock.advance(601 * SECOND);
      const afterExpiry = await store.spendNonce('sn-1:q1Z3xG9vYb2mK7pR4tLw8A', expiresAt + 601);

      // Assess
      expect([replayed, other, afterExpiry]).toEqual([false, true, true]);
    });

    it('when the previous version keeps claiming nonces while this one spends them (a rolling upgrade), then each is refused until its own claim expires', async () => {
      // Prepare: an old instance on the same store claims a nonce, this one spends another, the old one claims a second nonce later.
      await store.claim('nonce:sn-1:first-old-nonce-0000', 'client-a', 600);
      const spentMeanwhile = await store.spendNonce('sn-1:new-nonce-000000000', Math.floor(clock.now().getTime() / 1000) + 600);
      await clock.advance(300 * SECOND);
      await store.claim('nonce:sn-1:later-old-nonce-0000', 'client-a', 600);

      // Act: past the first claim's expiry, within the second's.
      await clock.advance(400 * SECOND);
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;
      const laterReplayed = await store.spendNonce('sn-1:later-old-nonce-0000', expiresAt);
      const firstAgain = await store.spendNonce('sn-1:first-old-nonce-0000', expiresAt);

      // Assess
      expect([spentMeanwhile, laterReplayed, firstAgain]).toEqual([true, false, true]);
    });

    it.each([
      ['a fraction', 1.5],
      ['zero', 0],
      ['a negative number', -1],
      ['NaN', Number.NaN],
    ])('when the expiry is %s, then spendNonce fails with VALIDATION_FAILED', async (_name, expiresAt) => {
      // SQLite throws at once, DynamoDB rejects (the port's `Awaitable`): either way the caller sees the error.
      await expectValidationError(Promise.resolve().then(() => store.spendNonce('sn-1:1:n', expiresAt)));
    });
  });
}
