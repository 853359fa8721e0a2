import type { AwsContext, SecretReader } from '../../aws/index.js';
import type { Config } from '../../config/index.js';
import type { Clock, Logger } from '../../core/index.js';
import type { ClaimStore } from '../../store/index.js';
import { createRateLimiter } from '../rate-limit.js';
import { type Authenticator, type AuthenticatorDeps, createAuthenticator } from './authenticator.js';
import { hmacKeyRingFromConfig } from './hmac-keys.js';

export interface ApiAuthenticatorDeps {
  readonly config: Pick<Config, 'api'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: Pick<ClaimStore, 'spendNonce'>;
  /** Reads the HMAC key secret (`PATCHBRIDGE_API_HMAC_SECRET_ID`). */
  readonly secrets?: SecretReader;
  /** patchbridge's own account and region, where the secret lives (`awsClients.defaultContext()`). */
  readonly home?: AwsContext;
  /** Console sessions (standalone), a third way in besides JWTs and HMAC signatures. */
  readonly sessions?: AuthenticatorDeps['sessions'];
}

/**
 * The authenticator `config.api` describes: JWTs from the configured issuer,
 * HMAC keys from configuration and/or Secrets Manager, and the per-client rate
 * limit. One per process (it holds the JWKS cache and the rate-limit buckets).
 */
export function createApiAuthenticator(deps: ApiAuthenticatorDeps): Authenticator {
  const { api } = deps.config;
  return createAuthenticator({
    clock: deps.clock,
    logger: deps.logger,
    store: deps.store,
    jwt: api.jwt,
    hmacKeys: hmacKeyRingFromConfig(api.hmac, { clock: deps.clock, ...(deps.secrets ? { secrets: deps.secrets } : {}), ...(deps.home ? { context: deps.home } : {}) }),
    rateLimiter: createRateLimiter({ perMinute: api.rateLimitPerMinute, clock: deps.clock }),
    sessions: deps.sessions,
  });
}
