import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import * as client from 'openid-client';
import type { Clock, Logger } from '../core/index.js';
import type { ConsoleSessions } from './sessions.js';

export interface ConsoleOidcOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** Confidential clients authenticate at the token endpoint; public clients rely on PKCE alone. */
  readonly clientSecret?: string;
  /** Where the issuer sends the browser back: `PUBLIC_URL/console/callback`. */
  readonly redirectUri: string;
  /** ID-token claim holding the user's roles or groups (`roles`, `groups`). */
  readonly rolesClaim: string;
  /** The value of that claim that makes an operator; everyone else signed in is a viewer. */
  readonly operatorRole: string;
  readonly sessions: ConsoleSessions;
  readonly clock: Clock;
  readonly logger: Logger;
}

const PENDING_MS = 10 * 60_000;

/** Whether an ID token's roles claim (a list or a space/comma-separated string) names `role`. */
export function claimHasRole(value: unknown, role: string): boolean {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return list.some((v) => v === role);
}

/**
 * OpenID Connect sign-in for the console: authorization code with PKCE (S256),
 * `state` and `nonce` held server-side for ten minutes, the ID token checked by
 * `openid-client`; the session role comes from the roles claim. `/login` starts it,
 * `/callback` finishes it.
 */
export function consoleOidc(options: ConsoleOidcOptions): Router {
  const router = Router();
  const pending = new Map<string, { verifier: string; nonce: string; expires: number }>();
  let config: Promise<client.Configuration> | undefined;
  const issuerUrl = new URL(options.issuer);
  const plainLoopback = issuerUrl.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname);
  const configuration = () =>
    (config ??= client
      .discovery(
        issuerUrl,
        options.clientId,
        options.clientSecret,
        options.clientSecret ? client.ClientSecretPost(options.clientSecret) : client.None(),
        // http:// only for an issuer on this machine (tests, a local IdP); anything else must be https.
        plainLoopback ? { execute: [client.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        config = undefined;
        throw err;
      }));

  router.get('/login', async (_req: Request, res: Response) => {
    try {
      const now = options.clock.now().getTime();
      for (const [k, v] of pending) if (v.expires <= now) pending.delete(k);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = randomBytes(16).toString('base64url');
      pending.set(state, { verifier, nonce, expires: now + PENDING_MS });
      const url = client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: options.redirectUri,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      res.redirect(302, url.href);
    } catch (err) {
      options.logger.warn({ err }, 'console sign-in could not start');
      res.status(502).type('text/plain').send('The identity provider cannot be reached; try again later.\n');
    }
  });

  router.get('/callback', async (req: Request, res: Response) => {
    const state = typeof req.query['state'] === 'string' ? req.query['state'] : '';
    const entry = pending.get(state);
    pending.delete(state);
    if (!entry || entry.expires <= options.clock.now().getTime()) {
      res.status(400).type('text/plain').send('This sign-in has expired or was not started here; open /console again.\n');
      return;
    }
    try {
      const current = new URL(req.originalUrl, options.redirectUri);
      const tokens = await client.authorizationCodeGrant(await configuration(), current, {
        pkceCodeVerifier: entry.verifier,
        expectedState: state,
        expectedNonce: entry.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      const user = typeof claims?.['preferred_username'] === 'string' ? claims['preferred_username'] : String(claims?.sub ?? 'unknown');
      const role = claimHasRole(claims?.[options.rolesClaim], options.operatorRole) ? 'operator' : 'viewer';
      options.sessions.start(res, user, role);
      options.logger.info({ user, role }, 'console sign-in');
      res.redirect(302, '/console/');
    } catch (err) {
      options.logger.warn({ err }, 'console sign-in refused');
      res.status(401).type('text/plain').send('Sign-in was refused.\n');
    }
  });
  return router;
}
