import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from './capture-io.js';
import { ManualClock } from '../../src/core/clock.js';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { DEAD_LETTER_KIND, storeDeadLetters } from '../../src/flows/outbox/index.js';
import { createDynamoStore, createSqliteStore, ensureTable, type StateStore, startDynalite } from '../../src/store/index.js';

describe('patchbridge outbox', () => {
  let dir: string;
  let dbPath: string;
  let env: Record<string, string>;

  /** Opens the same SQLite file the CLI uses, to seed and inspect it. */
  async function withStore<T>(use: (store: StateStore, clock: ManualClock) => Promise<T>): Promise<T> {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const store = createSqliteStore({ path: dbPath, clock, logger: silentLogger() });
    try {
      return await use(store, clock);
    } finally {
      await store.close();
    }
  }

  async function seed(): Promise<void> {
    await withStore(async (store, clock) => {
      const sink = storeDeadLetters(store, clock);
      await sink.record('draft-1', {
        source: 'incident-draft',
        payload: { secretish: 'PAYLOAD-MARKER', big: 'x'.repeat(2000) },
        error: new ValidationError('VALIDATION_FAILED', 'mandatory field missing'),
        attempts: 1,
      });
      await clock.advance(60_000);
      await sink.record('body-1', { source: 'http:/v1/events', payload: { body: 'PAYLOAD-MARKER' }, error: new Error('not a patch event') });
    });
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pb-outbox-cli-'));
    dbPath = path.join(dir, 'state.db');
    env = { PATCHBRIDGE_STORE: `sqlite:${dbPath}`, PATCHBRIDGE_LOG_LEVEL: 'silent' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when dead letters are listed, then each is one line with id, source, error code, failedAt and attempts, and no payload', async () => {
    // Prepare
    await seed();
    const io = captureIo(env);

    // Act
    const code = await runCli(['outbox', 'dead-letters'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out().trim().split('\n')).toEqual([
      'id\tsource\terror\tfailedAt\tattempts',
      'dead:draft-1\tincident-draft\tVALIDATION_FAILED\t2026-03-01T10:00:00.000Z\t1',
      'dead:body-1\thttp:/v1/events\tUNEXPECTED\t2026-03-01T10:01:00.000Z\t-',
    ]);
    expect(io.out() + io.err()).not.toContain('PAYLOAD-MARKER');
  });

  it('when --limit is below the number parked, then only that many are listed and stderr says more remain', async () => {
    // Prepare
    await seed();
    const io = captureIo(env);

    // Act
    const code = await runCli(['outbox', 'dead-letters', '--limit', '1'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out().trim().split('\n')).toHaveLength(2);
    expect(io.err()).toContain('more remain');
  });

  it('when a dead letter id is replayed, then it is requeued under its original kind and leaves the dead letters', async () => {
    // Prepare
    await seed();
    const io = captureIo(env);

    // Act
    const code = await runCli(['outbox', 'replay', 'dead:draft-1'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe('requeued dead:draft-1 as replay:dead:draft-1:1 (incident-draft)\n');
    const state = await withStore(async (store) => ({
      requeued: (await store.listOutbox({ kind: 'incident-draft', limit: 10 })).items,
      dead: await store.outboxDepth(DEAD_LETTER_KIND),
    }));
    expect(state.requeued.map((i) => [i.id, i.payload])).toEqual([
      ['replay:dead:draft-1:1', { secretish: 'PAYLOAD-MARKER', big: 'x'.repeat(2000) }],
    ]);
    expect(state.dead).toBe(1);
  });

  it('when any id cannot be replayed, then the others are still replayed, each failure is named, and the exit code is 1', async () => {
    // Prepare
    await seed();
    const io = captureIo(env);

    // Act
    const code = await runCli(['outbox', 'replay', 'dead:body-1', 'dead:nope', 'dead:draft-1'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.out()).toContain('requeued dead:draft-1');
    expect(io.err()).toContain('failed dead:body-1: NOT_REPLAYABLE');
    expect(io.err()).toContain('failed dead:nope: DEAD_LETTER_NOT_FOUND');
    expect(io.err()).toContain('2 of 3 dead letter(s) could not be replayed');
  });

  it('when --all is given, then every replayable letter is requeued, HTTP/SQS ones are skipped, and it exits 0', async () => {
    // Prepare
    await seed();
    const io = captureIo(env);

    // Act
    const code = await runCli(['outbox', 'replay', '--all'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('requeued dead:draft-1 as replay:dead:draft-1:1 (incident-draft)');
    expect(io.out()).toContain('skipped dead:body-1');
    expect(await withStore((store) => store.outboxDepth('incident-draft'))).toBe(1);
  });

  it('when the store is DynamoDB, then dead letters are listed from the table', async () => {
    // Prepare: dynalite on loopback; the SDK finds it through its own endpoint variable,
    // pinned here so no call can leave the machine.
    const dynalite = await startDynalite();
    const pinned: Record<string, string> = { AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint, AWS_ACCESS_KEY_ID: 'dynalite', AWS_SECRET_ACCESS_KEY: 'dynalite', AWS_REGION: 'us-east-1' };
    const saved = Object.fromEntries(Object.keys(pinned).map((k) => [k, process.env[k]]));
    Object.assign(process.env, pinned);
    try {
      await ensureTable(dynalite.client, 'pb-cli-state');
      const clock = new ManualClock('2026-03-01T10:00:00Z');
      const store = createDynamoStore({ tableName: 'pb-cli-state', client: dynalite.client, clock, logger: silentLogger() });
      await storeDeadLetters(store, clock).record('draft-9', { source: 'incident-draft', payload: { n: 9 }, error: new ValidationError('VALIDATION_FAILED', 'bad draft') });
      const io = captureIo({ ...env, PATCHBRIDGE_STORE: 'dynamodb://pb-cli-state' });

      // Act
      const code = await runCli(['outbox', 'dead-letters'], io);

      // Assess
      expect(code).toBe(0);
      expect(io.out()).toContain('dead:draft-9');
      expect(io.out()).toContain('VALIDATION_FAILED');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await dynalite.stop();
    }
  });

  it.each([
    ['neither ids nor --all', ['outbox', 'replay']],
    ['both ids and --all', ['outbox', 'replay', 'dead:x', '--all']],
    ['a limit that is not a positive number', ['outbox', 'dead-letters', '--limit', '0']],
  ])('when given %s, then it exits non-zero with a usage error', async (_what, argv) => {
    // Prepare
    const io = captureIo(env);

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).not.toBe(0);
    expect(io.err()).toMatch(/error:/);
  });
});
