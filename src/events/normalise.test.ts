import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors.js';
import { normaliseEventBridge } from './eventbridge.js';
import { normaliseMessage, normaliseSqsRecord } from './normalise.js';

const ACCOUNT = '123456789012';
const CMD = 'a8c7e76f-15f1-4c33-9052-0123456789ab';
const MWX = '791b72e0-f0da-4021-8b35-f95dfEXAMPLE'.replace('EXAMPLE', '0a1b2c3');
const TASK = 'c9b05aba-197f-4d8d-be34-e73fbEXAMPLE'.replace('EXAMPLE', '4d5e6f7');

function eventBridge(detailType: string, detail: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'ee7ff4a0-4b5d-4a69-9f0c-0123456789ab',
    'detail-type': detailType,
    source: 'aws.ssm',
    account: ACCOUNT,
    time: '2026-03-01T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
    ...extra,
  };
}

const runCommandInvocation = {
  commandId: CMD,
  documentName: 'AWS-RunPatchBaseline',
  instanceId: 'i-1234567890abcdef0',
  requestedDateTime: '2026-03-01T09:57:09.17Z',
  status: 'Failed',
  eventTime: '2026-03-01T10:01:00.236Z',
};

const runCommandCommand = {
  commandId: CMD,
  documentName: 'AWS-RunPatchBaseline',
  instanceIds: [],
  requestedDateTime: '2026-03-01T09:57:09.17Z',
  expiresAfter: '2026-03-01T11:07:09.17Z',
  outputS3BucketName: '',
  outputS3KeyPrefix: '',
  status: 'TimedOut',
  eventTime: '2026-03-01T10:02:00.000Z',
};

function snsEnvelope(message: unknown, topicArn = `arn:aws:sns:us-east-2:${ACCOUNT}:PatchResults`) {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: topicArn,
    Subject: null,
    Message: JSON.stringify(message),
    Timestamp: '2026-03-01T10:01:01.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-2.amazonaws.com/SimpleNotificationService-abc.pem',
    UnsubscribeURL: 'https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe',
  };
}

describe('normaliseEventBridge', () => {
  it.each([
    [
      'command status',
      eventBridge(
        'EC2 Command Status-change Notification',
        { 'command-id': CMD, 'document-name': 'AWS-RunPatchBaseline', 'expire-after': '2026-03-01T11:00:00.000Z', parameters: {}, 'requested-date-time': '2026-03-01T09:00:00.000Z', status: 'Failed' },
        { resources: [`arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0abc1234def567890`, `arn:aws:ssm:eu-west-1:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`] },
      ),
      { kind: 'command', commandId: CMD, phase: 'failed', instanceIds: ['i-0abc1234def567890', 'mi-0123456789abcdef0'] },
    ],
    [
      'invocation status',
      eventBridge('EC2 Command Invocation Status-change Notification', {
        'command-id': CMD,
        'document-name': 'AWS-RunPatchBaseline',
        'instance-id': 'i-0abc1234def567890',
        'requested-date-time': '2026-03-01T09:00:00.000Z',
        status: 'TimedOut',
      }),
      { kind: 'invocation', instanceId: 'i-0abc1234def567890', phase: 'timed-out' },
    ],
    [
      'window execution',
      eventBridge('Maintenance Window Execution State-change Notification', {
        'start-time': '2026-03-01T09:00:00.000Z',
        'end-time': '2026-03-01T10:00:00.000Z',
        'window-id': 'mw-0ed7251d3fcf6e0c2',
        'window-execution-id': MWX,
        status: 'FAILED',
      }),
      { kind: 'window-execution', windowId: 'mw-0ed7251d3fcf6e0c2', windowExecutionId: MWX, phase: 'failed', endedAt: '2026-03-01T10:00:00.000Z' },
    ],
    [
      'window task',
      eventBridge('Maintenance Window Task Execution State-change Notification', {
        'start-time': '2026-03-01T09:00:00.000Z',
        'task-execution-id': TASK,
        'end-time': '2026-03-01T10:00:00.000Z',
        'window-id': 'mw-0ed7251d3fcf6e0c2',
        'window-execution-id': MWX,
        status: 'TIMED_OUT',
      }),
      { kind: 'window-task', taskExecutionId: TASK, phase: 'timed-out' },
    ],
    [
      'window target invocation',
      eventBridge('Maintenance Window Task Target Invocation State-change Notification', {
        'start-time': '2026-03-01T09:00:00.000Z',
        'end-time': '2026-03-01T10:00:00.000Z',
        'window-id': 'mw-0ed7251d3fcf6e0c2',
        'window-execution-id': MWX,
        'task-execution-id': TASK,
        'window-target-id': 'e7265f13-3cc5-4f2f-97a9-7d3caEXAMPLE',
        status: 'FAILED',
        'owner-information': 'Owner',
      }),
      { kind: 'window-target-invocation', windowTargetId: 'e7265f13-3cc5-4f2f-97a9-7d3caEXAMPLE', ownerInformation: 'Owner', phase: 'failed' },
    ],
    [
      'automation execution (PascalCase, US-style dates)',
      eventBridge('EC2 Automation Execution Status-change Notification', {
        ExecutionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c',
        Definition: 'patchbridge-AdHocPatch',
        DefinitionVersion: 1.0,
        Status: 'CompletedWithFailure',
        StartTime: 'Nov 29, 2016 7:43:20 PM',
        EndTime: 'Nov 29, 2016 12:05:26 AM',
        Time: 5753.0,
        ExecutedBy: `arn:aws:iam::${ACCOUNT}:user/userName`,
      }),
      {
        kind: 'automation',
        executionId: '333ba70b-2333-48db-b17e-a5e69c6f4d1c',
        definitionVersion: '1',
        phase: 'failed',
        startedAt: '2016-11-29T19:43:20.000Z',
        endedAt: '2016-11-29T00:05:26.000Z',
      },
    ],
  ])('when given a %s event, then it yields the typed PatchEvent', (_name, input, expected) => {
    // Act
    const [event, ...rest] = normaliseEventBridge(input);
    // Assess
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ source: 'eventbridge', accountId: ACCOUNT, region: 'eu-west-1', time: '2026-03-01T10:00:00.000Z', ...expected });
  });

  it('when the detail type is a known aws.ssm type without incident relevance, then it yields no event', () => {
    // Act
    const events = normaliseEventBridge(eventBridge('EC2 Automation Step Status-change Notification', { ExecutionId: 'x' }));
    // Assess
    expect(events).toEqual([]);
  });

  it.each([
    ['an unknown detail type', eventBridge('Something Else', {}), /unsupported detail-type "Something Else"/],
    ['another source', { ...eventBridge('EC2 Command Status-change Notification', {}), source: 'aws.ec2' }, /unsupported source "aws.ec2"/],
    ['a bad account', { ...eventBridge('EC2 Command Status-change Notification', {}), account: '12' }, /account: a 12-digit account id/],
    [
      'an instance id that is not one',
      eventBridge('EC2 Command Invocation Status-change Notification', {
        'command-id': CMD,
        'document-name': 'AWS-RunPatchBaseline',
        'instance-id': 'i-^ORDERBY',
        status: 'Failed',
      }),
      /instance-id: an EC2 or managed instance id/,
    ],
    [
      'an unknown status',
      eventBridge('EC2 Command Invocation Status-change Notification', {
        'command-id': CMD,
        'document-name': 'AWS-RunPatchBaseline',
        'instance-id': 'i-0abc1234def567890',
        status: 'Exploded',
      }),
      /unknown status "Exploded"/,
    ],
  ])('when given %s, then it throws INVALID_EVENT with the reason', (_name, input, reason) => {
    // Act
    const act = () => normaliseEventBridge(input);
    // Assess
    expect(act).toThrow(InvalidEventError);
    expect(act).toThrow(reason);
    try {
      act();
    } catch (err) {
      expect((err as InvalidEventError).code).toBe('INVALID_EVENT');
      expect((err as InvalidEventError).retryable).toBe(false);
    }
  });
});

describe('normaliseMessage', () => {
  it('when given an SNS envelope around a Run Command invocation message, then account and region come from the topic ARN', () => {
    // Act
    const [event] = normaliseMessage(snsEnvelope(runCommandInvocation));
    // Assess
    expect(event).toEqual({
      source: 'run-command-sns',
      kind: 'invocation',
      accountId: ACCOUNT,
      region: 'us-east-2',
      messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      commandId: CMD,
      documentName: 'AWS-RunPatchBaseline',
      instanceId: 'i-1234567890abcdef0',
      status: 'Failed',
      phase: 'failed',
      time: '2026-03-01T10:01:00.236Z',
      requestedAt: '2026-03-01T09:57:09.170Z',
    });
  });

  it('when given a tag-targeted command-level message, then instanceIds is empty', () => {
    // Act
    const [event] = normaliseMessage(snsEnvelope(runCommandCommand));
    // Assess
    expect(event).toMatchObject({ kind: 'command', instanceIds: [], phase: 'timed-out' });
  });

  it('when given an SNS envelope around an EventBridge event, then the event is normalised', () => {
    // Act
    const [event] = normaliseMessage(
      snsEnvelope(eventBridge('Maintenance Window Execution State-change Notification', { 'window-id': 'mw-0ed7251d3fcf6e0c2', 'window-execution-id': MWX, status: 'FAILED' })),
    );
    // Assess
    expect(event).toMatchObject({ kind: 'window-execution', region: 'eu-west-1', windowExecutionId: MWX });
  });

  it('when an SNS envelope carries an EventBridge event of another account than the topic, then it is refused as SNS_TOPIC_NOT_ALLOWED', () => {
    // Prepare
    const foreign = { ...eventBridge('EC2 Command Invocation Status-change Notification', { 'command-id': CMD, 'document-name': 'AWS-RunPatchBaseline', 'instance-id': 'i-1234567890abcdef0', status: 'Failed' }), account: '999999999999' };
    // Act / Assess
    expect(() => normaliseMessage(snsEnvelope(foreign))).toThrow(expect.objectContaining({ code: 'SNS_TOPIC_NOT_ALLOWED', retryable: false }));
  });

  it('when given a bare Run Command message with no origin, then it is INVALID_EVENT', () => {
    // Act / Assess
    expect(() => normaliseMessage(runCommandInvocation)).toThrow(/without a topic or queue/);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [1, 2]],
    ['an unrelated object', { hello: 'world' }],
  ])('when given %s, then it is INVALID_EVENT (unrecognised)', (_name, input) => {
    // Act / Assess
    expect(() => normaliseMessage(input)).toThrow(/unrecognised message/);
  });

  it('when the SNS Message is not JSON, then it is INVALID_EVENT naming the Message', () => {
    // Prepare
    const envelope = { ...snsEnvelope({}), Message: '{not json' };
    // Act / Assess
    expect(() => normaliseMessage(envelope)).toThrow(/SNS Message is not valid JSON/);
  });
});

describe('normaliseSqsRecord', () => {
  it.each([
    ['an SNS envelope', snsEnvelope(runCommandInvocation), 'us-east-2'],
    ['a raw-delivered Run Command message (region from the queue ARN)', runCommandInvocation, 'ap-southeast-2'],
    [
      'an EventBridge event (SQS target)',
      eventBridge('EC2 Command Invocation Status-change Notification', {
        'command-id': CMD,
        'document-name': 'AWS-RunPatchBaseline',
        'instance-id': 'i-1234567890abcdef0',
        status: 'Failed',
      }),
      'eu-west-1',
    ],
  ])('when the body is %s, then it yields one invocation event', (_name, body, expectedRegion) => {
    // Act
    const events = normaliseSqsRecord({
      messageId: 'm-1',
      body: JSON.stringify(body),
      eventSourceARN: `arn:aws:sqs:ap-southeast-2:${ACCOUNT}:patch-results`,
    });
    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'invocation', instanceId: 'i-1234567890abcdef0', region: expectedRegion, phase: 'failed' });
  });

  it('when the body is not JSON, then it is INVALID_EVENT', () => {
    // Act / Assess
    expect(() => normaliseSqsRecord({ body: 'oops' })).toThrow(/SQS message body is not valid JSON/);
  });
});
