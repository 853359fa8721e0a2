import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AppError, type Clock, ConfigError, internal, silentLogger, ValidationError } from '../../core/index.js';
import { AwsError } from '../../aws/index.js';
import { ServiceNowError } from '../../servicenow/index.js';
import type { OutboxItem, } from '../../store/index.js';
import { DEAD_LETTER_KIND } from './dead-letter.js';
import { backoffDelay, createOutboxWorker, itemHandler } from './worker.js';
import { inMemoryStores } from './testing.js';

const setup = inMemoryStores();

const unavailable = () => new AppError('UNAVAILABLE', 'ServiceNow is down', { spec: internal(503, 'now') });

describe('outbox worker', () => {
  it('when a node restarts after a kill, then it takes back the leases its predecessor held at once, and only its own', async () => {
    // Prepare: the killed run leased two items; another node holds a third.
    const { clock, store } = setup();
    for (const id of ['a', 'b', 'c']) await store.enqueue({ id, kind: 'note', payload: { id } });
    await store.lease({ limit: 2, leaseMs: 30_000, kind: 'note', owner: 'node-1/outbox' });
    await store.lease({ limit: 1, leaseMs: 30_000, kind: 'note', owner: 'node-2/outbox' });
    const seen: unknown[] = [];
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      owner: 'node-1/outbox',
      pollMs: 10,
      handlers: [itemHandler('note', async (item) => void seen.push(item.payload))],
    });

    // Act: no time passes, so no lease has expired.
    worker.start();
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();

    // Assess
    expect(seen).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await store.outboxDepth('note')).toBe(1);
  });

  it('when no lease length is given, then a killed worker holds its items for 30 s at most', async () => {
    // Prepare
    const { clock, store } = setup();
    await store.enqueue({ id: 'a', kind: 'note', payload: {} });
    const dead = createOutboxWorker({ store, clock, logger: silentLogger(), handlers: [{ kind: 'note', handle: () => new Promise(() => {}) }] });
    void dead.runOnce();
    await new Promise((r) => setTimeout(r, 20));
    const seen: string[] = [];
    const next = createOutboxWorker({ store, clock, logger: silentLogger(), handlers: [itemHandler('note', async (item) => void seen.push(item.id))] });

    // Act
    const before = await next.runOnce();
    clock.set(new Date(clock.now().getTime() + 30_001));
    const after = await next.runOnce();

    // Assess
    expect(before.delivered).toBe(0);
    expect(after.delivered).toBe(1);
    expect(seen).toEqual(['a']);
  });

  it('when an item is delivered, then it is acked and leaves the outbox', async () => {
    // Prepare
    const { clock, store } = setup();
    const seen: unknown[] = [];
    await store.enqueue({ id: 'a', kind: 'note', payload: { n: 1 } });
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      handlers: [itemHandler('note', async (item) => void seen.push(item.payload))],
    });
    // Act
    const result = await worker.drain();
    // Assess
    expect(result).toEqual({ delivered: 1, retried: 0, deadLettered: 0 });
    expect(seen).toEqual([{ n: 1 }]);
    expect(await store.outboxDepth('note')).toBe(0);
  });

  it('when delivery keeps failing retryably, then the item stays, backs off, and is delivered once the target is back', async () => {
    // Prepare
    const { clock, store } = setup();
    let down = true;
    let attempts = 0;
    await store.enqueue({ id: 'a', kind: 'note', payload: {} });
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      random: () => 0.999,
      handlers: [
        itemHandler('note', async () => {
          attempts++;
          if (down) throw unavailable();
        }),
      ],
    });
    // Act: fail for ten simulated minutes
    for (let minute = 0; minute < 10; minute++) {
      await worker.drain();
      await clock.advance(60_000);
    }
    const whileDown = await store.outboxDepth('note');
    down = false;
    await clock.advance(15 * 60_000);
    const after = await worker.drain();
    // Assess
    expect(whileDown).toBe(1);
    expect(attempts).toBeGreaterThan(2);
    // Exponential backoff: far fewer attempts than one per poll.
    expect(attempts).toBeLessThan(12);
    expect(after.delivered).toBe(1);
    expect(await store.outboxDepth('note')).toBe(0);
  });

  it('when the error carries Retry-After, then the next attempt is not before it', async () => {
    // Prepare
    const { clock, store } = setup();
    await store.enqueue({ id: 'a', kind: 'note', payload: {} });
    const throttled = Object.assign(new AppError('RATE_LIMITED', 'slow down', { spec: internal(503, 'now') }), { retryAfterMs: 120_000 });
    const worker = createOutboxWorker({ store, clock, logger: silentLogger(), random: () => 0, handlers: [itemHandler('note', async () => Promise.reject(throttled))] });
    // Act
    await worker.runOnce();
    await clock.advance(119_000);
    const early = await worker.runOnce();
    await clock.advance(1_000);
    const due = await worker.runOnce();
    // Assess
    expect(early.retried).toBe(0);
    expect(due.retried).toBe(1);
  });

  it('when delivery fails permanently, then the item is parked as a dead letter with its payload and error', async () => {
    // Prepare
    const { clock, store } = setup();
    await store.enqueue({ id: 'a', kind: 'note', payload: { body: 'x' } });
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      handlers: [itemHandler('note', async () => Promise.reject(new ValidationError('VALIDATION_FAILED', 'bad row')))],
    });
    // Act
    const result = await worker.drain();
    // Assess
    expect(result.deadLettered).toBe(1);
    expect(await store.outboxDepth('note')).toBe(0);
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(1);
    await clock.advance(365 * 24 * 3600_000);
    expect(await store.lease({ limit: 10, leaseMs: 1000 })).toEqual([]);
  });

  it.each([
    ['UNAUTHORIZED', () => new ServiceNowError('UNAUTHORIZED', 'not yet')],
    ['FORBIDDEN', () => new ServiceNowError('FORBIDDEN', 'not yet')],
    ['SERVER_ERROR', () => new ServiceNowError('SERVER_ERROR', 'not yet')],
    ['INSTANCE_UNAVAILABLE', () => new ServiceNowError('INSTANCE_UNAVAILABLE', 'not yet')],
    ['ACCESS_DENIED', () => new AwsError('ACCESS_DENIED', 'not yet')],
    ['CONFIG_INVALID', () => new ConfigError('PATCHBRIDGE_SERVICENOW_URL', 'not yet')],
  ])(
    'when delivery fails with %s (fixable by an operator), then the item waits and is retried rather than parked',
    async (_code, failure) => {
      const { store, clock } = setup();
      await store.enqueue({ id: 'op', kind: 'note', payload: {} });
      const worker = createOutboxWorker({
        store,
        clock,
        logger: silentLogger(),
        handlers: [
          itemHandler('note', async () => {
            throw failure();
          }),
        ],
      });
      const result = await worker.runOnce();
      expect(result).toEqual({ delivered: 0, retried: 1, deadLettered: 0 });
      expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(0);
      expect(await store.outboxDepth('note')).toBe(1);
    },
  );

  it('when the handler rejects for the whole batch, then every item is retried', async () => {
    // Prepare
    const { clock, store } = setup();
    await store.enqueue({ id: 'a', kind: 'batch', payload: {} });
    await store.enqueue({ id: 'b', kind: 'batch', payload: {} });
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      handlers: [{ kind: 'batch', batchSize: 10, handle: async () => Promise.reject(unavailable()) }],
    });
    // Act
    const result = await worker.runOnce();
    // Assess
    expect(result.retried).toBe(2);
    expect(await store.outboxDepth('batch')).toBe(2);
  });

  it('when items share a group key, then they run in order, one at a time', async () => {
    // Prepare
    const { clock, store } = setup();
    for (const id of ['a1', 'a2', 'a3']) await store.enqueue({ id, kind: 'note', payload: { group: 'a' } });
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      handlers: [
        itemHandler(
          'note',
          async (item: OutboxItem) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await Promise.resolve();
            order.push(item.id);
            inFlight--;
          },
          { concurrency: 4, groupKey: () => 'same' },
        ),
      ],
    });
    // Act
    await worker.drain();
    // Assess
    expect(order).toEqual(['a1', 'a2', 'a3']);
    expect(maxInFlight).toBe(1);
  });

  it('when a batch takes longer than a lease, then its leases are renewed and no other worker can take the items', async () => {
    // Prepare: the handler runs for three lease lengths of (manual) time.
    const { clock, store } = setup();
    await store.enqueue({ id: 'slow', kind: 'note', payload: {} });
    let stolen: OutboxItem[] | undefined;
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      leaseMs: 60_000,
      handlers: [
        itemHandler('note', async () => {
          for (let i = 0; i < 9; i++) await clock.advance(20_000);
          stolen = await store.lease({ limit: 10, leaseMs: 60_000, kind: 'note' });
        }),
      ],
    });

    // Act
    const result = await worker.runOnce();

    // Assess
    expect(stolen).toEqual([]);
    expect(result).toEqual({ delivered: 1, retried: 0, deadLettered: 0 });
    expect(await store.outboxDepth('note')).toBe(0);
  });

  it('when a batch outlasts many lease renewals, then the heartbeat keeps the same few abort listeners instead of one more per beat', async () => {
    // Prepare: a ServiceNow delivery retrying for 30 renewals; the clock reports the listeners on the heartbeat's signal at every sleep.
    const { clock, store } = setup();
    await store.enqueue({ id: 'slow', kind: 'note', payload: {} });
    const listeners: number[] = [];
    const watching: Clock = {
      now: () => clock.now(),
      sleep: (ms, signal) => {
        if (signal) listeners.push(getEventListeners(signal, 'abort').length);
        return clock.sleep(ms, signal);
      },
    };
    const worker = createOutboxWorker({
      store,
      clock: watching,
      logger: silentLogger(),
      leaseMs: 30_000,
      handlers: [
        itemHandler('note', async () => {
          for (let i = 0; i < 30; i++) await clock.advance(10_000);
        }),
      ],
    });

    // Act
    const result = await worker.runOnce();

    // Assess
    expect(result.delivered).toBe(1);
    expect(listeners.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...listeners)).toBeLessThanOrEqual(2);
  });

  it('when started, then it polls in the background until stopped', async () => {
    // Prepare
    const { clock, store } = setup();
    const seen: string[] = [];
    const worker = createOutboxWorker({ store, clock, logger: silentLogger(), pollMs: 1_000, handlers: [itemHandler('note', async (i) => void seen.push(i.id))] });
    worker.start();
    // Act
    await store.enqueue({ id: 'late', kind: 'note', payload: {} });
    for (let i = 0; i < 5 && seen.length === 0; i++) {
      await clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    await worker.stop();
    // Assess
    expect(seen).toEqual(['late']);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [20, 900_000],
  ])('when attempt %i fails, then the delay ceiling is %i ms', (attempt, ceiling) => {
    // Act / Assess
    expect(backoffDelay(attempt, {}, () => 0.99999)).toBe(Math.floor(0.99999 * ceiling));
    expect(backoffDelay(attempt, {}, () => 0)).toBe(1_000);
  });
});
