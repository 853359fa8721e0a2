import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SnsEnvelope } from './normalise.js';
import { checkSnsUrl, createSnsVerifier, snsStringToSign } from './sns-signature.js';

// A throwaway self-signed key pair made for these tests only; it signs nothing real.
const fixtures = new URL('../../test/incidents/fixtures/', import.meta.url);
const CERT = readFileSync(new URL('sns-test-cert.pem', fixtures), 'utf8');
const KEY = readFileSync(new URL('sns-test-key.pem', fixtures), 'utf8');
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:PatchResults';

function signed(envelope: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>, version: '1' | '2' = '2'): SnsEnvelope {
  const unsigned: SnsEnvelope = { ...envelope, SignatureVersion: version, SigningCertURL: CERT_URL };
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(snsStringToSign(unsigned));
  return { ...unsigned, Signature: signer.sign(KEY, 'base64') };
}

const notification = (overrides: Partial<SnsEnvelope> = {}) =>
  signed({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TOPIC,
    Subject: 'Run Command',
    Message: '{"commandId":"x"}',
    Timestamp: '2026-03-01T10:01:01.000Z',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    ...overrides,
  });

function fetcherServing(map: Record<string, string>) {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    const body = map[url];
    if (body === undefined) throw new Error(`404 ${url}`);
    return body;
  };
  return { fetch, calls };
}

describe('SNS signature verification', () => {
  it.each(['1', '2'] as const)('when a notification is signed with SignatureVersion %s, then it verifies', async (version) => {
    // Prepare
    const { fetch } = fetcherServing({ [CERT_URL]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    const envelope = signed(
      { Type: 'Notification', MessageId: 'm', TopicArn: TOPIC, Message: 'hello', Timestamp: '2026-03-01T10:01:01.000Z' },
      version,
    );
    // Act / Assess
    await expect(verifier.verify(envelope)).resolves.toBeUndefined();
  });

  it.each([
    ['the message was altered', (e: SnsEnvelope) => ({ ...e, Message: '{"commandId":"y"}' })],
    ['the subject was removed', (e: SnsEnvelope) => ({ ...e, Subject: undefined })],
    ['the signature version was downgraded', (e: SnsEnvelope) => ({ ...e, SignatureVersion: '1' })],
    ['the signature is garbage', (e: SnsEnvelope) => ({ ...e, Signature: Buffer.from('forged').toString('base64') })],
  ])('when %s, then verification fails with SNS_SIGNATURE_INVALID', async (_name, tamper) => {
    // Prepare
    const { fetch } = fetcherServing({ [CERT_URL]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    // Act / Assess
    await expect(verifier.verify(tamper(notification()))).rejects.toMatchObject({ code: 'SNS_SIGNATURE_INVALID', retryable: false });
  });

  it.each([
    ['http scheme', 'http://sns.us-east-1.amazonaws.com/cert.pem'],
    ['another host', 'https://evil.example.com/cert.pem'],
    ['a lookalike host', 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem'],
    ['another region than the topic', 'https://sns.eu-west-1.amazonaws.com/cert.pem'],
    ['a non-default port', 'https://sns.us-east-1.amazonaws.com:8443/cert.pem'],
    ['credentials in the URL', 'https://user:pw@sns.us-east-1.amazonaws.com/cert.pem'],
    ['a path that is not a .pem', 'https://sns.us-east-1.amazonaws.com/cert.txt'],
  ])('when SigningCertURL uses %s, then it is refused before any fetch', async (_name, url) => {
    // Prepare
    const { fetch, calls } = fetcherServing({ [url]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    const envelope = { ...notification(), SigningCertURL: url };
    // Act / Assess
    await expect(verifier.verify(envelope)).rejects.toMatchObject({ code: 'SNS_URL_REJECTED' });
    expect(calls).toEqual([]);
  });

  it('when the topic is not in the allow-list, then it is refused without fetching the certificate', async () => {
    // Prepare
    const { fetch, calls } = fetcherServing({ [CERT_URL]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:Other'] });
    // Act / Assess
    await expect(verifier.verify(notification())).rejects.toMatchObject({ code: 'SNS_TOPIC_NOT_ALLOWED' });
    expect(calls).toEqual([]);
  });

  it('when no topic is allowed, then a genuine notification and a genuine subscription confirmation are both refused without any fetch', async () => {
    // Prepare
    const subscribe = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=abc';
    const { fetch, calls } = fetcherServing({ [CERT_URL]: CERT, [subscribe]: '<ConfirmSubscriptionResponse/>' });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [] });
    const confirmation = signed({ Type: 'SubscriptionConfirmation', MessageId: 'c', Token: 'abc', TopicArn: TOPIC, Message: 'm', SubscribeURL: subscribe, Timestamp: '2026-03-01T10:01:01.000Z' });
    // Act / Assess
    await expect(verifier.verify(notification())).rejects.toMatchObject({ code: 'SNS_TOPIC_NOT_ALLOWED', retryable: false });
    await expect(verifier.confirmSubscription(confirmation)).rejects.toMatchObject({ code: 'SNS_TOPIC_NOT_ALLOWED', retryable: false });
    expect(calls).toEqual([]);
  });

  it('when the certificate cannot be fetched, then the failure is retryable', async () => {
    // Prepare
    const verifier = createSnsVerifier({ fetch: fetcherServing({}).fetch, allowedTopicArns: [TOPIC] });
    // Act / Assess
    await expect(verifier.verify(notification())).rejects.toMatchObject({ code: 'SNS_CERT_UNAVAILABLE', retryable: true });
  });

  it('when two messages use the same certificate, then it is fetched once', async () => {
    // Prepare
    const { fetch, calls } = fetcherServing({ [CERT_URL]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    // Act
    await verifier.verify(notification());
    await verifier.verify(notification({ MessageId: 'other' }));
    // Assess
    expect(calls).toEqual([CERT_URL]);
  });

  it('when a subscription confirmation verifies, then SubscribeURL is fetched', async () => {
    // Prepare
    const subscribe = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=abc';
    const { fetch, calls } = fetcherServing({ [CERT_URL]: CERT, [subscribe]: '<ConfirmSubscriptionResponse/>' });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    const envelope = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'c',
      Token: 'abc',
      TopicArn: TOPIC,
      Message: 'You have chosen to subscribe…',
      SubscribeURL: subscribe,
      Timestamp: '2026-03-01T10:01:01.000Z',
    });
    // Act
    await verifier.confirmSubscription(envelope);
    // Assess
    expect(calls).toEqual([CERT_URL, subscribe]);
  });

  it('when SubscribeURL points elsewhere, then the confirmation is refused and nothing is fetched there', async () => {
    // Prepare
    const subscribe = 'https://169.254.169.254/latest/meta-data/';
    const { fetch, calls } = fetcherServing({ [CERT_URL]: CERT });
    const verifier = createSnsVerifier({ fetch, allowedTopicArns: [TOPIC] });
    const envelope = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'c',
      Token: 'abc',
      TopicArn: TOPIC,
      Message: 'm',
      SubscribeURL: subscribe,
      Timestamp: '2026-03-01T10:01:01.000Z',
    });
    // Act / Assess
    await expect(verifier.confirmSubscription(envelope)).rejects.toMatchObject({ code: 'SNS_URL_REJECTED' });
    expect(calls).not.toContain(subscribe);
  });
});

describe('checkSnsUrl', () => {
  it('when the URL is the regional SNS endpoint over https, then it is accepted', () => {
    // Act
    const url = checkSnsUrl(CERT_URL, 'us-east-1', 'SigningCertURL', { pem: true });
    // Assess
    expect(url.hostname).toBe('sns.us-east-1.amazonaws.com');
  });
});
