import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, randomIds } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
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

function setup(options: { publishFails?: number } = {}) {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const enriched: string[][] = [];
  const published: IncidentDraft[] = [];
  let failures = options.publishFails ?? 0;
  const enricher: IncidentEnricher = {
    async enrich(events) {
      enriched.push(events.map((e) => e.key));
      return { drafts: [{ draft: draftFor(events), sources: events.map((e) => e.key) }], failures: new Map() };
    },
  };
  const processor = createFailureProcessor({
    enricher,
    publisher: {
      async publish(draft) {
        if (failures-- > 0) throw new AppError('UNAVAILABLE', 'topic down', { retryable: true });
        published.push(draft);
      },
    },
    store,
    ids: randomIds,
    logger: silentLogger(),
  });
  return { processor, enriched, published, clock };
}

describe('failure processor', () => {
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

  it('when the same event is delivered again later, then it costs no enrichment', async () => {
    // Prepare
    const { processor, enriched } = setup();
    await processor.process([{ id: 'a', event: invocation('i-0aaaaaaaaaaaaaaaa') }]);
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
});
