import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../../core/index.js';
import { describeStoreContract } from '../contract/index.js';
import { StoreError } from '../errors.js';
import { createSqliteStore } from './sqlite-store.js';
import { MIGRATIONS } from './migrations.js';

describeStoreContract('sqlite (:memory:)', async () => {
  const clock = new ManualClock();
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  return { store, clock, cleanup: () => store.close() };
});

describeStoreContract('sqlite (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-sqlite-contract-'));
  const clock = new ManualClock();
  const store = createSqliteStore({ path: join(dir, 'state.db'), clock, logger: silentLogger() });
  return {
    store,
    clock,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store on disk', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pb-sqlite-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the parent directory is missing, then it is created and the database runs in WAL mode', async () => {
    // Prepare
    const path = join(dir, 'nested', 'deeper', 'state.db');

    // Act
    const store = createSqliteStore({ path, clock: new ManualClock(), logger: silentLogger() });
    await store.ping();
    await store.close();

    // Assess
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('when the same file is opened twice, then migrations are recorded once and data persists', async () => {
    // Prepare
    const path = join(dir, 'state.db');
    const clock = new ManualClock();
    const first = createSqliteStore({ path, clock, logger: silentLogger() });
    await first.enqueue({ id: 'o-1', kind: 'incident', payload: { n: 1 } });
    await first.close();

    // Act
    const second = createSqliteStore({ path, clock, logger: silentLogger() });
    const depth = await second.outboxDepth();
    await second.close();

    // Assess
    const raw = new Database(path, { readonly: true });
    const versions = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    raw.close();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(depth).toBe(1);
  });

  it('when two connections share one file, then a key is claimed by exactly one of them', async () => {
    // Prepare
    const path = join(dir, 'state.db');
    const clock = new ManualClock();
    const a = createSqliteStore({ path, clock, logger: silentLogger() });
    const b = createSqliteStore({ path, clock, logger: silentLogger() });

    // Act
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => a.claim('nonce:shared', `a-${i}`, 60)),
      ...Array.from({ length: 10 }, (_, i) => b.claim('nonce:shared', `b-${i}`, 60)),
    ]);
    await a.close();
    await b.close();

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('when the database was written by a newer version, then opening fails instead of guessing', () => {
    // Prepare
    const path = join(dir, 'state.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    raw.prepare('INSERT INTO schema_migrations VALUES (999, ?, ?)').run('future', '2030-01-01T00:00:00.000Z');
    raw.close();

    // Act
    const open = () => createSqliteStore({ path, clock: new ManualClock(), logger: silentLogger() });

    // Assess
    expect(open).toThrow(StoreError);
  });

  it('when expired claims and idempotency records linger, then a later write sweeps them', async () => {
    // Prepare
    const path = join(dir, 'state.db');
    const clock = new ManualClock();
    const store = createSqliteStore({ path, clock, logger: silentLogger() });
    for (let i = 0; i < 5; i++) await store.claim(`nonce:${i}`, 'api', 60);
    await store.claim('incident:keep', 'api');
    await store.beginIdempotent({
      key: 'k',
      requestHash: 'h',
      status: 'in-progress',
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });

    // Act
    await clock.advance(5 * 60_000);
    await store.claim('nonce:new', 'api', 60);
    await store.close();

    // Assess
    const raw = new Database(path, { readonly: true });
    const claims = raw.prepare('SELECT key FROM claims ORDER BY key').all();
    const idem = raw.prepare('SELECT COUNT(*) AS n FROM idempotency').get();
    raw.close();
    expect(claims).toEqual([{ key: 'incident:keep' }, { key: 'nonce:new' }]);
    expect(idem).toEqual({ n: 0 });
  });

  it('when more claims have expired than one sweep takes, then each sweep deletes at most 1,000 of each kind and the next ones clear the rest', async () => {
    // Prepare: 2,500 claims and 2,500 nonces (a busy API's seconds) expire together.
    const path = join(dir, 'state.db');
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const store = createSqliteStore({ path, clock, logger: silentLogger() });
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + 60;
    for (let i = 0; i < 2_500; i++) await store.claim(`lease:old-${i}`, 'api', 60);
    for (let i = 0; i < 2_500; i++) await store.spendNonce(`sn-1:1772359200:old-${i}`, expiresAt + (i % 3));
    await clock.advance(5 * 60_000);
    const raw = new Database(path, { readonly: true });
    const count = () => [raw.prepare('SELECT COUNT(*) AS n FROM claims').get(), raw.prepare('SELECT COUNT(*) AS n FROM nonces').get()];

    // Act, Assess: a full batch lets the next claim sweep again without waiting out the interval.
    await store.claim('lease:new-1', 'api', 60);
    expect(count()).toEqual([{ n: 1_501 }, { n: 1_500 }]);
    await store.claim('lease:new-2', 'api', 60);
    expect(count()).toEqual([{ n: 502 }, { n: 500 }]);
    await store.claim('lease:new-3', 'api', 60);
    expect(count()).toEqual([{ n: 3 }, { n: 0 }]);
    raw.close();
    await store.close();
  });
});

describe('sqlite nonce spending', () => {
  it('when a nonce is spent, then SQLite answers at once (no promise), and a closed store or a bad expiry fails at once with its typed error', async () => {
    // Prepare
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;

    // Act
    const first = store.spendNonce('sn-1:at-once-nonce-0000', expiresAt);
    const again = store.spendNonce('sn-1:at-once-nonce-0000', expiresAt);
    const thrown = (spend: () => unknown) => {
      try {
        return { answered: spend() };
      } catch (err) {
        return { thrown: (err as { code?: unknown }).code };
      }
    };
    const badExpiry = thrown(() => store.spendNonce('sn-1:at-once-nonce-0001', 0.5));
    await store.close();
    const closed = thrown(() => store.spendNonce('sn-1:at-once-nonce-0002', expiresAt));

    // Assess
    expect([first, again]).toEqual([true, false]);
    expect([badExpiry, closed]).toEqual([{ thrown: 'VALIDATION_FAILED' }, { thrown: 'CLOSED' }]);
  });

  it('when requests spend nonces together, then the next turns group theirs into one write before any answer, a repeat in a group is refused, a failed write fails the whole group, and a quiet turn answers at once again', async () => {
    // Prepare
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + 600;
    const turn = () => new Promise((r) => setImmediate(r));
    const spend = (n: string) => store.spendNonce(`sn-1:group-nonce-${n}`, expiresAt);

    // Act: two spends in one turn; the next turn's three are grouped, one of them a repeat
    const together = [spend('0001'), spend('0002')];
    await turn();
    const grouped = [spend('0003'), spend('0003'), spend('0004'), spend('0001')];
    const deferred = grouped.map((g) => g instanceof Promise);
    const groupedAnswers = await Promise.all(grouped);
    // Still busy (four last turn): one spend waits for the turn's end, then answers; the turn after is quiet again
    const lone = spend('0005');
    const loneDeferred = lone instanceof Promise;
    const loneAnswer = await lone;
    await turn();
    const quiet = spend('0006');

    // A group whose write fails fails every spend in it
    const busy = [spend('0007'), spend('0008')];
    await turn();
    const doomed = [spend('0009'), spend('0010')];
    const closing = store.close();
    const failures = await Promise.all(doomed.map((d) => Promise.resolve(d).then(() => 'spent', (err: { code?: string }) => err.code)));
    await closing;

    // Assess
    expect(together).toEqual([true, true]);
    expect(deferred).toEqual([true, true, true, true]);
    expect(groupedAnswers).toEqual([true, false, true, false]);
    expect([loneDeferred, loneAnswer]).toEqual([true, true]);
    expect(quiet).toBe(true);
    expect(busy).toEqual([true, true]);
    expect(failures).toEqual(['CLOSED', 'CLOSED']);
  });
});
