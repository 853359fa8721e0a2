import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../core/index.js';
import { GUARD_FUNCTION } from './fleet.js';
import { createAwsSimHarness } from './harness.js';
import type { EventBridgeEvent } from './notifications.js';
import type { SnsNotificationEnvelope } from './sns-signer.js';

/** One sample payload per documented AWS shape, keyed by fixture file name. */
export interface FormatSamples {
  readonly files: Record<string, unknown>;
  /** The PEM the SNS envelope sample is signed with. */
  readonly signingCertPem: string;
}

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:patchbridge-patch-results';
const ROLE = 'arn:aws:iam::123456789012:role/patchbridge-ssm-notifications';

interface Captured {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * Runs one fixed scenario (seeded fleet, manual clock) through the simulator over
 * real HTTP and returns what it emitted, in the shapes AWS documents: Run Command
 * SNS messages, an SNS HTTPS delivery, and EventBridge `aws.ssm` events. The same
 * seed gives the same payloads, except signatures (the signing key is per run).
 */
export async function buildFormatSamples(): Promise<FormatSamples> {
  const posts: Captured[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/events`;

  const clock = new ManualClock('2026-03-01T02:00:00.000Z');
  const h = await createAwsSimHarness({
    clock,
    sim: {
      seed: 'format-samples',
      clock,
      fleet: { size: 6, seed: 'format-samples', patchGroups: ['web-prod'], unmanagedRate: 0, staleRate: 0, offlineRate: 0, failureRate: 0, hybridRate: 0, now: clock.now() },
      topics: [TOPIC],
      automationNotification: { topicArn: TOPIC, type: 'Invocation' },
      lambdas: { [GUARD_FUNCTION]: () => undefined },
      sinks: [{ kind: 'sns-http', url: receiverUrl, topicArns: [TOPIC] }],
    },
  });
  try {
    const { sim, ports, ctx } = h;
    const [a, b] = sim.fleet.instances;
    sim.forceOutcome(b!.instanceId, 'Failed');
    const published = () => sim.sinks.published.map((p) => JSON.parse(p.message) as Record<string, unknown>);
    const events = (type: string) => sim.sinks.events.filter((e) => e['detail-type'] === type);
    const last = <T>(items: readonly T[]): T => {
      const item = items[items.length - 1];
      if (item === undefined) throw new Error('format sample missing');
      return item;
    };

    // 1. Command-level notifications, instance-id targeting.
    const byIds = await ports.patchExecution.sendPatchCommand(ctx, {
      targets: [{ key: 'InstanceIds', values: [a!.instanceId, b!.instanceId] }],
      operation: 'Install',
      maxConcurrency: '2',
      maxErrors: '1',
      comment: 'CHG0012345 ad hoc patching',
      notification: { topicArn: TOPIC, serviceRoleArn: ROLE, type: 'Command', events: ['All'] },
      outputS3: { bucketName: 'patchbridge-command-output', keyPrefix: 'runcommand' },
    });
    await sim.settle();
    const commandById = published().filter((m) => m['commandId'] === byIds.commandId);

    // 2. Command-level notification, tag targeting.
    const byTag = await ports.patchExecution.sendPatchCommand(ctx, {
      targets: [{ key: 'tag:Patch Group', values: ['web-prod'] }],
      operation: 'Scan',
      maxConcurrency: '50%',
      maxErrors: '100%',
      comment: 'scan',
      notification: { topicArn: TOPIC, serviceRoleArn: ROLE, type: 'Command', events: ['InProgress'] },
    });
    await sim.settle();
    const commandByTag = published().filter((m) => m['commandId'] === byTag.commandId);

    // 3. Invocation-level notifications, with one failed instance.
    const perInvocation = await ports.patchExecution.sendPatchCommand(ctx, {
      targets: [{ key: 'InstanceIds', values: [b!.instanceId] }],
      operation: 'Install',
      maxConcurrency: '1',
      maxErrors: '0',
      comment: 'CHG0012346',
      notification: { topicArn: TOPIC, serviceRoleArn: ROLE, type: 'Invocation', events: ['Failed', 'TimedOut'] },
    });
    await sim.settle();
    const invocationMessages = published().filter((m) => m['commandId'] === perInvocation.commandId);
    const invocationEnvelope = last(sim.sinks.published.filter((p) => p.message.includes(perInvocation.commandId)));
    const post = last(posts.filter((p) => p.body.includes(invocationEnvelope.envelope.MessageId)));

    // 4. Automation (the ad hoc patch runbook) over both instances: fails, as b fails.
    await ports.patchExecution.startPatchRun(ctx, {
      clientToken: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
      documentName: 'patchbridge-AdHocPatch',
      parameters: { InstanceIds: [a!.instanceId, b!.instanceId], Operation: ['Install'] },
    });
    await sim.settle();

    // 5. A maintenance window: enabled, run, guard then patch task.
    const window = sim.fleet.windows[0]!;
    await ports.windows.setEnabled(ctx, window.windowId, true);
    sim.runMaintenanceWindow(window.windowId);
    await sim.settle();

    const envelope: SnsNotificationEnvelope = JSON.parse(post.body) as SnsNotificationEnvelope;
    const headers = Object.fromEntries(
      Object.entries(post.headers).filter(([k]) => k.startsWith('x-amz-sns-') || k === 'content-type' || k === 'user-agent'),
    );
    const firstOf = (type: string, status: string): EventBridgeEvent =>
      last(events(type).filter((e) => e.detail['status'] === status || e.detail['Status'] === status));

    return {
      signingCertPem: sim.signingCertPem,
      files: {
        'run-command-sns-command-instance-ids.json': last(commandById),
        'run-command-sns-command-tag-targets.json': last(commandByTag),
        'run-command-sns-invocation.json': last(invocationMessages),
        'sns-https-notification.json': envelope,
        'sns-https-notification.headers.json': headers,
        'eventbridge-command-status.json': firstOf('EC2 Command Status-change Notification', 'Failed'),
        'eventbridge-command-invocation-status.json': firstOf('EC2 Command Invocation Status-change Notification', 'Failed'),
        'eventbridge-automation-execution-status.json': firstOf('EC2 Automation Execution Status-change Notification', 'Failed'),
        'eventbridge-automation-step-status.json': firstOf('EC2 Automation Step Status-change Notification', 'Failed'),
        'eventbridge-maintenance-window-execution.json': firstOf('Maintenance Window Execution State-change Notification', 'FAILED'),
        'eventbridge-maintenance-window-task-execution.json': firstOf('Maintenance Window Task Execution State-change Notification', 'FAILED'),
        'eventbridge-maintenance-window-task-target-invocation.json': firstOf(
          'Maintenance Window Task Target Invocation State-change Notification',
          'FAILED',
        ),
        'eventbridge-maintenance-window-state.json': firstOf('Maintenance Window State-change Notification', 'ENABLED'),
      },
    };
  } finally {
    await h.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}
