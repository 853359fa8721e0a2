import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from '../../core/index.js';
import { AuthError } from './errors.js';
import type { Principal } from './types.js';

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly clock: Clock;
  /** Accepted clock skew between the issuer and us. Default 30 s. */
  readonly clockToleranceSeconds?: number;
  /** How long fetched keys are trusted before a re-fetch. Default 10 min. */
  readonly jwksCacheMaxAgeMs?: number;
  /** Minimum gap between re-fetches triggered by an unknown `kid`. Default 30 s. */
  readonly jwksCooldownMs?: number;
  /** JWKS fetch timeout. Default 5 s. */
  readonly jwksTimeoutMs?: number;
}

// Asymmetric only: an HS256 token "signed" with a public key must never verify.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (array, or a string as Entra ID sends). */
export function scopesOf(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  const add = (value: unknown) => {
    const items: unknown[] = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const s of items) if (typeof s === 'string' && s) out.add(s);
  };
  add(payload['scope']);
  add(payload['scp']);
  return out;
}

/** The calling client: `client_id` (RFC 9068), else `azp`, else `sub`. */
function clientIdOf(payload: JWTPayload): string | undefined {
  for (const claim of ['client_id', 'azp', 'sub']) {
    const v = payload[claim];
    if (typeof v === 'string' && /^[\w.:@/-]{1,256}$/.test(v)) return v;
  }
  return undefined;
}

/**
 * Verifies OAuth 2.0 client-credentials access tokens against the issuer's JWKS
 * (fetched on first use and cached by jose). Signature, `iss`, `aud`, `exp`/`nbf`
 * failures are `AuthError('UNAUTHORIZED')`; an unreachable or broken JWKS is
 * `AuthError('AUTH_UNAVAILABLE')`.
 */
export function createJwtVerifier(options: JwtVerifierOptions): (token: string) => Promise<Principal> {
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        currentDate: options.clock.now(),
        clockTolerance: options.clockToleranceSeconds ?? 30,
      }));
    } catch (err) {
      throw classify(err);
    }
    const clientId = clientIdOf(payload);
    if (!clientId) throw new AuthError('UNAUTHORIZED', 'token names no client');
    return {
      clientId,
      scheme: 'jwt',
      scopes: scopesOf(payload),
      ...(typeof payload.jti === 'string' ? { credentialId: payload.jti.slice(0, 128) } : {}),
    };
  };
}

function classify(err: unknown): AuthError {
  // jose throws its generic JOSEError only for a JWKS response that is not 200 or not JSON.
  if (
    err instanceof joseErrors.JWKSTimeout ||
    err instanceof joseErrors.JWKSInvalid ||
    (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
  ) {
    return new AuthError('AUTH_UNAVAILABLE', `JWKS unusable: ${err.code}`, { cause: err });
  }
  if (err instanceof joseErrors.JOSEError) return new AuthError('UNAUTHORIZED', `token refused: ${err.code}`, { cause: err });
  // Anything else is the JWKS fetch failing (connection refused, non-200, bad JSON).
  return new AuthError('AUTH_UNAVAILABLE', 'JWKS could not be fetched', { cause: err });
}
