import { beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/index.js';
import type { GateStore } from '../ports.js';
import { gate, MINUTE, type StoreFixture } from './support.js';

/** The contract of change-gate authorisations (`GateStore`). */
export function gatesContract(fixture: () => StoreFixture): void {
  describe('change-gate authorisations', () => {
    let store: GateStore;
    let clock: ManualClock;

    beforeEach(() => {
      ({ store, clock } = fixture());
    });

    it('when a gate is put twice for one window, then the later one is current', async () => {
      // Prepare
      const first = gate(clock);
      await store.putGate(first);
      await clock.advance(MINUTE);
      const revoked = { ...gate(clock), createdAt: first.createdAt, revoked: true, revokedReason: 'change cancelled' };

      // Act
      await store.putGate(revoked);

      // Assess
      expect(await store.getGate(first.windowId)).toEqual(revoked);
      expect(await store.getGate('mw-unknown')).toBeUndefined();
    });

    it.each([
      ['no filter', {}, ['mw-a1', 'mw-a2', 'mw-b1', 'mw-c1']],
      ['an account', { accountId: '111122223333' }, ['mw-a1', 'mw-a2', 'mw-b1']],
      ['a region', { region: 'eu-west-1' }, ['mw-a1', 'mw-c1']],
      ['an account and a region', { accountId: '111122223333', region: 'us-east-1' }, ['mw-a2', 'mw-b1']],
    ])('when listing gates by %s, then matching gates come back ordered by account, region, window', async (_label, query, expected) => {
      // Prepare
      await store.putGate(gate(clock, { windowId: 'mw-b1', accountId: '111122223333', region: 'us-east-1' }));
      await store.putGate(gate(clock, { windowId: 'mw-c1', accountId: '444455556666', region: 'eu-west-1' }));
      await store.putGate(gate(clock, { windowId: 'mw-a2', accountId: '111122223333', region: 'us-east-1' }));
      await store.putGate(gate(clock, { windowId: 'mw-a1', accountId: '111122223333', region: 'eu-west-1' }));

      // Act
      const gates = await store.listGates(query);

      // Assess
      expect(gates.map((g) => g.windowId)).toEqual(expected);
    });
  });
}
