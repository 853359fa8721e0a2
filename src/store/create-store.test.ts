import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ManualClock, silentLogger } from '../core/index.js';
import { createStore, type DynaliteServer, ensureTable, startDynalite } from './index.js';

describe('createStore', () => {
  let dynalite: DynaliteServer;

  beforeAll(async () => {
    dynalite = await startDynalite();
    await ensureTable(dynalite.client, 'pb-factory', { pollMs: 1 });
  });

  afterAll(async () => {
    await dynalite.stop();
  });

  it('when the config names sqlite, then a working SQLite store comes back', async () => {
    // Act
    const store = await createStore({ kind: 'sqlite', path: ':memory:' }, { clock: new ManualClock(), logger: silentLogger() });

    // Assess
    expect(await store.claim('k', 'me')).toBe(true);
    expect(await store.claim('k', 'you')).toBe(false);
    await store.close();
  });

  it('when the config names dynamodb and deps give a client factory, then the store uses that table', async () => {
    // Prepare
    let built = 0;
    const dynamoClient = () => {
      built += 1;
      return dynalite.client;
    };

    // Act
    const store = await createStore(
      { kind: 'dynamodb', table: 'pb-factory' },
      { clock: new ManualClock(), logger: silentLogger(), dynamoClient },
    );

    // Assess
    expect(built).toBe(1);
    expect(await store.enqueue({ id: 'o-1', kind: 'incident', payload: {} })).toBe(true);
    expect(await store.outboxDepth()).toBe(1);
  });

  it('when the config names dynamodb but no client is given, then it fails naming the setting', async () => {
    // Act
    const err = await createStore({ kind: 'dynamodb', table: 'pb-factory' }, { clock: new ManualClock(), logger: silentLogger() }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ variable: 'PATCHBRIDGE_STORE' });
  });
});
