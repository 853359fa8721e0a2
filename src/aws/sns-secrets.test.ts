import { verify, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/index.js';
import { type AwsSimHarness, createAwsSimHarness, type SnsNotificationEnvelope, snsStringToSign } from '../sim/aws/index.js';
import { snsSubject } from './sns-publisher.js';

let h: AwsSimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:monitoring';

describe('Publisher over the simulator', () => {
  it('when a message is published, then subscribers get a signed envelope with subject and typed attributes', async () => {
    // Prepare
    const envelopes: SnsNotificationEnvelope[] = [];
    h = await createAwsSimHarness({
      sim: { fleet: { size: 2, seed: 51 }, topics: [TOPIC], sinks: [{ kind: 'callback', fn: (k, p) => void (k === 'sns' && envelopes.push(p as SnsNotificationEnvelope)) }] },
    });
    // Act
    const { messageId } = await h.ports.publisher.publish(h.ctx, TOPIC, 'Patch failures\nin web-prod — 3 instances', '{"incident":1}', {
      eventType: 'incident',
      count: 3,
      groups: ['web-prod', 'db-prod'],
    });
    await h.sim.settle();
    // Assess
    expect(envelopes).toHaveLength(1);
    const env = envelopes[0]!;
    expect(env).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: TOPIC, Message: '{"incident":1}', SignatureVersion: '1' });
    expect(env.Subject).toBe('Patch failures in web-prod ? 3 instances');
    expect(env.MessageAttributes).toEqual({
      eventType: { Type: 'String', Value: 'incident' },
      count: { Type: 'Number', Value: '3' },
      groups: { Type: 'String.Array', Value: '["web-prod","db-prod"]' },
    });
    const cert = new X509Certificate(h.sim.signingCertPem);
    expect(verify('sha1', Buffer.from(snsStringToSign(env)), cert.publicKey, Buffer.from(env.Signature, 'base64'))).toBe(true);
  });

  it('when the message is over 256 KiB, then INVALID_INPUT and nothing is sent', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 52 }, topics: [TOPIC] } });

    const err = await h.ports.publisher.publish(h.ctx, TOPIC, 's', 'x'.repeat(262_145)).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(h.sim.count('Publish')).toBe(0);
  });

  it('when the topic does not exist, then NOT_FOUND', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 53 } } });

    const err = await h.ports.publisher.publish(h.ctx, TOPIC, 's', 'm').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
  });

  it.each([
    ['Line one\r\nline two', 'Line one line two'],
    ['ünïcode', '?n?code'],
    ['  padded  ', 'padded'],
    ['x'.repeat(150), 'x'.repeat(100)],
  ])('when the subject is %j, then SNS gets %j', (input, expected) => {
    expect(snsSubject(input)).toBe(expected);
  });
});

describe('SecretReader over the simulator', () => {
  const SECRET = { clientId: 'pb', clientSecret: 'very-secret-value-123' };

  it('when a secret is read twice within its TTL, then Secrets Manager is called once; after the TTL, again', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 54 }, secrets: { 'patchbridge/servicenow': SECRET } }, clock });

    const first = await h.ports.secrets.getJson(h.ctx, 'patchbridge/servicenow', { maxAgeSeconds: 60 });
    const second = await h.ports.secrets.getJson(h.ctx, 'patchbridge/servicenow', { maxAgeSeconds: 60 });
    const callsWithinTtl = h.sim.count('GetSecretValue');
    await clock.advance(61_000);
    await h.ports.secrets.getJson(h.ctx, 'patchbridge/servicenow', { maxAgeSeconds: 60 });

    expect(first).toEqual(SECRET);
    expect(second).toEqual(SECRET);
    expect(callsWithinTtl).toBe(1);
    expect(h.sim.count('GetSecretValue')).toBe(2);
  });

  it('when forceFetch is set or the value rotated, then the new value is read', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 55 }, secrets: { rotating: 'v1' } } });

    const before = await h.ports.secrets.getString(h.ctx, 'rotating');
    h.sim.putSecret('rotating', 'v2');
    const cached = await h.ports.secrets.getString(h.ctx, 'rotating');
    const forced = await h.ports.secrets.getString(h.ctx, 'rotating', { forceFetch: true });

    expect([before, cached, forced]).toEqual(['v1', 'v1', 'v2']);
  });

  it('when the secret is not JSON, then INVALID_INPUT whose message and cause do not contain the value', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 56 }, secrets: { plain: 'hunter2-not-json' } } });

    const err = await h.ports.secrets.getJson(h.ctx, 'plain').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String((err as Error).message)).not.toContain('hunter2');
    expect((err as Error).cause).toBeUndefined();
  });

  it('when the secret does not exist, then NOT_FOUND', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 2, seed: 57 } } });

    const err = await h.ports.secrets.getJson(h.ctx, 'missing').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'NOT_FOUND', awsErrorName: 'ResourceNotFoundException' });
  });
});
