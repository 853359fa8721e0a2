import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import express, { Router } from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, ManualClock, silentLogger } from '../../core/index.js';
import { createApp } from '../app.js';
import { createSpecValidator } from '../validation/index.js';
import { startServer, type RunningServer } from '../server.js';
import { createRateLimiter } from '../rate-limit.js';
import type { SecretReader } from '../../aws/index.js';
import { createAuthenticator, principalOf, type AuthenticatorDeps } from './authenticator.js';
import { signRequest } from './hmac.js';
import { combinedHmacKeys, secretsManagerHmacKeys, staticHmacKeys } from './hmac-keys.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'patchbridge';
const KEY = { id: 'sn-1', secret: 's'.repeat(40) };
const T0 = Date.parse('2026-03-01T10:00:00Z');

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let keys: KeyPair;
let strangerKeys: KeyPair;
let jwks: RunningServer;

beforeAll(async () => {
  keys = await generateKeyPair('ES256');
  strangerKeys = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const app = express();
  app.get('/jwks.json', (_req, res) => {
    res.json({ keys: [jwk] });
  });
  jwks = await startServer(app, { host: '127.0.0.1', port: 0, logger: silentLogger() });
});
afterAll(async () => {
  await jwks.close(0);
});

function fakeNonceStore() {
  const seen = new Set<string>();
  return { spendNonce: async (nonce: string) => !seen.has(nonce) && Boolean(seen.add(nonce)), seen };
}

/** The two ways a store answers `spendNonce`: at once (SQLite) or with a promise (DynamoDB). */
const NONCE_STORE_FORMS = [
  ['at once, as SQLite does', (spend: (nonce: string) => boolean) => ({ spendNonce: (nonce: string) => spend(nonce) })],
  ['with a promise, as DynamoDB does', (spend: (nonce: string) => boolean) => ({ spendNonce: async (nonce: string) => spend(nonce) })],
] as const;

const read = ['patch-runs:read'];
const write = ['patch-runs:write'];
/** A spec with two operations: the authenticator requires the scopes their `security` names. */
const THINGS = createSpecValidator({
  openapi: '3.1.0',
  paths: {
    '/v1/things': {
      get: { operationId: 'getThings', security: [{ oauth2: read }, { hmac: read }], parameters: [{ name: 'a', in: 'query', schema: { type: 'string' } }], responses: {} },
      post: { operationId: 'postThings', security: [{ oauth2: write }, { hmac: write }], requestBody: { content: { 'application/json': { schema: {} } } }, responses: {} },
    },
  },
});

function appWith(overrides: Partial<AuthenticatorDeps> = {}) {
  const clock = overrides.clock instanceof ManualClock ? overrides.clock : new ManualClock(T0);
  const auth = createAuthenticator({
    clock,
    logger: silentLogger(),
    store: fakeNonceStore(),
    jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${jwks.url}/jwks.json` },
    hmacKeys: staticHmacKeys([KEY]),
    ...overrides,
  });
  const router = Router();
  router.get('/v1/things', auth.authorize, (_req, res) => {
    res.json({ clientId: principalOf(res).clientId, scheme: principalOf(res).scheme });
  });
  router.post('/v1/things', auth.authorize, (req, res) => {
    res.json({ echoed: req.body, clientId: principalOf(res).clientId });
  });
  const app = createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, validation: THINGS.middleware, features: [router] });
  return { app, clock };
}

async function token(claims: Record<string, unknown> = {}, options: { key?: KeyPair; exp?: number; kid?: string } = {}) {
  return new SignJWT({ scope: 'patch-runs:read patch-runs:write', client_id: 'servicenow-prod', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
    .setIssuer(typeof claims['iss'] === 'string' ? claims['iss'] : ISSUER)
    .setAudience(typeof claims['aud'] === 'string' ? claims['aud'] : AUDIENCE)
    .setIssuedAt(Math.floor(T0 / 1000))
    .setExpirationTime(options.exp ?? Math.floor(T0 / 1000) + 300)
    .sign((options.key ?? keys).privateKey);
}

function sign(method: string, path: string, body: string, options: { ts?: number; nonce?: string; key?: { id: string; secret: string } } = {}) {
  return signRequest(options.key ?? KEY, { method, pathWithQuery: path, body }, {
    ts: options.ts ?? Math.floor(T0 / 1000),
    nonce: options.nonce ?? randomBytes(12).toString('base64url'),
  });
}

describe('JWT bearer tokens', () => {
  it('when a token from the issuer carries the scope, then the request passes as that client', async () => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ clientId: 'servicenow-prod', scheme: 'jwt' });
  });

  it('when the scope is carried as an scp array, then it counts', async () => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await token({ scope: undefined, scp: ['patch-runs:read'] })}`);
    expect(res.status).toBe(200);
  });

  it('when the token lacks the route scope, then 403 FORBIDDEN', async () => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await token({ scope: 'gates:write compliance:read' })}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it.each([
    ['the wrong audience', () => token({ aud: 'someone-else' })],
    ['the wrong issuer', () => token({ iss: 'https://evil.test' })],
    ['an expired token', () => token({}, { exp: Math.floor(T0 / 1000) - 120 })],
    ['a signature by a key not in the JWKS', () => token({}, { key: strangerKeys, kid: 'k1' })],
    ['an unknown kid', () => token({}, { kid: 'k9' })],
    ['no client id claim', () => token({ client_id: undefined, sub: undefined })],
    [
      'an HS256 token',
      () =>
        new SignJWT({ scope: 'patch-runs:read', client_id: 'x' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime(Math.floor(T0 / 1000) + 300)
          .sign(new TextEncoder().encode('k'.repeat(32))),
    ],
    ['a malformed token', async () => 'not-a-jwt'],
  ])('when the request carries %s, then 401 UNAUTHORIZED with the generic message', async (_name, make) => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', detail: 'The request could not be authenticated.' });
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('when the JWKS cannot be fetched, then 503 AUTH_UNAVAILABLE, not 401', async () => {
    const { app } = appWith({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${jwks.url}/missing.json` } });
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('AUTH_UNAVAILABLE');
  });

  it('when JWT is not configured, then a bearer token is refused with 401', async () => {
    const { app } = appWith({ jwt: undefined });
    const res = await request(app).get('/v1/things').set('authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(401);
  });
});

describe('HMAC signatures', () => {
  const body = JSON.stringify({ changeRequest: 'CHG0000001', n: 1 });

  it('when a GET and a POST are signed with a configured key, then both pass as the key client', async () => {
    const { app } = appWith();
    const get = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    const post = await request(app)
      .post('/v1/things')
      .set('content-type', 'application/json')
      .set('x-patchbridge-signature', sign('POST', '/v1/things', body))
      .send(body);
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ clientId: 'sn-1', scheme: 'hmac' });
    expect(post.status).toBe(200);
    expect(post.body.echoed).toEqual(JSON.parse(body));
  });

  it('when the query string is signed, then it is part of what is checked', async () => {
    const { app } = appWith();
    const ok = await request(app).get('/v1/things?a=1').set('x-patchbridge-signature', sign('GET', '/v1/things?a=1', ''));
    const moved = await request(app).get('/v1/things?a=2').set('x-patchbridge-signature', sign('GET', '/v1/things?a=1', ''));
    expect(ok.status).toBe(200);
    expect(moved.status).toBe(401);
  });

  it('when the MAC is sent in Base64, as ServiceNow produces it, then the request passes', async () => {
    const { app } = appWith();
    const header = sign('GET', '/v1/things', '').replace(/sig=([0-9a-f]{64})$/, (_m, hex: string) => `sig=${Buffer.from(hex, 'hex').toString('base64')}`);
    const res = await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    expect(header).toMatch(/=$/);
    expect(res.status).toBe(200);
  });

  it('when the body is tampered with after signing, then 401', async () => {
    const { app } = appWith();
    const res = await request(app)
      .post('/v1/things')
      .set('content-type', 'application/json')
      .set('x-patchbridge-signature', sign('POST', '/v1/things', body))
      .send(body.replace('CHG0000001', 'CHG0000002'));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['301 s old', -301, 401],
    ['300 s old', -300, 200],
    ['300 s ahead', 300, 200],
    ['301 s ahead', 301, 401],
  ])('when the timestamp is %s, then %i', async (_name, offset, status) => {
    const { app } = appWith();
    const res = await request(app)
      .get('/v1/things')
      .set('x-patchbridge-signature', sign('GET', '/v1/things', '', { ts: Math.floor(T0 / 1000) + offset }));
    expect(res.status).toBe(status);
  });

  it('when a nonce is replayed with an otherwise valid signature, then the second request is 401', async () => {
    const { app } = appWith();
    const header = sign('GET', '/v1/things', '', { nonce: 'fixed-nonce-0123456789' });
    const first = await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    const replay = await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
  });

  it.each(NONCE_STORE_FORMS)('when the nonce store answers %s, then a signed request passes once and its replay is 401', async (_form, storeOf) => {
    const seen = new Set<string>();
    const { app } = appWith({ store: storeOf((nonce) => !seen.has(nonce) && Boolean(seen.add(nonce))) });
    const header = sign('GET', '/v1/things', '', { nonce: 'fixed-nonce-0123456789' });
    const first = await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    const replay = await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    expect([first.status, replay.status]).toEqual([200, 401]);
    expect(first.body).toEqual({ clientId: 'sn-1', scheme: 'hmac' });
    expect([...seen]).toEqual(['sn-1:fixed-nonce-0123456789']);
  });

  it.each(NONCE_STORE_FORMS)('when the nonce store fails %s, then 503 AUTH_UNAVAILABLE with Retry-After, never a pass or a 500', async (_form, storeOf) => {
    const { app } = appWith({
      store: storeOf(() => {
        throw new Error('SQLITE_IOERR: disk I/O error');
      }),
    });
    const res = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('AUTH_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('when the signature is wrong, then the nonce is not spent', async () => {
    const store = fakeNonceStore();
    const { app } = appWith({ store });
    await request(app)
      .get('/v1/things')
      .set('x-patchbridge-signature', sign('GET', '/v1/things', '', { nonce: 'nonce-aaaaaaaaaaaaaa', key: { id: 'sn-1', secret: 'w'.repeat(40) } }));
    expect(store.seen.size).toBe(0);
  });

  it.each([
    ['an unknown key id', () => sign('GET', '/v1/things', '', { key: { id: 'nobody', secret: KEY.secret } })],
    ['a missing field', () => sign('GET', '/v1/things', '').replace(/,nonce=[^,]+/, '')],
    ['a repeated field', () => `${sign('GET', '/v1/things', '')},ts=1`],
    ['a non-hex signature', () => sign('GET', '/v1/things', '').replace(/sig=.*/, `sig=${'z'.repeat(64)}`)],
    ['garbage', () => 'hello'],
  ])('when the header has %s, then 401 with the same message as any other failure', async (_name, make) => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things').set('x-patchbridge-signature', make());
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The request could not be authenticated.');
  });

  it('when both a bearer token and a signature are sent, then 401', async () => {
    const { app } = appWith();
    const res = await request(app)
      .get('/v1/things')
      .set('authorization', `Bearer ${await token()}`)
      .set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    expect(res.status).toBe(401);
  });

  it('when no credentials are sent, then 401 with WWW-Authenticate', async () => {
    const { app } = appWith();
    const res = await request(app).get('/v1/things');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('PatchbridgeHmac');
  });
});

describe('HMAC keys from Secrets Manager', () => {
  const OLD = { id: 'sn-2026-01', secret: 'o'.repeat(40) };
  const NEW = { id: 'sn-2026-02', secret: 'n'.repeat(40) };

  function reader(initial: unknown) {
    const state = { value: initial, calls: 0, forced: 0, fail: false };
    let cached: unknown;
    // Models the adapter's cache: a new value is seen only on the first read or a forced one.
    const secrets: SecretReader = {
      getJson: async (_ctx, _id, options) => {
        state.calls += 1;
        if (options?.forceFetch) state.forced += 1;
        if (state.fail) throw new Error('Secrets Manager unreachable');
        if (cached === undefined || options?.forceFetch) cached = state.value;
        return cached;
      },
      getString: async () => JSON.stringify(state.value),
    };
    return { secrets, state };
  }

  it('when two keys are active during a rotation, then requests signed with either pass as the same client', async () => {
    const { secrets } = reader({ keys: [{ ...OLD, client: 'servicenow' }, { ...NEW, client: 'servicenow' }] });
    const clock = new ManualClock(T0);
    const ring = secretsManagerHmacKeys({ secrets, context: { accountId: '111111111111', region: 'eu-west-1' }, secretId: 'pb/hmac', clock });
    const { app } = appWith({ clock, hmacKeys: ring });
    const a = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: OLD }));
    const b = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: NEW }));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.clientId, b.body.clientId]).toEqual(['servicenow', 'servicenow']);
  });

  it('when an unknown key id arrives, then the secret is re-read at once but at most once per cooldown', async () => {
    const { secrets, state } = reader({ keys: [OLD] });
    const clock = new ManualClock(T0);
    const ring = secretsManagerHmacKeys({ secrets, context: { accountId: '111111111111', region: 'eu-west-1' }, secretId: 'pb/hmac', clock });
    expect(await ring.keysFor(NEW.id)).toHaveLength(0);
    expect(state.forced).toBe(1);
    state.value = { keys: [OLD, NEW] };
    expect(await ring.keysFor(NEW.id)).toHaveLength(0);
    expect(state.forced).toBe(1);
    await clock.advance(31_000);
    expect((await ring.keysFor(NEW.id)).map((k) => k.id)).toEqual([NEW.id]);
  });

  it('when configured keys and Secrets Manager keys are combined, then a request signed with either passes', async () => {
    const { secrets } = reader({ keys: [OLD] });
    const clock = new ManualClock(T0);
    const ring = combinedHmacKeys([staticHmacKeys([KEY]), secretsManagerHmacKeys({ secrets, context: { accountId: '111111111111', region: 'eu-west-1' }, secretId: 'x', clock })]);
    const { app } = appWith({ clock, hmacKeys: ring });
    const local = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    const managed = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: OLD }));
    const stranger = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: { id: OLD.id, secret: 'x'.repeat(40) } }));
    expect([local.status, managed.status, stranger.status]).toEqual([200, 200, 401]);
    expect(ring.keysFor(KEY.id)).toBeInstanceOf(Promise);
    expect(combinedHmacKeys([staticHmacKeys([KEY])]).keysFor(KEY.id)).toEqual([expect.objectContaining({ id: KEY.id })]);
  });

  it('when a key lists scopes, then only those are granted', async () => {
    const { secrets } = reader({ keys: [{ ...OLD, scopes: ['compliance:read'] }] });
    const clock = new ManualClock(T0);
    const ring = combinedHmacKeys([secretsManagerHmacKeys({ secrets, context: { accountId: '111111111111', region: 'eu-west-1' }, secretId: 'x', clock })]);
    const { app } = appWith({ clock, hmacKeys: ring });
    const res = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: OLD }));
    expect(res.status).toBe(403);
  });

  it.each([
    ['unreachable', (s: { fail: boolean; value: unknown }) => { s.fail = true; }],
    ['malformed', (s: { fail: boolean; value: unknown }) => { s.value = { keys: [{ id: 'a', secret: 'short' }] }; }],
  ])('when the secret is %s, then 503 AUTH_UNAVAILABLE', async (_name, breakIt) => {
    const { secrets, state } = reader({ keys: [OLD] });
    breakIt(state);
    const clock = new ManualClock(T0);
    const ring = secretsManagerHmacKeys({ secrets, context: { accountId: '111111111111', region: 'eu-west-1' }, secretId: 'pb/hmac', clock });
    const { app } = appWith({ clock, hmacKeys: ring });
    const res = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: OLD }));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('AUTH_UNAVAILABLE');
  });
});

describe('rate limiting', () => {
  it('when a client exceeds its budget, then 429 with Retry-After, and it recovers as time passes', async () => {
    const clock = new ManualClock(T0);
    const { app } = appWith({ clock, rateLimiter: createRateLimiter({ perMinute: 2, clock }) });
    const go = () => request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { ts: Math.floor(clock.now().getTime() / 1000) }));
    expect((await go()).status).toBe(200);
    expect((await go()).status).toBe(200);
    const limited = await go();
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('30');
    await clock.advance(30_000);
    expect((await go()).status).toBe(200);
  });

  it('when one client is limited, then another client is not', async () => {
    const clock = new ManualClock(T0);
    const other = { id: 'other', secret: 'q'.repeat(40) };
    const { app } = appWith({ clock, rateLimiter: createRateLimiter({ perMinute: 1, clock }), hmacKeys: staticHmacKeys([KEY, other]) });
    await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    const limited = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', ''));
    const fine = await request(app).get('/v1/things').set('x-patchbridge-signature', sign('GET', '/v1/things', '', { key: other }));
    expect([limited.status, fine.status]).toEqual([429, 200]);
  });
});

describe('secrets in logs', () => {
  it('when requests are refused or pass, then no token, signature or key reaches the log', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'trace', destination });
    const jwt = await token({ aud: 'wrong' });
    const auth = createAuthenticator({
      clock: new ManualClock(T0),
      logger,
      store: fakeNonceStore(),
      jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${jwks.url}/jwks.json` },
      hmacKeys: staticHmacKeys([KEY]),
    });
    const router = Router();
    router.get('/v1/things', auth.authorize, (_req, res) => void res.json({}));
    const app = createApp({ logger, operations: { checks: [], missing: () => [], openApi: {} }, validation: THINGS.middleware, features: [router] });
    const header = sign('GET', '/v1/things', '');
    await request(app).get('/v1/things').set('authorization', `Bearer ${jwt}`);
    await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    await request(app).get('/v1/things').set('x-patchbridge-signature', header);
    const log = lines.join('');
    expect(log).toContain('authentication refused');
    expect(log).not.toContain(jwt.split('.')[2]);
    expect(log).not.toContain(header.slice(header.indexOf('sig=') + 4));
    expect(log).not.toContain(KEY.secret);
  });
});
