import { expect } from 'vitest';
import type { SqsEvent } from '../../../src/runtime/lambda/index.js';
import { createHarness, type Delivery, type Harness, type HarnessOptions, PATCH_RESULTS_TOPIC } from './harness.js';

/** 37 failing instances: 15 web-prod, 12 db-prod, 10 app-staging; batch-linux all succeed. */
export const FAILING = { 'web-prod': 15, 'db-prod': 12, 'app-staging': 10 } as const;

export interface WindowScenario {
  readonly h: Harness;
  /** Failed instance ids by patch group. */
  readonly failing: ReadonlyMap<string, readonly string[]>;
  readonly windowId: string;
  readonly windowExecutionId: string;
  /** What the window pushed to PatchResults (SNS) and EventBridge. */
  readonly deliveries: readonly Delivery[];
}

/** A maintenance window over four patch groups whose execution fails on 37 instances of three of them. */
export async function windowWith37Failures(options: HarnessOptions = {}): Promise<WindowScenario> {
  const h = await createHarness(options);
  const failing = new Map<string, string[]>();
  for (const [group, count] of Object.entries(FAILING)) {
    const instances = h.instancesOf(group);
    expect(instances.length).toBeGreaterThan(count);
    const chosen = instances.slice(0, count).map((i) => i.instanceId);
    for (const id of chosen) h.aws.forceOutcome(id, 'Failed');
    failing.set(group, chosen);
  }
  const window = h.addWindow([...Object.keys(FAILING), 'batch-linux']);
  const windowExecutionId = await h.runWindow(window.windowId);
  return { h, failing, windowId: window.windowId, windowExecutionId, deliveries: [...h.deliveries] };
}

/** SNS deliveries of one topic. */
export function fromTopic(deliveries: readonly Delivery[], topicArn: string): Delivery[] {
  return deliveries.filter((d) => d.kind === 'sns' && (JSON.parse(d.body) as { TopicArn?: string }).TopicArn === topicArn);
}

/** The PatchResults SNS messages and every EventBridge event: what the patch-results queue receives. */
export function patchResultsStream(deliveries: readonly Delivery[]): Delivery[] {
  return [...fromTopic(deliveries, PATCH_RESULTS_TOPIC), ...deliveries.filter((d) => d.kind === 'eventbridge')];
}

/** Deliveries as SQS batches (SNS → SQS without raw delivery keeps the envelope as the body). */
export function sqsBatches(deliveries: readonly Delivery[], size: number, queue = 'patch-results'): SqsEvent[] {
  const batches: SqsEvent[] = [];
  for (let i = 0; i < deliveries.length; i += size) {
    batches.push({
      Records: deliveries.slice(i, i + size).map((d, j) => ({
        messageId: `${queue}-${i + j}`,
        body: d.body,
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:eu-west-1:111122223333:${queue}`,
      })),
    });
  }
  return batches;
}

/**
 * A Run Command of AWS-RunPatchBaseline over patch groups (no window, no runbook:
 * the command is its own execution) that fails on `failed`, notifying PatchResults
 * per invocation; waits until every invocation and delivery is done.
 */
export async function patchCommand(h: Harness, options: { groups: readonly string[]; failed: readonly string[]; comment: string }): Promise<{ commandId: string }> {
  for (const id of options.failed) h.aws.forceOutcome(id, 'Failed');
  const sent = await h.awsPorts.patchExecution.sendPatchCommand(
    { accountId: '111122223333', region: 'eu-west-1' },
    {
      targets: [{ key: 'tag:Patch Group', values: [...options.groups] }],
      operation: 'Install',
      maxConcurrency: '100%',
      maxErrors: '100%',
      comment: options.comment,
      notification: { topicArn: PATCH_RESULTS_TOPIC, serviceRoleArn: 'arn:aws:iam::111122223333:role/PatchResultsPublisher', events: ['All'], type: 'Invocation' },
    },
  );
  await h.aws.settle();
  return sent;
}

