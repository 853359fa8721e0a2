import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFormatSamples, type FormatSamples } from './format-samples.js';
import { type SnsNotificationEnvelope, snsStringToSign } from './sns-signer.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/aws');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

/** Fields that differ per run (signing key) or per port, and so are not pinned. */
const UNPINNED = new Set(['Signature', 'SigningCertURL', 'UnsubscribeURL']);
const pinned = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([k]) => !UNPINNED.has(k)))
    : value;

const EVENT_ENVELOPE = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];

/** Field sets from the AWS documentation (see test/fixtures/aws/README.md for the pages). */
const DOCUMENTED: Record<string, { top: string[]; detail?: string[]; detailType?: string }> = {
  'run-command-sns-command-instance-ids.json': {
    top: ['commandId', 'documentName', 'instanceIds', 'requestedDateTime', 'expiresAfter', 'outputS3BucketName', 'outputS3KeyPrefix', 'status', 'eventTime'],
  },
  'run-command-sns-command-tag-targets.json': {
    top: ['commandId', 'documentName', 'instanceIds', 'requestedDateTime', 'expiresAfter', 'outputS3BucketName', 'outputS3KeyPrefix', 'status', 'eventTime'],
  },
  'run-command-sns-invocation.json': { top: ['commandId', 'documentName', 'instanceId', 'requestedDateTime', 'status', 'eventTime'] },
  'sns-https-notification.json': {
    top: ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL'],
  },
  'sns-https-notification.headers.json': {
    top: ['content-type', 'user-agent', 'x-amz-sns-message-type', 'x-amz-sns-message-id', 'x-amz-sns-topic-arn', 'x-amz-sns-subscription-arn'],
  },
  'eventbridge-command-status.json': {
    top: EVENT_ENVELOPE,
    detailType: 'EC2 Command Status-change Notification',
    detail: ['command-id', 'document-name', 'expire-after', 'parameters', 'requested-date-time', 'status'],
  },
  'eventbridge-command-invocation-status.json': {
    top: EVENT_ENVELOPE,
    detailType: 'EC2 Command Invocation Status-change Notification',
    detail: ['command-id', 'document-name', 'instance-id', 'requested-date-time', 'status'],
  },
  'eventbridge-automation-execution-status.json': {
    top: EVENT_ENVELOPE,
    detailType: 'EC2 Automation Execution Status-change Notification',
    detail: ['ExecutionId', 'Definition', 'DefinitionVersion', 'Status', 'StartTime', 'EndTime', 'Time', 'ExecutedBy'],
  },
  'eventbridge-automation-step-status.json': {
    top: EVENT_ENVELOPE,
    detailType: 'EC2 Automation Step Status-change Notification',
    detail: ['ExecutionId', 'Definition', 'DefinitionVersion', 'Status', 'EndTime', 'StartTime', 'Time', 'StepName', 'Action'],
  },
  'eventbridge-maintenance-window-execution.json': {
    top: EVENT_ENVELOPE,
    detailType: 'Maintenance Window Execution State-change Notification',
    detail: ['start-time', 'end-time', 'window-id', 'window-execution-id', 'status'],
  },
  'eventbridge-maintenance-window-task-execution.json': {
    top: EVENT_ENVELOPE,
    detailType: 'Maintenance Window Task Execution State-change Notification',
    detail: ['start-time', 'task-execution-id', 'end-time', 'window-id', 'window-execution-id', 'status'],
  },
  'eventbridge-maintenance-window-task-target-invocation.json': {
    top: EVENT_ENVELOPE,
    detailType: 'Maintenance Window Task Target Invocation State-change Notification',
    detail: ['start-time', 'end-time', 'window-id', 'window-execution-id', 'task-execution-id', 'window-target-id', 'status', 'owner-information'],
  },
  'eventbridge-maintenance-window-state.json': {
    top: EVENT_ENVELOPE,
    detailType: 'Maintenance Window State-change Notification',
    detail: ['window-id', 'status'],
  },
};

const sorted = (keys: string[]) => [...keys].sort();

describe('format fixtures', () => {
  let samples: FormatSamples;
  beforeAll(async () => {
    samples = await buildFormatSamples();
  });

  it('when the fixed scenario runs, then the simulator emits exactly one sample per checked-in fixture', () => {
    expect(sorted(Object.keys(samples.files))).toEqual(sorted(Object.keys(DOCUMENTED)));
  });

  it.each(Object.keys(DOCUMENTED))('when the simulator emits %s, then it matches the checked-in fixture', (name) => {
    expect(pinned(samples.files[name])).toEqual(pinned(fixture(name)));
  });

  it.each(Object.entries(DOCUMENTED))('the fixture %s has the fields AWS documents', (name, doc) => {
    const payload = fixture(name) as Record<string, unknown>;

    expect(sorted(Object.keys(payload))).toEqual(sorted(doc.top));
    if (doc.detail) {
      expect(payload['source']).toBe('aws.ssm');
      expect(payload['detail-type']).toBe(doc.detailType);
      expect(payload['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(sorted(Object.keys(payload['detail'] as object))).toEqual(sorted(doc.detail));
    }
  });

  it('the tag-targeted command message lists no instance ids, the instance-targeted one lists them', () => {
    expect(fixture('run-command-sns-command-tag-targets.json')).toMatchObject({ instanceIds: [], outputS3BucketName: '' });
    expect((fixture('run-command-sns-command-instance-ids.json') as { instanceIds: string[] }).instanceIds).toHaveLength(2);
  });

  it('the automation fixtures use the "Mar 1, 2026 2:27:42 AM" date form', () => {
    const detail = (fixture('eventbridge-automation-execution-status.json') as { detail: Record<string, unknown> }).detail;

    expect(detail['StartTime']).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d\d:\d\d (AM|PM)$/);
    expect(detail['EndTime']).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d\d:\d\d (AM|PM)$/);
  });

  it('the SNS envelope fixture is signed by the key in sns-signing-cert.pem, over the documented string', () => {
    const envelope = fixture('sns-https-notification.json') as SnsNotificationEnvelope;
    const cert = new X509Certificate(readFileSync(path.join(FIXTURES, 'sns-signing-cert.pem')));

    const valid = verify('sha1', Buffer.from(snsStringToSign(envelope)), cert.publicKey, Buffer.from(envelope.Signature, 'base64'));
    const tampered = verify('sha1', Buffer.from(snsStringToSign({ ...envelope, Message: `${envelope.Message} ` })), cert.publicKey, Buffer.from(envelope.Signature, 'base64'));

    expect([valid, tampered]).toEqual([true, false]);
    expect(JSON.parse(envelope.Message)).toEqual(fixture('run-command-sns-invocation.json'));
  });
});
