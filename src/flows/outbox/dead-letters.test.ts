import { describe, expect, it } from 'vitest';
import { silentLogger, ValidationError } from '../../core/index.js';
import { rejectionOf } from '../../core/testing.js';
import { DEAD_LETTER_KIND, PARKED_UNTIL, storeDeadLetters } from './dead-letter.js';
import { DeadLetterError, listDeadLetters, replayDeadLetter, replayIdOf } from './dead-letters.js';
import { inMemoryStores } from './testing.js';
import { createOutboxWorker, itemHandler } from './worker.js';

const fresh = inMemoryStores();

function setup() {
  const { clock, store } = fresh();
  return { clock, store, sink: storeDeadLetters(store, clock) };
}

async function expectDeadLetterError(promise: Promise<unknown>, code: DeadLetterError['code']): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(DeadLetterError);
  expect((err as DeadLetterError).code).toBe(code);
}

describe('listDeadLetters', () => {
  it('when letters are parked, then they list oldest first with source, error and attempts, across pages', async () => {
    // Prepare
    const { clock, store, sink } = setup();
    await sink.record('n-1', { source: 'incident-draft', payload: { a: 1 }, error: new ValidationError('VALIDATION_FAILED', 'bad row'), attempts: 3 });
    await clock.advance(1_000);
    await sink.record('sqs-1', { source: 'sqs:events', payload: 'raw', error: new Error('not json') });
    await store.enqueue({ id: 'live', kind: 'incident-draft', payload: {} });

    // Act
    const first = await listDeadLetters(store, { limit: 1 });
    const second = await listDeadLetters(store, { limit: 1, ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }) });

    // Assess
    expect(first.items).toEqual([
      {
        id: 'dead:n-1',
        createdAt: '2026-03-01T10:00:00.000Z',
        valid: true,
        letter: {
          source: 'incident-draft',
          payload: { a: 1 },
          error: { code: 'VALIDATION_FAILED', message: 'bad row' },
          attempts: 3,
          failedAt: '2026-03-01T10:00:00.000Z',
        },
      },
    ]);
    expect(second.items.map((e) => e.id)).toEqual(['dead:sqs-1']);
    expect(second.items[0]).toMatchObject({ valid: true, letter: { source: 'sqs:events', error: { code: 'UNEXPECTED' } } });
    expect(second.nextCursor).toBeUndefined();
  });

  it('when a parked payload is not a dead letter, then it is listed as invalid with the reason instead of failing', async () => {
    // Prepare
    const { store } = setup();
    await store.enqueue({ id: 'dead:broken', kind: DEAD_LETTER_KIND, payload: { source: 42 }, nextAttemptAt: PARKED_UNTIL });

    // Act
    const page = await listDeadLetters(store, { limit: 10 });

    // Assess
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: 'dead:broken', valid: false, problem: expect.stringContaining('source') });
  });
});

describe('replayDeadLetter', () => {
  it('when a parked item is replayed, then it goes back to its kind, is delivered by the worker, and the dead letter is gone', async () => {
    // Prepare: a delivery fails permanently and is parked by the worker itself.
    const { clock, store } = setup();
    let broken = true;
    const delivered: unknown[] = [];
    await store.enqueue({ id: 'draft-1', kind: 'incident-draft', payload: { correlationId: 'c-1' } });
    const worker = createOutboxWorker({
      store,
      clock,
      logger: silentLogger(),
      handlers: [
        itemHandler('incident-draft', async (item) => {
          if (broken) throw new ValidationError('VALIDATION_FAILED', 'mandatory field missing');
          delivered.push(item.payload);
        }),
      ],
    });
    await worker.drain();
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(1);
    broken = false;

    // Act
    const result = await replayDeadLetter(store, 'dead:draft-1', { clock });
    const round = await worker.drain();

    // Assess
    expect(result).toEqual({ deadLetterId: 'dead:draft-1', kind: 'incident-draft', replayId: 'replay:dead:draft-1:1', enqueued: true });
    expect(round.delivered).toBe(1);
    expect(delivered).toEqual([{ correlationId: 'c-1' }]);
    expect(await store.outboxDepth()).toBe(0);
  });

  it.each(['http:/v1/events', 'sqs:patchbridge-events', DEAD_LETTER_KIND])(
    'when the source is %s (not an outbox kind), then replay is refused and the letter stays',
    async (source) => {
      // Prepare
      const { store, sink, clock } = setup();
      await sink.record('x', { source, payload: { body: '{}' }, error: new Error('refused') });

      // Act
      const act = replayDeadLetter(store, 'dead:x', { clock });

      // Assess
      await expectDeadLetterError(act, 'NOT_REPLAYABLE');
      expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(1);
      expect(await store.outboxDepth()).toBe(1);
    },
  );

  it('when the same dead letter is replayed twice, then it is enqueued once and the second replay finds nothing', async () => {
    // Prepare
    const { store, sink, clock } = setup();
    await sink.record('p-1', { source: 'patch-event', payload: { n: 1 }, error: new Error('boom') });

    // Act
    const first = await replayDeadLetter(store, 'dead:p-1', { clock });
    const second = replayDeadLetter(store, 'dead:p-1', { clock });

    // Assess
    await expectDeadLetterError(second, 'DEAD_LETTER_NOT_FOUND');
    expect(first.enqueued).toBe(true);
    expect(await store.outboxDepth('patch-event')).toBe(1);
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(0);
  });

  it('when a replay was interrupted after enqueueing, then running it again does not enqueue a second copy', async () => {
    // Prepare: the requeued item exists but the dead letter was never deleted.
    const { store, sink, clock } = setup();
    await sink.record('p-1', { source: 'patch-event', payload: { n: 1 }, error: new Error('boom') });
    await store.enqueue({ id: replayIdOf('dead:p-1'), kind: 'patch-event', payload: { n: 1 } });

    // Act
    const result = await replayDeadLetter(store, 'dead:p-1', { clock });

    // Assess
    expect(result.enqueued).toBe(false);
    expect(await store.outboxDepth('patch-event')).toBe(1);
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(0);
  });

  it.each([
    ['an unknown id', 'dead:nope', 'DEAD_LETTER_NOT_FOUND'],
    ['an outbox item that is not parked', 'live', 'DEAD_LETTER_NOT_FOUND'],
    ['a parked item that is not a dead letter', 'dead:broken', 'DEAD_LETTER_INVALID'],
  ] as const)('when replaying %s, then it fails with %s', async (_what, id, code) => {
    // Prepare
    const { store, clock } = setup();
    await store.enqueue({ id: 'live', kind: 'incident-draft', payload: {} });
    await store.enqueue({ id: 'dead:broken', kind: DEAD_LETTER_KIND, payload: 'garbage', nextAttemptAt: PARKED_UNTIL });

    // Act + Assess
    await expectDeadLetterError(replayDeadLetter(store, id, { clock }), code);
    expect(await store.outboxDepth()).toBe(2);
  });
});

describe('replayIdOf', () => {
  it.each([
    ['dead:draft-1', 'replay:dead:draft-1:1'],
    ['dead:replay:dead:draft-1:1', 'replay:dead:draft-1:2'],
    ['dead:replay:dead:draft-1:9', 'replay:dead:draft-1:10'],
  ])('when the dead letter is %s, then it is requeued as %s', (deadId, replayId) => {
    expect(replayIdOf(deadId)).toBe(replayId);
  });
});
