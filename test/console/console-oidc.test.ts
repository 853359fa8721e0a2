import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStandalone, startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/index.js';

const CLIENT_ID = 'patchbridge-console';
let idp: Server;
let issuer: string;
let running: RunningStandalone;
let dir: string;
/** Who the fake identity provider signs in next. */
let nextUser = { sub: 'u1', preferred_username: 'ops.alice', roles: ['patchbridge-operator'] as string[] };

/** A minimal OpenID provider: discovery, an authorize endpoint that signs the next user in, a PKCE-checking token endpoint, JWKS. */
async function startIdp(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; user: typeof nextUser }>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    });
  });
  app.get('/jwks', (_req, res) => res.json({ keys: [jwk] }));
  app.get('/authorize', (req, res) => {
    const q = req.query as Record<string, string>;
    if (q['code_challenge_method'] !== 'S256' || !q['code_challenge'] || q['client_id'] !== CLIENT_ID) return void res.status(400).send('bad request');
    const code = randomBytes(16).toString('hex');
    codes.set(code, { challenge: q['code_challenge'], nonce: q['nonce'] ?? '', redirectUri: q['redirect_uri'] ?? '', user: nextUser });
    res.redirect(302, `${q['redirect_uri']}?code=${code}&state=${encodeURIComponent(q['state'] ?? '')}`);
  });
  app.post('/token', async (req, res) => {
    const b = req.body as Record<string, string>;
    const entry = codes.get(b['code'] ?? '');
    codes.delete(b['code'] ?? '');
    const challenge = createHash('sha256').update(b['code_verifier'] ?? '').digest('base64url');
    if (!entry || entry.challenge !== challenge || entry.redirectUri !== b['redirect_uri']) return void res.status(400).json({ error: 'invalid_grant' });
    const idToken = await new SignJWT({ nonce: entry.nonce, preferred_username: entry.user.preferred_username, roles: entry.user.roles })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(CLIENT_ID)
      .setSubject(entry.user.sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    res.json({ access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  });
  idp = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  await startIdp();
  dir = mkdtempSync(path.join(tmpdir(), 'pb-console-oidc-'));
  running = await startStandalone(
    loadConfig({
      PATCHBRIDGE_PORT: '0',
      PATCHBRIDGE_DATA_DIR: dir,
      PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`,
      PATCHBRIDGE_BLOBS: `file:${dir}/blobs`,
      // Not a sandbox: ServiceNow is configured, so only an OpenID Connect sign-in opens the console.
      PATCHBRIDGE_SERVICENOW_URL: 'http://127.0.0.1:9',
      PATCHBRIDGE_SERVICENOW_USERNAME: 'u',
      PATCHBRIDGE_SERVICENOW_PASSWORD: 'p',
      PATCHBRIDGE_API_HMAC_KEYS: 'k1:0123456789abcdef0123456789abcdef',
      PATCHBRIDGE_CONSOLE_OIDC_ISSUER: issuer,
      PATCHBRIDGE_CONSOLE_OIDC_CLIENT_ID: CLIENT_ID,
    }),
    { logger: silentLogger() },
  );
});

afterAll(async () => {
  await running.close();
  await new Promise((resolve) => idp.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Follows the sign-in redirects by hand, as a browser would, and returns the session cookie. */
async function signIn(): Promise<string> {
  const first = await fetch(`${running.url}/console`, { redirect: 'manual' });
  expect(first.headers.get('location')).toBe('/console/login');
  const login = await fetch(`${running.url}/console/login`, { redirect: 'manual' });
  const authorize = new URL(login.headers.get('location') ?? '');
  expect(authorize.origin).toBe(issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const back = await fetch(authorize, { redirect: 'manual' });
  const callback = await fetch(back.headers.get('location') ?? '', { redirect: 'manual' });
  expect(callback.status).toBe(302);
  expect(callback.headers.get('location')).toBe('/console/');
  return (callback.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('console sign-in with OpenID Connect', () => {
  it.each([
    ['an operator', 400, ['patchbridge-operator']],
    ['a read-only user', 403, ['auditors']],
  ])('when %s signs in (authorization code + PKCE), then reads work and a write answers %i', async (_label, writeStatus, roles) => {
    nextUser = { sub: `u-${roles[0]}`, preferred_username: 'someone', roles };
    const cookie = await signIn();

    const page = await fetch(`${running.url}/console/`, { headers: { cookie } });
    const read = await fetch(`${running.url}/v1/patch-runs`, { headers: { cookie } });
    // An empty body: an operator gets past authorisation to validation (400), a viewer is refused (403).
    const write = await fetch(`${running.url}/v1/patch-runs`, { method: 'POST', headers: { cookie, 'x-patchbridge-console': '1', 'content-type': 'application/json', 'idempotency-key': `k-${roles[0]}` }, body: '{}' });

    expect(page.status).toBe(200);
    expect(read.status).toBe(200);
    expect(write.status).toBe(writeStatus);
  });

  it('when a callback arrives that this server did not start, then it is refused and no session is made', async () => {
    const res = await fetch(`${running.url}/console/callback?code=forged&state=not-ours`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('when nobody has signed in, then the API refuses a console request', async () => {
    expect((await fetch(`${running.url}/v1/patch-runs`)).status).toBe(401);
  });
});
