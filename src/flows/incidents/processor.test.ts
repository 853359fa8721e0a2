import { afterEach, describe, expect, it } from 'vitest';
import { AppError, internal, ManualClock, randomIds, silentLogger } from '../../core/index.js';
import { buildIncidentDraft, type IncidentDraft, type PatchEvent } from '../../domain/index.js';
import { createSqliteStore, type StateStore } from '../../store/index.js';
import type { IncidentEnricher, KeyedEvent } from './enrich.js';
import { createFailureProcessor } from './processor.js';

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const invocation = (instanceId: string, status = 'Failed'): PatchEvent => ({
  source: 'eventbridge',
  kind: 'invocation',
  accountId: '123456789012',
  region: 'us-east-1',
  time: '2026-03-01T10:00:00.000Z',
  commandId: '11111111-2222-3333-4444-555555555555',
  documentName: 'AWS-RunPatchBaseline',
  instanceId,
  status,
  phase: status === 'Success' ? 'succeeded' : 'failed',
});

function draftFor(events: readonly KeyedEvent[]): IncidentDraft {
  return buildIncidentDraft(
    {
      accountId: '123456789012',
      region: 'us-east-1',
      execution: { kind: 'command', id: '11111111-2222-3333-4444-555555555555' },
      patchGroup: 'web',
      instances: events.map(({ event }) => ({
        instanceId: event.kind === 'invocation' ? event.instanceId : 'i-00000000000000000',
        patchGroup: 'web',
        status: event.status,
        topPatches: [],
        tags: {},
        links: { instance: 'x' },
        failedAt: event.time,
      })),
      now: new Date('2026-03-01T10:00:00Z'),
    },
    { prodEnvironments: [], groupMap: [], defaultGroup: 'Ops', serviceMap: {} },
  );
}

function setup(options: { publishFails?: number; enrichThrows?: number; enrichHangs?: boolean; owner?: string } = {}) {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const enriched: string[][] = [];
  const published: IncidentDraft[] = [];
  let failures = options.publishFails ?? 0;
  let throws = options.enrichThrows ?? 0;
  let hangs = options.enrichHangs ?? false;
  const enricher: IncidentEnricher = {
    async enrich(events) {
      enriched.push(events.map((e) => e.key));
      if (throws-- > 0) throw new AppError('UNAVAILABLE', 'SSM throttled the whole batch', { spec: internal(503, 'now') });
      if (hangs) {
        hangs = false;
        // A Lambda that times out here never returns, so it never releases its claims.
        return new Promise<never>(() => {});
      }
      return { drafts: [{ draft: draftFor(events), sources: events.map((e) => e.key), complete: false }], failures: new Map() };
    },
  };
  const build = () =>
    createFailureProcessor({
      enricher,
      publisher: {
        async publish(draft) {
          if (failures-- > 0) throw new AppError('UNAVAILABLE', 'topic down', { spec: internal(503, 'now') });
          published.push(draft);
        },
      },
      store,
      ids: randomIds,
      logger: silentLogger(),
      ...(options.owner ? { owner: options.owner } : {}),
    });
  return { processor: build(), build, enriched, published, clock };
}

describe('failure processor', () => {
  it('when a node is killed while enriching and restarts, then it processes the events it held instead of dropping them as duplicates', async () => {
    // Prepare: the killed run holds the claims (its enrichment never returned).
    const { build, published } = setup({ enrichHangs: true, owner: 'node-1/events' });
    const inputs = [{ id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') }];
    void build().process(inputs);
    await new Promise((r) => setTimeout(r, 20));

    // Act: the restarted node, same identity, no time passed.
    const result = await build().process(inputs);
    const again = await build().process(inputs);

    // Assess: processed once, then remembered as published.
    expect(result).toMatchObject({ published: 1, duplicates: 0 });
    expect(published).toHaveLength(1);
    expect(again).toMatchObject({ published: 0, duplicates: 1 });
  });

  it('when a batch mixes successes, failures and duplicates, then only distinct failures are enriched, once', async () => {
    // Prepare
    const { processor, enriched } = setup();
    const inputs = [
      { id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') },
      { id: 'b', event: invocation('i-0aaaaaaaaaaaaaaaa') },
      { id: 'c', event: invocation('i-0bbbbbbbbbbbbbbbb', 'Success') },
      { id: 'd', event: invocation('i-0cccccccccccccccc') },
    ];
    // Act
    const result = await processor.process(inputs);
    // Assess
    expect(result).toMatchObject({ published: 1, duplicates: 1, ignored: 1 });
    expect(result.failures.size).toBe(0);
    expect(enriched).toHaveLength(1);
    expect(enriched[0]).toHaveLength(2);
  });

  it('when the same event is delivered again later, past the processing lease, then it costs no enrichment', async () => {
    // Prepare
    const { processor, enriched, clock } = setup();
    await processor.process([{ id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
    await clock.advance(10 * 60_000);
    // Act
    const again = await processor.process([{ id: 'a2', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
    // Assess
    expect(again.duplicates).toBe(1);
    expect(enriched).toHaveLength(1);
  });

  it('when publishing fails, then the inputs fail retryably and their retry is processed again', async () => {
    // Prepare
    const { processor, enriched, published } = setup({ publishFails: 1 });
    const input = { id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') };
    // Act
    const first = await processor.process([input]);
    const retry = await processor.process([input]);
    // Assess
    expect([...first.failures.keys()]).toEqual(['a']);
    expect((first.failures.get('a') as AppError).retryable).toBe(true);
    expect(retry.failures.size).toBe(0);
    expect(enriched).toHaveLength(2);
    expect(published).toHaveLength(1);
  });

  it('when the de-duplication window has passed, then a redelivery is enriched again (the listener still dedupes)', async () => {
    // Prepare
    const { processor, enriched, clock } = setup();
    await processor.process([{ id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
    await clock.advance(3_601_000);
    // Act
    await processor.process([{ id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
    // Assess
    expect(enriched).toHaveLength(2);
  });

  it('when the enricher rejects the whole batch, then every input fails retryably and the retry publishes the incident', async () => {
    // Prepare
    const { processor, published } = setup({ enrichThrows: 1 });
    const inputs = [
      { id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') },
      { id: 'b', event: invocation('i-0bbbbbbbbbbbbbbbb') },
    ];
    // Act
    const first = await processor.process(inputs);
    const retry = await processor.process(inputs);
    // Assess
    expect([...first.failures.keys()].sort()).toEqual(['a', 'b']);
    expect((first.failures.get('a') as AppError).retryable).toBe(true);
    expect(first.published).toBe(0);
    expect(retry).toMatchObject({ published: 1, duplicates: 0 });
    expect(retry.failures.size).toBe(0);
    expect(published).toHaveLength(1);
  });

  it('when another live processor holds an event unfinished and then dies, then the redelivery fails retryably instead of being dropped, and its retry after the lease is published', async () => {
    // Prepare: a Lambda holds the claim while enriching, then times out (its enrichment never returns).
    const { build, published, clock } = setup({ enrichHangs: true });
    const input = { id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') };
    void build().process([input]);
    await new Promise((resolve) => setImmediate(resolve));

    // Act: SQS redelivers to another container while the claim is held, then again after the lease.
    const whileHeld = await build().process([input]);
    await clock.advance(121_000);
    const afterLease = await build().process([input]);
    const later = await build().process([input]);

    // Assess: the first redelivery goes back to the queue (a batch item failure), not away as a duplicate.
    expect(whileHeld.duplicates).toBe(0);
    expect([...whileHeld.failures.keys()]).toEqual(['a']);
    expect(whileHeld.failures.get('a')).toMatchObject({ code: 'EVENT_BUSY', retryable: true });
    expect(afterLease).toMatchObject({ published: 1, duplicates: 0 });
    expect(later).toMatchObject({ published: 0, duplicates: 1 });
    expect(later.failures.size).toBe(0);
    expect(published).toHaveLength(1);
  });

  it('when progress and success events of an instance are processed first, then its later failure is still published', async () => {
    // Prepare
    const { processor, published } = setup();
    await processor.process([
      { id: 'p', event: { ...invocation('i-0aaaaaaaaaaaaaaaa', 'InProgress'), phase: 'running' } },
      { id: 's', event: invocation('i-0aaaaaaaaaaaaaaaa', 'Success') },
    ]);
    // Act
    const failure = await processor.process([{ id: 'f', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
    // Assess
    expect(failure).toMatchObject({ published: 1, duplicates: 0, ignored: 0 });
    expect(published).toHaveLength(1);
  });
});
