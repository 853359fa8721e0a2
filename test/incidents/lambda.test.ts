import { afterEach, describe, expect, it } from 'vitest';
import { randomIds } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { AppError, internal } from '../../src/core/errors.js';
import { createFailureProcessor, createIncidentFlows, type IncidentFlows, monitoringTopicChannel, snsDraftPublisher } from '../../src/flows/incidents/index.js';
import { createPatchResultsHandler } from '../../src/handlers/patch-results.js';
import { createServiceNowListenerHandler } from '../../src/handlers/servicenow-listener.js';
import type { SqsEvent } from '../../src/runtime/lambda/index.js';
import { type Harness, MONITORING_TOPIC, PATCH_RESULTS_TOPIC, shuffled } from './support/harness.js';
import { fromTopic, patchResultsStream, sqsBatches, windowWith37Failures } from './support/scenario.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

function lambdaFlows(h: Harness): IncidentFlows {
  return createIncidentFlows(
    { config: h.config, logger: silentLogger(), clock: h.clock, ids: randomIds, store: h.store, aws: h.awsPorts, servicenow: h.servicenow },
    { channel: monitoringTopicChannel({ publisher: h.awsPorts.publisher, topicArn: h.config.topics.monitoring }) },
  );
}

describe('Lambda shells: patch-results → monitoring SNS → servicenow-listener', () => {
  it('when the window results arrive as SQS batches, then drafts go through the monitoring topic and 3 incidents are created', async () => {
    // Prepare
    const { h, failing, deliveries } = await windowWith37Failures();
    open.push(h);
    const flows = lambdaFlows(h);
    const patchResults = createPatchResultsHandler({ processor: flows.processor, logger: silentLogger() });
    const listener = createServiceNowListenerHandler({ upserter: flows.upserter, logger: silentLogger() });
    const stream = shuffled([...patchResultsStream(deliveries), ...patchResultsStream(deliveries).slice(0, 200)], 7);
    // Act
    const enrichResponses = [];
    for (const batch of sqsBatches(stream, 100)) enrichResponses.push(await patchResults(batch));
    await h.aws.settle();
    const drafts = fromTopic(h.deliveries, MONITORING_TOPIC);
    const listenResponses = [];
    for (const batch of sqsBatches(drafts, 10, 'servicenow-listener')) listenResponses.push(await listener(batch));
    // Assess
    expect(enrichResponses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(listenResponses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(drafts.length).toBeGreaterThanOrEqual(3);
    const incidents = h.incidents();
    expect(incidents).toHaveLength(3);
    const reported = incidents.flatMap((i) => (i['description'] ?? '').split('\n').filter((l) => /^(i|mi)-/.test(l)).map((l) => l.split(' ')[0]));
    expect(reported.sort()).toEqual([...failing.values()].flat().sort());
  });

  it('when one record of a batch is malformed, then only that record is reported failed and the rest are processed', async () => {
    // Prepare
    const { h } = await windowWith37Failures();
    open.push(h);
    const flows = lambdaFlows(h);
    const patchResults = createPatchResultsHandler({ processor: flows.processor, logger: silentLogger() });
    const [batch] = sqsBatches(patchResultsStream(h.deliveries), 5_000);
    const event: SqsEvent = { Records: [...(batch?.Records ?? []), { messageId: 'poison', body: '{"Type":"Notification"' }] };
    // Act
    const response = await patchResults(event);
    await h.aws.settle();
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect(fromTopic(h.deliveries, MONITORING_TOPIC).length).toBeGreaterThanOrEqual(3);
  });

  it('when two listeners race on the same drafts, then each key gets one incident and the loser is retried harmlessly', async () => {
    // Prepare
    const { h } = await windowWith37Failures({ serviceNow: { latency: { kind: 'fixed', ms: 30 } } });
    open.push(h);
    const flows = lambdaFlows(h);
    const patchResults = createPatchResultsHandler({ processor: flows.processor, logger: silentLogger() });
    for (const batch of sqsBatches(patchResultsStream(h.deliveries), 5_000)) await patchResults(batch);
    await h.aws.settle();
    const drafts = fromTopic(h.deliveries, MONITORING_TOPIC);
    // Two containers: separate handler instances over the same store.
    const listenerA = createServiceNowListenerHandler({ upserter: lambdaFlows(h).upserter, logger: silentLogger() });
    const listenerB = createServiceNowListenerHandler({ upserter: lambdaFlows(h).upserter, logger: silentLogger() });
    const [batchA] = sqsBatches(drafts, 100, 'listener-a');
    const [batchB] = sqsBatches(drafts, 100, 'listener-b');
    // Act
    const [a, b] = await Promise.all([listenerA(batchA as SqsEvent), listenerB(batchB as SqsEvent)]);
    const busy = [...a.batchItemFailures, ...b.batchItemFailures];
    // SQS redelivers what failed after the visibility timeout.
    const redelivered: SqsEvent = {
      Records: [...(batchA?.Records ?? []), ...(batchB?.Records ?? [])].filter((r) => busy.some((f) => f.itemIdentifier === r.messageId)),
    };
    const retry = await listenerA(redelivered);
    // Assess
    expect(busy.length).toBeGreaterThan(0);
    expect(retry.batchItemFailures).toEqual([]);
    const incidents = h.incidents();
    expect(incidents).toHaveLength(3);
    expect(new Set(incidents.map((i) => i['correlation_id'])).size).toBe(3);
    for (const i of incidents) expect(h.workNotes(i['sys_id'] ?? '')).toHaveLength(1);
  });

  it('when enrichment rejects a whole batch once, then the redelivered batch publishes the incident instead of being acknowledged as a duplicate', async () => {
    // Prepare
    const { h } = await windowWith37Failures();
    open.push(h);
    const { enricher } = lambdaFlows(h);
    let throws = 1;
    const processor = createFailureProcessor({
      enricher: {
        async enrich(events) {
          if (throws-- > 0) throw new AppError('UNAVAILABLE', 'SSM throttled', { spec: internal(503, 'now') });
          return enricher.enrich(events);
        },
      },
      publisher: snsDraftPublisher({ publisher: h.awsPorts.publisher, topicArn: MONITORING_TOPIC }),
      store: h.store,
      ids: randomIds,
      logger: silentLogger(),
    });
    const patchResults = createPatchResultsHandler({ processor, logger: silentLogger() });
    const failed = fromTopic(h.deliveries, PATCH_RESULTS_TOPIC).filter((d) => d.body.includes('\\"status\\":\\"Failed\\"')).slice(0, 1);
    const [delivery] = sqsBatches(failed, 10);
    // Act
    const first = await patchResults(delivery as SqsEvent);
    const redelivered = await patchResults(delivery as SqsEvent);
    await h.aws.settle();
    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'patch-results-0' }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(fromTopic(h.deliveries, MONITORING_TOPIC)).toHaveLength(1);
  });
});
