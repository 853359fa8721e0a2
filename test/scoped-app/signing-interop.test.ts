import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/core/logger.js';
import { base64Utf8, type RequestToSign, signatureHeader } from '../../src/sim/servicenow/app/patchbridge-signing.gen.js';
import { ACCOUNT, createHarness, type Harness, HMAC_KEY, REGION } from '../api/harness.js';

// The scoped app's signing module (scoped-app/src/server/patchbridge-signing.ts),
// run in Node with GlideDigest and CertificateEncryption implemented on
// node:crypto as the platform documents them, against a running patchbridge API
// (HMAC auth, ServiceNow and AWS simulators behind it).

let h: Harness;
let server: RunningServer;

beforeAll(async () => {
  h = await createHarness();
  server = await startServer(h.app, { host: '127.0.0.1', port: 0, logger: silentLogger() });
}, 60_000);

afterAll(async () => {
  await server?.close(0);
  await h?.close();
});

const nonce = () => randomBytes(16).toString('hex');
const now = () => Math.floor(h.clock.now().getTime() / 1000);

function send(request: RequestToSign, signature: string, idempotencyKey = nonce()): Promise<Response> {
  return fetch(`${server.url}${request.pathWithQuery}`, {
    method: request.method,
    headers: {
      'content-type': 'application/json',
      'x-patchbridge-signature': signature,
      ...(request.method === 'POST' ? { 'idempotency-key': idempotencyKey } : {}),
    },
    ...(request.body === '' ? {} : { body: request.body }),
  });
}

function runRequest(): RequestToSign {
  const change = h.change();
  const body = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });
  return { method: 'POST', pathWithQuery: '/v1/patch-runs', body };
}

describe('the app signing module against a running patchbridge API', () => {
  it('reproduces the worked example of docs/api.md (Base64 MAC, as generateMac returns it)', () => {
    const body =
      '{"changeRequest":"CHG0030001","accountId":"111122223333","region":"eu-west-1","targets":{"patchGroups":["web-prod"]},"operation":"Install"}';
    const header = signatureHeader(
      { id: 'servicenow-2026-03', secret: 'example-secret-do-not-use-0123456789abcdef' },
      { method: 'POST', pathWithQuery: '/v1/patch-runs', body },
      1772359200,
      'q1Z3xG9vYb2mK7pR4tLw8A',
    );
    expect(header).toBe('keyId=servicenow-2026-03,ts=1772359200,nonce=q1Z3xG9vYb2mK7pR4tLw8A,sig=CMWwBUnexU3n+IVipLmlK2lfbAUKGyQVdB25ayp/KvI=');
  });

  it.each(['plain-ascii', 'clé-ünïcødé-秘密', '🔑'.repeat(20)])('encodes the secret to Base64 over UTF-8 like the platform (%s)', (secret) => {
    expect(base64Utf8(secret)).toBe(Buffer.from(secret, 'utf8').toString('base64'));
  });

  it('when it signs a patch-run request, then patchbridge accepts it and the runbook starts in SSM', async () => {
    const request = runRequest();
    const before = h.aws.count('StartAutomationExecution');

    const res = await send(request, signatureHeader(HMAC_KEY, request, now(), nonce()));

    expect(res.status).toBe(202);
    const run = (await res.json()) as { executionId: string };
    expect(h.aws.count('StartAutomationExecution')).toBe(before + 1);
    expect(h.aws.state(ACCOUNT, REGION).automations.get(run.executionId)?.documentName).toBe('patchbridge-AdHocPatch');
  });

  it('when it signs a GET with a query, then patchbridge accepts it', async () => {
    const request: RequestToSign = { method: 'GET', pathWithQuery: '/v1/patch-runs?limit=5', body: '' };
    const res = await send(request, signatureHeader(HMAC_KEY, request, now(), nonce()));
    expect(res.status).toBe(200);
  });

  it.each([
    { name: 'one byte of the body', sent: (r: RequestToSign) => ({ ...r, body: r.body.replace('web-prod', 'web-proe') }), signed: (r: RequestToSign) => r, skew: 0 },
    { name: 'one byte of the path', sent: (r: RequestToSign) => r, signed: (r: RequestToSign) => ({ ...r, pathWithQuery: '/v1/patch-runz' }), skew: 0 },
    { name: 'the method', sent: (r: RequestToSign) => r, signed: (r: RequestToSign) => ({ ...r, method: 'PUT' }), skew: 0 },
    { name: 'the time by one second', sent: (r: RequestToSign) => r, signed: (r: RequestToSign) => r, skew: 1 },
  ])('when $name differs between what was signed and what is sent, then patchbridge refuses it with 401 and nothing starts', async ({ sent, signed, skew }) => {
    const request = runRequest();
    const header = signatureHeader(HMAC_KEY, signed(request), now(), nonce()).replace(/ts=(\d+)/, (_, t: string) => `ts=${Number(t) + skew}`);
    const before = h.aws.count('StartAutomationExecution');

    const res = await send(sent(request), header);

    expect(res.status).toBe(401);
    expect(h.aws.count('StartAutomationExecution')).toBe(before);
  });
});
