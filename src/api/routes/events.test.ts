import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createSnsVerifier, type SnsEnvelope, snsStringToSign } from '../../events/index.js';
import { createEventIntake, createEventReceiver, PATCH_EVENT_KIND, PATCH_OBSERVATION_KIND } from '../../flows/incidents/index.js';
import { DEAD_LETTER_KIND, storeDeadLetters } from '../../flows/outbox/index.js';
import { createSqliteStore, type StateStore } from '../../store/index.js';
import { createApp } from '../app.js';
import { eventsRoutes } from './events.js';

// A throwaway key pair made for these tests only.
const fixtures = new URL('../../../test/incidents/fixtures/', import.meta.url);
const CERT = readFileSync(new URL('sns-test-cert.pem', fixtures), 'utf8');
const KEY = readFileSync(new URL('sns-test-key.pem', fixtures), 'utf8');
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:PatchResults';
const SUBSCRIBE_URL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t';

const stores: StateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function signed(envelope: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>): SnsEnvelope {
  const unsigned: SnsEnvelope = { ...envelope, SignatureVersion: '2', SigningCertURL: CERT_URL };
  const signer = createSign('RSA-SHA256');
  signer.update(snsStringToSign(unsigned));
  return { ...unsigned, Signature: signer.sign(KEY, 'base64') };
}

const failedInvocation = {
  commandId: 'a8c7e76f-15f1-4c33-9052-0123456789ab',
  documentName: 'AWS-RunPatchBaseline',
  instanceId: 'i-1234567890abcdef0',
  requestedDateTime: '2026-03-01T09:57:09.17Z',
  status: 'Failed',
  eventTime: '2026-03-01T10:01:00.236Z',
};

const eventBridgeFailure = {
  version: '0',
  id: 'ee7ff4a0-4b5d-4a69-9f0c-0123456789ab',
  'detail-type': 'EC2 Command Invocation Status-change Notification',
  source: 'aws.ssm',
  account: '123456789012',
  time: '2026-03-01T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { 'command-id': failedInvocation.commandId, 'document-name': 'AWS-RunPatchBaseline', 'instance-id': 'i-0abc1234def567890', status: 'TimedOut' },
};

function setup(
  credentials: { apiKey?: string; basicAuth?: { username: string; password: string } } = { apiKey: 'k'.repeat(32) },
  allowedTopicArns: readonly string[] = [TOPIC],
) {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const store = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  stores.push(store);
  const fetched: string[] = [];
  const sns = createSnsVerifier({
    fetch: async (url) => {
      fetched.push(url);
      if (url === CERT_URL) return CERT;
      if (url === SUBSCRIBE_URL) return '<ConfirmSubscriptionResponse/>';
      throw new Error(`unexpected fetch ${url}`);
    },
    allowedTopicArns,
  });
  const receiver = createEventReceiver({
    intake: createEventIntake({ store, clock, batchWindowMs: 0 }),
    sns,
    deadLetters: storeDeadLetters(store, clock),
    logger: silentLogger(),
  });
  const app = createApp({
    logger: silentLogger(),
    operations: { checks: [], missing: () => [], openApi: {} },
    features: [eventsRoutes({ receiver, credentials: { apiKey: credentials.apiKey, basicAuth: credentials.basicAuth } })],
  });
  return { app, store, fetched, receiver };
}

const snsPost = (app: ReturnType<typeof setup>['app'], envelope: unknown, type = 'Notification') =>
  request(app).post('/v1/events').set('content-type', 'text/plain; charset=UTF-8').set('x-amz-sns-message-type', type).send(JSON.stringify(envelope));

describe('POST /v1/events (SNS)', () => {
  it('when a signed failure notification arrives, then it is accepted and stored for enrichment', async () => {
    // Prepare
    const { app, store } = setup();
    const envelope = signed({ Type: 'Notification', MessageId: 'm1', TopicArn: TOPIC, Message: JSON.stringify(failedInvocation), Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope);
    // Assess
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', accepted: 1, duplicates: 0, ignored: 0 });
    expect(await store.outboxDepth(PATCH_EVENT_KIND)).toBe(1);
  });

  it('when the same notification arrives twice, then the second is a duplicate and nothing more is stored', async () => {
    // Prepare
    const { app, store } = setup();
    const envelope = signed({ Type: 'Notification', MessageId: 'm1', TopicArn: TOPIC, Message: JSON.stringify(failedInvocation), Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    await snsPost(app, envelope);
    const again = await snsPost(app, { ...envelope });
    // Assess
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await store.outboxDepth(PATCH_EVENT_KIND)).toBe(1);
  });

  it('when a subscription confirmation arrives, then SubscribeURL is fetched and 200 confirmed is answered', async () => {
    // Prepare
    const { app, fetched } = setup();
    const envelope = signed({ Type: 'SubscriptionConfirmation', MessageId: 'c1', Token: 't', TopicArn: TOPIC, Message: 'confirm', SubscribeURL: SUBSCRIBE_URL, Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope, 'SubscriptionConfirmation');
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'confirmed' });
    expect(fetched).toEqual([CERT_URL, SUBSCRIBE_URL]);
  });

  it('when the topic is not allowed, then it is 403 and counted, and nothing the caller sent is stored', async () => {
    // Prepare
    const { app, store, receiver } = setup();
    const envelope = signed({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:Other', Message: '{}', Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope);
    // Assess
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.code).toBe('SNS_TOPIC_NOT_ALLOWED');
    expect(receiver.rejections()).toEqual({ SNS_TOPIC_NOT_ALLOWED: 1 });
    expect(await store.outboxDepth()).toBe(0);
  });

  it.each([
    ['a body that is not JSON', '{"Type":"Notification",'],
    ['an envelope missing its fields', JSON.stringify({ Type: 'Notification', pad: 'x'.repeat(60_000) })],
    ['a forged signature', JSON.stringify({ ...signed({ Type: 'Notification', MessageId: 'm', TopicArn: TOPIC, Message: '{}', Timestamp: '2026-03-01T10:01:01.000Z' }), Message: 'x'.repeat(60_000) })],
  ])('when an unauthenticated SNS delivery carries %s, then it is refused and counted but no dead letter is stored', async (_name, body) => {
    // Prepare
    const { app, store, receiver } = setup();
    // Act
    const res = await request(app).post('/v1/events').set('content-type', 'text/plain; charset=UTF-8').set('x-amz-sns-message-type', 'Notification').send(body);
    // Assess
    expect([400, 403]).toContain(res.status);
    expect(Object.values(receiver.rejections())).toEqual([1]);
    expect(await store.outboxDepth()).toBe(0);
  });

  it('when a genuinely signed message carries a malformed event, then it is 400 and kept as a dead letter', async () => {
    // Prepare
    const { app, store, receiver } = setup();
    const envelope = signed({ Type: 'Notification', MessageId: 'm3', TopicArn: TOPIC, Message: '{"commandId":"not-a-uuid","instanceId":"i-1"}', Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope);
    // Assess
    expect(res.status).toBe(400);
    expect(receiver.rejections()).toEqual({ INVALID_EVENT: 1 });
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(1);
  });
});

describe('POST /v1/events (SNS) fails closed', () => {
  it.each([
    ['a subscription confirmation', 'SubscriptionConfirmation', { Type: 'SubscriptionConfirmation', MessageId: 'c1', Token: 't', Message: 'confirm', SubscribeURL: SUBSCRIBE_URL }],
    ['a failure notification', 'Notification', { Type: 'Notification', MessageId: 'm1', Message: JSON.stringify(failedInvocation) }],
  ] as const)('when no SNS topic is configured, then %s from a genuine topic is 403 SNS_TOPIC_NOT_ALLOWED and nothing is fetched or stored', async (_name, type, fields) => {
    // Prepare
    const { app, store, fetched } = setup(undefined, []);
    const envelope = signed({ ...fields, TopicArn: TOPIC, Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope, type);
    // Assess
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ code: 'SNS_TOPIC_NOT_ALLOWED', detail: expect.stringContaining('PATCHBRIDGE_SNS_TOPIC_ARNS') });
    expect(fetched).toEqual([]);
    expect(await store.outboxDepth()).toBe(0);
  });

  it("when an allowed topic delivers an EventBridge event of another account, then it is 403 SNS_TOPIC_NOT_ALLOWED and the event is not queued", async () => {
    // Prepare
    const { app, store } = setup();
    const foreign = { ...eventBridgeFailure, account: '999999999999' };
    const envelope = signed({ Type: 'Notification', MessageId: 'm2', TopicArn: TOPIC, Message: JSON.stringify(foreign), Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act
    const res = await snsPost(app, envelope);
    // Assess
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('SNS_TOPIC_NOT_ALLOWED');
    expect(await store.outboxDepth(PATCH_EVENT_KIND)).toBe(0);
  });
});

describe('POST /v1/events (EventBridge API destination)', () => {
  it('when the API key matches, then the event is accepted', async () => {
    // Prepare
    const { app, store } = setup();
    // Act
    const res = await request(app).post('/v1/events').set('x-api-key', 'k'.repeat(32)).send(eventBridgeFailure);
    // Assess
    expect(res.status).toBe(202);
    expect(await store.outboxDepth(PATCH_EVENT_KIND)).toBe(1);
  });

  it.each([
    ['the right Basic credentials', 'ops:s3cret', 202],
    ['a wrong password', 'ops:wrong', 401],
    ['no colon', 'ops', 401],
  ])('when Basic auth carries %s, then the answer is %i', async (_name, pair, status) => {
    // Prepare
    const { app } = setup({ basicAuth: { username: 'ops', password: 's3cret' } });
    // Act
    const res = await request(app).post('/v1/events').set('authorization', `Basic ${Buffer.from(pair).toString('base64')}`).send(eventBridgeFailure);
    // Assess
    expect(res.status).toBe(status);
  });

  it('when no EventBridge credentials are configured, then every EventBridge call is refused', async () => {
    // Prepare
    const { app } = setup({});
    // Act
    const res = await request(app).post('/v1/events').set('x-api-key', 'anything').send(eventBridgeFailure);
    // Assess
    expect(res.status).toBe(401);
    expect(res.body.detail).toContain('not configured');
  });

  it('when an authenticated call carries an unknown event, then it is 400 INVALID_EVENT with the reason and recorded', async () => {
    // Prepare
    const { app, store } = setup();
    // Act
    const res = await request(app).post('/v1/events').set('x-api-key', 'k'.repeat(32)).send({ ...eventBridgeFailure, 'detail-type': 'Something Else' });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_EVENT', detail: 'invalid event: unsupported detail-type "Something Else"' });
    expect(await store.outboxDepth(DEAD_LETTER_KIND)).toBe(1);
  });

  it('when a success event arrives, then it is stored for the observer (patch-run write-back), not dropped', async () => {
    // Prepare
    const { app, store } = setup();
    // Act
    const res = await request(app)
      .post('/v1/events')
      .set('x-api-key', 'k'.repeat(32))
      .send({ ...eventBridgeFailure, detail: { ...eventBridgeFailure.detail, status: 'Success' } });
    // Assess
    expect(res.body).toEqual({ status: 'accepted', accepted: 1, duplicates: 0, ignored: 0 });
    expect(await store.outboxDepth(PATCH_OBSERVATION_KIND)).toBe(1);
    expect(await store.outboxDepth(PATCH_EVENT_KIND)).toBe(0);
  });

  it('when an aws.ssm event carries nothing to act on, then it is counted as ignored and nothing is stored', async () => {
    // Prepare
    const { app, store } = setup();
    // Act
    const res = await request(app)
      .post('/v1/events')
      .set('x-api-key', 'k'.repeat(32))
      .send({ ...eventBridgeFailure, 'detail-type': 'EC2 Automation Step Status-change Notification', detail: {} });
    // Assess
    expect(res.body).toEqual({ status: 'accepted', accepted: 0, duplicates: 0, ignored: 1 });
    expect(await store.outboxDepth()).toBe(0);
  });
});
