import { beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../core/testing.js';
import { StoreError } from '../errors.js';
import type { StateStore } from '../ports.js';
import { expectStoreError, type StoreFixture } from './support.js';

/** The contract of the store's lifecycle (ping, close) across aggregates. */
export function lifecycleContract(fixture: () => StoreFixture): void {
  describe('lifecycle', () => {
    let store: StateStore;

    beforeEach(() => {
      ({ store } = fixture());
    });

    it('when the store is reachable, then ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('when the store is closed, then calls fail with a non-retryable CLOSED and closing again is harmless', async () => {
      // Act
      await store.close();
      await store.close();

      // Assess
      const err = await rejectionOf(store.ping());
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'CLOSED', retryable: false });
      await expectStoreError(store.claim('k', 'me'), 'CLOSED');
    });
  });
}
