import { afterEach } from 'vitest';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createSqliteStore, type StateStore } from '../../store/index.js';

/**
 * For this folder's tests: an in-memory SQLite store on a manual clock, closed
 * after each test. Call once at module level; use the returned `setup` per test.
 */
export function inMemoryStores(): () => { clock: ManualClock; store: StateStore } {
  const stores: StateStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });
  return () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
    stores.push(store);
    return { clock, store };
  };
}
