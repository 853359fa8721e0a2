import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Awaitable, type Clock, isPromise, type Logger } from '../../core/index.js';
import type { ClaimStore } from '../../store/index.js';
import { rawBody } from '../app.js';
import { completeValidation, operationOf, type SpecOperation } from '../validation/index.js';
import { HttpProblem } from '../problem.js';
import type { RateLimiter } from '../rate-limit.js';
import { AuthError, PUBLIC_MESSAGE } from './errors.js';
import { DEFAULT_TOLERANCE_SECONDS, parseSignatureHeader, SIGNATURE_HEADER, type SignatureParts, signatureBytes, signaturesEqual } from './hmac.js';
import type { HmacKeyRing } from './hmac-keys.js';
import { createJwtVerifier } from './jwt.js';
import type { Principal, ResolvedHmacKey } from './types.js';

export interface AuthenticatorDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Remembers HMAC nonces (`spendNonce`), in the store every instance shares. */
  readonly store: Pick<ClaimStore, 'spendNonce'>;
  /** OAuth issuer settings (`config.api.jwt`); without them bearer tokens are refused. */
  readonly jwt?: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string } | undefined;
  /** HMAC keys; without them signed requests are refused. */
  readonly hmacKeys?: HmacKeyRing | undefined;
  /** Applied per client after authentication; none = unlimited. */
  readonly rateLimiter?: RateLimiter | undefined;
  /**
   * The console's sessions: a request with neither scheme may carry a console
   * session cookie (see `src/console`); `undefined` when it carries none or an invalid one.
   */
  readonly sessions?: { principal(req: Request): Principal | undefined } | undefined;
  /** Allowed distance of an HMAC `ts` from now. Default 300 s. */
  readonly toleranceSeconds?: number;
}

export interface Authenticator {
  /**
   * Middleware that authenticates the request (JWT bearer or HMAC signature),
   * applies the per-client rate limit, then requires the scopes the OpenAPI
   * spec's `security` names for the operation the spec validator matched: the
   * spec is the one declaration of a route's scopes. Put it first on a route.
   * The principal is then available through `principalOf(res)`.
   * Refusals: 401 `UNAUTHORIZED`, 403 `FORBIDDEN`, 429 `RATE_LIMITED` (with
   * `Retry-After`), 503 `AUTH_UNAVAILABLE`, all `application/problem+json`.
   * On a request no scoped spec operation matched it fails (500): a wiring bug.
   */
  readonly authorize: RequestHandler;
  /** Authenticates without a scope check or rate limit (for callers composing their own). */
  authenticate(req: Request): Promise<Principal>;
}

const PRINCIPAL = 'principal';
const WWW_AUTHENTICATE = 'Bearer realm="patchbridge", PatchbridgeHmac realm="patchbridge"';
// A dummy key keeps the work for an unknown key id the same as for a known one.
const DUMMY_KEY: ResolvedHmacKey = { id: '', secret: 'x'.repeat(32), clientId: '', scopes: new Set() };

function isPrincipal(p: unknown): p is Principal {
  return typeof p === 'object' && p !== null && 'clientId' in p && typeof p.clientId === 'string' && 'scopes' in p && p.scopes instanceof Set;
}

function nonceStoreUnavailable(err: unknown): AuthError {
  return new AuthError('AUTH_UNAVAILABLE', 'nonce store unavailable', { cause: err });
}

/** The signer, when its nonce was fresh; a replay is refused. */
function onceOnly(fresh: boolean, principal: Principal): Principal {
  if (!fresh) throw new AuthError('UNAUTHORIZED', 'nonce replayed');
  return principal;
}

/** The authenticated caller of this request; throws if no auth middleware ran (a wiring bug). */
export function principalOf(res: Response): Principal {
  const p: unknown = res.locals[PRINCIPAL];
  if (!isPrincipal(p)) throw new Error('principalOf: no authenticated principal on this request');
  return p;
}

/**
 * Builds the API's authenticator. One instance per app: it holds the JWKS cache
 * and the rate-limit buckets. See `docs/api.md` for both schemes.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const verifyJwt = deps.jwt ? createJwtVerifier({ ...deps.jwt, clock: deps.clock }) : undefined;
  const tolerance = deps.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // A nonce must outlive every timestamp that could still be accepted with it, with room for the clocks of the
  // instances sharing the store to disagree by as much again.
  const nonceKeptSeconds = tolerance * 2;

  /**
   * Checks the signature, then spends its nonce. Goes on in the same turn while
   * its sources answer at once (keys from configuration, SQLite), as most do:
   * no promise per step.
   */
  function verifyHmac(req: Request, header: string, ring: HmacKeyRing): Awaitable<Principal> {
    const parts = parseSignatureHeader(header);
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    if (Math.abs(nowSeconds - parts.ts) > tolerance) throw new AuthError('UNAUTHORIZED', 'signature timestamp outside tolerance');
    const keys = ring.keysFor(parts.keyId);
    return isPromise(keys) ? keys.then((found) => verifySigned(req, parts, found)) : verifySigned(req, parts, keys);
  }

  function verifySigned(req: Request, parts: SignatureParts, keys: readonly ResolvedHmacKey[]): Awaitable<Principal> {
    const signed = { method: req.method, pathWithQuery: req.originalUrl, body: rawBody(req) };
    let match: ResolvedHmacKey | undefined;
    for (const key of keys.length > 0 ? keys : [DUMMY_KEY]) {
      const ok = signaturesEqual(signatureBytes(key.secret, signed, parts.ts, parts.nonce), parts.sig);
      if (ok && key !== DUMMY_KEY) match ??= key;
    }
    if (!match) throw new AuthError('UNAUTHORIZED', keys.length > 0 ? 'signature mismatch' : 'unknown key id');
    const principal: Principal = { clientId: match.clientId, scheme: 'hmac', scopes: match.scopes, credentialId: match.id };
    let fresh: Awaitable<boolean>;
    try {
      // Spent with the timestamp it was signed with, which a replay must repeat, and which fixes when it may be forgotten.
      fresh = deps.store.spendNonce(`${parts.keyId}:${parts.nonce}`, parts.ts + nonceKeptSeconds);
    } catch (err) {
      throw nonceStoreUnavailable(err);
    }
    return isPromise(fresh)
      ? fresh.then(
          (spent) => onceOnly(spent, principal),
          (err: unknown) => {
            throw nonceStoreUnavailable(err);
          },
        )
      : onceOnly(fresh, principal);
  }

  /** `authenticate`, answered at once when every source it asks does. */
  function authenticateNow(req: Request): Awaitable<Principal> {
    const authorization = req.get('authorization');
    const signature = req.get(SIGNATURE_HEADER);
    if (authorization !== undefined && signature !== undefined) throw new AuthError('UNAUTHORIZED', 'both schemes presented');
    if (authorization !== undefined) {
      const m = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization.trim());
      if (!m?.[1] || !verifyJwt) throw new AuthError('UNAUTHORIZED', verifyJwt ? 'malformed bearer token' : 'JWT not configured');
      return verifyJwt(m[1]);
    }
    if (signature !== undefined) {
      if (!deps.hmacKeys) throw new AuthError('UNAUTHORIZED', 'HMAC not configured');
      return verifyHmac(req, signature, deps.hmacKeys);
    }
    const session = deps.sessions?.principal(req);
    if (session) return session;
    throw new AuthError('UNAUTHORIZED', 'no credentials');
  }

  function toHttp(err: AuthError): HttpProblem {
    if (err.code === 'UNAUTHORIZED') {
      return new HttpProblem(401, err.code, PUBLIC_MESSAGE.UNAUTHORIZED, { cause: err, headers: { 'www-authenticate': WWW_AUTHENTICATE } });
    }
    if (err.code === 'FORBIDDEN') return new HttpProblem(403, err.code, PUBLIC_MESSAGE.FORBIDDEN, { cause: err });
    return new HttpProblem(503, err.code, PUBLIC_MESSAGE.AUTH_UNAVAILABLE, { cause: err, headers: { 'retry-after': '5' } });
  }

  /** What a failure becomes: an `AuthError` is logged and answered as its problem; anything else passes as it is. */
  function refusal(err: unknown, req: Request, operation: SpecOperation, principal: Principal | undefined): unknown {
    if (!(err instanceof AuthError)) return err;
    const who = principal ? { clientId: principal.clientId, scheme: principal.scheme } : {};
    deps.logger.info({ ...who, reason: err.reason, code: err.code, operationId: operation.operationId, path: req.path }, 'authentication refused');
    return toHttp(err);
  }

  /** Lets an authenticated caller on: the rate limit (for a caller new to this request), its scopes, then the schema. */
  function admit(req: Request, res: Response, next: NextFunction, operation: SpecOperation, principal: Principal, fresh: boolean): void {
    try {
      if (fresh) {
        res.locals[PRINCIPAL] = principal;
        const decision = deps.rateLimiter?.take(principal.clientId);
        if (decision) res.setHeader('ratelimit-limit', String(decision.limit));
        if (decision && !decision.allowed) {
          throw new HttpProblem(429, 'RATE_LIMITED', 'Too many requests for this client; retry later.', {
            headers: { 'retry-after': String(decision.retryAfterSeconds), 'ratelimit-remaining': '0' },
          });
        }
        if (decision) res.setHeader('ratelimit-remaining', String(decision.remaining));
      }
      const held = principal.scopes;
      if (!operation.scopes.every((scope) => held.has(scope))) {
        throw new AuthError('FORBIDDEN', `missing scope ${operation.scopes.filter((scope) => !held.has(scope)).join(' ')}`);
      }
      // Size was checked by the body parser, the caller just now; the schema comes last.
      completeValidation(res);
    } catch (err) {
      throw refusal(err, req, operation, principal);
    }
    next();
  }

  return {
    authenticate: async (req) => authenticateNow(req),
    // Not an async function: a request whose credentials are checked at once goes on in the same turn (express 5
    // passes a thrown error, or the rejection of a returned promise, to the error handler).
    authorize: (req, res, next) => {
      const operation = operationOf(res);
      if (!operation || operation.scopes.length === 0) {
        throw new Error(`authorize: ${req.method} ${req.path} matched no spec operation with scopes (is the spec validator mounted?)`);
      }
      const existing: unknown = res.locals[PRINCIPAL];
      if (isPrincipal(existing)) return admit(req, res, next, operation, existing, false);
      let principal: Awaitable<Principal>;
      try {
        principal = authenticateNow(req);
      } catch (err) {
        throw refusal(err, req, operation, undefined);
      }
      if (!isPromise(principal)) return admit(req, res, next, operation, principal, true);
      return principal.then(
        (known) => admit(req, res, next, operation, known, true),
        (err: unknown) => {
          throw refusal(err, req, operation, undefined);
        },
      );
    },
  };
}
