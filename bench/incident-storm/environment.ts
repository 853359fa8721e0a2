/**
 * The storm: a fleet in the AWS simulator patched with one Run Command per patch
 * group, whose results (Run Command SNS invocation notifications and EventBridge
 * command events) are captured, duplicated and shuffled into the stream both
 * runs receive. Each run gets a fresh ServiceNow simulator with the latency and
 * rate limit of a busy instance.
 */
import type { AwsPorts } from '../../src/aws/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { isFailureEvent } from '../../src/domain/index.js';
import { normaliseMessage } from '../../src/events/index.js';
import { DEFAULT_SERVICENOW_LIMITS, type ServiceNowClient } from '../../src/servicenow/index.js';
import { type AwsSim, createAwsSimHarness } from '../../src/sim/aws/index.js';
import { createServiceNowSimHarness, type ServiceNowSim } from '../../src/sim/servicenow/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const PATCH_RESULTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:PatchResults`;
/** Where real SNS serves signing certificates; the simulator's certificate is presented under this URL. */
export const PRODUCTION_CERT_URL = `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-patchbridge-sim.pem`;
export const DEFAULT_GROUP = 'Cloud Operations';

export interface StormOptions {
  readonly instances: number;
  readonly groups: number;
  readonly failureRate: number;
  readonly duplicateRate: number;
  readonly latencyMs: number;
  readonly requestsPerSecond: number;
  readonly seed: number;
}

/** One message as SNS (HTTPS) or an EventBridge API destination would deliver it. */
export interface Delivery {
  readonly kind: 'sns' | 'eventbridge';
  readonly body: string;
}

export interface Storm {
  readonly aws: AwsSim;
  readonly awsPorts: AwsPorts;
  /** Shuffled, with duplicates. */
  readonly stream: readonly Delivery[];
  readonly uniqueEvents: number;
  readonly failedInstances: number;
  /** Patch groups with at least one failure: the incidents a perfect run creates. */
  readonly failingGroups: number;
  close(): Promise<void>;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function createStorm(options: StormOptions): Promise<Storm> {
  const logger = silentLogger();
  const captured: Delivery[] = [];
  const harness = await createAwsSimHarness({
    logger,
    concurrency: 8,
    sim: {
      seed: options.seed,
      fleet: {
        size: options.instances,
        seed: options.seed,
        accountId: ACCOUNT,
        region: REGION,
        patchGroups: options.groups,
        failureRate: options.failureRate,
        staleRate: 0,
        unmanagedRate: 0,
        windows: false,
      },
      topics: [PATCH_RESULTS_TOPIC],
      sinks: [
        {
          kind: 'callback',
          fn: (kind, payload) => {
            if (kind === 'eventbridge') {
              const event = payload as { 'detail-type'?: string };
              if (event['detail-type'] === 'EC2 Command Status-change Notification') captured.push({ kind, body: JSON.stringify(payload) });
              return;
            }
            // SigningCertURL is not signed; presenting the production URL keeps the signature and the production URL rule.
            captured.push({ kind, body: JSON.stringify({ ...(payload as Record<string, unknown>), SigningCertURL: PRODUCTION_CERT_URL }) });
          },
        },
      ],
    },
  });
  const { sim: aws, ports: awsPorts } = harness;
  for (const instance of aws.fleet.instances) instance.pingStatus = 'Online';

  const ctx = { accountId: ACCOUNT, region: REGION };
  for (const group of aws.fleet.patchGroups) {
    await awsPorts.patchExecution.sendPatchCommand(ctx, {
      targets: [{ key: 'tag:Patch Group', values: [group] }],
      operation: 'Install',
      maxConcurrency: '100%',
      maxErrors: '100%',
      comment: `storm ${group}`,
      notification: {
        topicArn: PATCH_RESULTS_TOPIC,
        serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/PatchResultsPublisher`,
        events: ['Success', 'Failed', 'TimedOut', 'Cancelled'],
        type: 'Invocation',
      },
    });
  }
  await aws.settle();

  const failedIds = new Set<string>();
  const failedGroups = new Set<string>();
  for (const d of captured) {
    for (const event of normaliseMessage(JSON.parse(d.body) as unknown)) {
      if (event.kind !== 'invocation' || !isFailureEvent(event)) continue;
      failedIds.add(event.instanceId);
      const group = aws.fleet.byId.get(event.instanceId)?.tags['Patch Group'];
      if (group) failedGroups.add(group);
    }
  }
  const random = rng(options.seed);
  const stream = [...captured, ...captured.filter(() => random() < options.duplicateRate)];
  for (let i = stream.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [stream[i], stream[j]] = [stream[j] as Delivery, stream[i] as Delivery];
  }
  aws.resetLog();
  return {
    aws,
    awsPorts,
    stream,
    uniqueEvents: captured.length,
    failedInstances: failedIds.size,
    failingGroups: failedGroups.size,
    async close() {
      await harness.close();
    },
  };
}

export interface ServiceNowSide {
  readonly sim: ServiceNowSim;
  readonly client: ServiceNowClient;
  close(): Promise<void>;
}

/** A busy ServiceNow: fixed latency, a per-user rate limit, and the real client in front of it. */
export async function createServiceNow(options: StormOptions): Promise<ServiceNowSide> {
  const side = await createServiceNowSimHarness({
    sim: { seed: options.seed, latency: { kind: 'fixed', ms: options.latencyMs }, rateLimit: { requestsPerSecond: options.requestsPerSecond } },
    // The bench measures the client as production runs it.
    limits: DEFAULT_SERVICENOW_LIMITS,
  });
  side.sim.seed.group({ name: DEFAULT_GROUP });
  return side;
}
