import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { DEAD_LETTER_KIND, PARKED_UNTIL } from '../../src/flows/outbox/index.js';
import type { OutboxItem } from '../../src/store/index.js';
import { EVENTS_API_KEY, type Harness, PATCH_RESULTS_TOPIC, PRODUCTION_CERT_URL, REGION, shuffled } from './support/harness.js';
import { fromTopic, windowWith37Failures } from './support/scenario.js';

// Whole-fleet scenarios over both simulators: 4–15 s on a quiet 2-core machine, several times that when it is shared.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function deadLetters(h: Harness): Promise<OutboxItem[]> {
  // Parked items are never due; move to the parking date to read them back.
  h.clock.advance(Date.parse(PARKED_UNTIL) - h.clock.now().getTime() + 1_000);
  return h.store.lease({ limit: 100, leaseMs: 1_000, kind: DEAD_LETTER_KIND });
}

function post(h: Harness, body: string, headers: Record<string, string>) {
  return fetch(`${h.server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', ...headers }, body });
}

/** A logger whose warn-and-above JSON lines the test can read. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('deliveries that must be refused', () => {
  it('when a malformed SNS message and a forged one arrive amid the real stream, then both are refused and recorded and the 3 incidents still appear', async () => {
    // Prepare
    const { logger, lines } = capturedLogger();
    const { h } = await windowWith37Failures({ logger });
    open.push(h);
    const real = fromTopic(h.deliveries, PATCH_RESULTS_TOPIC)[0];
    const genuine = JSON.parse(real?.body ?? '{}') as Record<string, string>;
    // Forged: a failure report for an instance that never failed, under the genuine signature.
    const forged = { ...genuine, Message: genuine['Message']?.replace(/"status":"\w+"/, '"status":"Failed"').replace(/i-[0-9a-f]{17}/, 'i-0123456789abcdef0') };
    // Malformed but correctly signed: SNS vouches for the bytes, not for their meaning.
    const unsigned: Record<string, string> = { ...genuine, Message: '{"commandId":"not-a-uuid","instanceId":"i-1"}' };
    delete unsigned['Signature'];
    const malformed = { ...unsigned, Signature: h.aws.snsSigner.sign(unsigned as unknown as Parameters<typeof h.aws.snsSigner.sign>[0]) };

    // Act
    const forgedRes = await post(h, JSON.stringify(forged), { 'x-amz-sns-message-type': 'Notification' });
    const malformedRes = await post(h, JSON.stringify(malformed), { 'x-amz-sns-message-type': 'Notification' });
    const garbageRes = await post(h, '{"Type":"Notification",', { 'x-amz-sns-message-type': 'Notification' });
    const responses = await h.postAll(shuffled(h.deliveries, 3));
    await h.drain();

    // Assess
    expect(forgedRes.status).toBe(403);
    expect(await forgedRes.json()).toMatchObject({ code: 'SNS_SIGNATURE_INVALID' });
    expect(malformedRes.status).toBe(400);
    expect(await malformedRes.json()).toMatchObject({ code: 'INVALID_EVENT', detail: expect.stringContaining('commandId: a UUID') });
    expect(garbageRes.status).toBe(400);
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(h.incidents()).toHaveLength(3);
    // Recorded: every refusal is counted and logged, without the body.
    expect(h.flows.receiver.rejections()).toEqual({ SNS_SIGNATURE_INVALID: 1, INVALID_EVENT: 2 });
    const logged = lines.filter((l) => l['msg'] === 'delivery rejected');
    expect(logged.map((l) => [l['code'], l['authenticated']])).toEqual([
      ['SNS_SIGNATURE_INVALID', false],
      ['INVALID_EVENT', true],
      ['INVALID_EVENT', false],
    ]);
    expect(JSON.stringify(logged)).not.toContain('i-0123456789abcdef0');
    // Only the delivery whose signature verified is kept: unauthenticated callers cannot fill the store.
    const letters = (await deadLetters(h)).map((i) => i.payload as { source: string; error: { code: string }; payload: string });
    expect(letters.map((l) => l.error.code)).toEqual(['INVALID_EVENT']);
    expect(letters[0]?.payload).toContain('not-a-uuid');
  });

  it.each([
    ['an http certificate URL', `http://sns.${REGION}.amazonaws.com/cert.pem`],
    ['a certificate URL on another host', 'https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem'],
    ['the simulator URL itself', 'http://127.0.0.1:1/SimpleNotificationService-patchbridge-sim.pem'],
  ])('when a genuine message names %s, then it is refused as SNS_URL_REJECTED', async (_name, url) => {
    // Prepare
    const { h } = await windowWith37Failures();
    open.push(h);
    const genuine = JSON.parse(fromTopic(h.deliveries, PATCH_RESULTS_TOPIC)[0]?.body ?? '{}') as Record<string, string>;
    expect(genuine['SigningCertURL']).toBe(PRODUCTION_CERT_URL);
    // Act
    const res = await post(h, JSON.stringify({ ...genuine, SigningCertURL: url }), { 'x-amz-sns-message-type': 'Notification' });
    // Assess
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'SNS_URL_REJECTED' });
  });

  it.each([
    ['no credentials', {}],
    ['a wrong API key', { 'x-api-key': `${EVENTS_API_KEY}x` }],
    ['Basic auth when only an API key is configured', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
  ])('when an EventBridge call carries %s, then it is 401 and nothing is stored', async (_name, headers) => {
    // Prepare
    const { h } = await windowWith37Failures();
    open.push(h);
    const event = h.deliveries.find((d) => d.kind === 'eventbridge' && d.body.includes('"Failed"'));
    // Act
    const res = await fetch(`${h.server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: event?.body ?? '{}' });
    // Assess
    expect(res.status).toBe(401);
    expect(await h.store.outboxDepth()).toBe(0);
  });
});
