import { z } from 'zod';
import { type Clock, systemClock, ValidationError } from '../core/index.js';
import type { CredentialSource, ServiceNowCredentialsResolved } from './ports.js';

// Parsed from the secret's JSON, which has no `undefined`: present with a URL, or absent.
const instanceUrl = z.url({ protocol: /^https?$/ }).exactOptional();

const oauthSecret = z.object({
  instanceUrl,
  clientId: z.string().min(1).max(256),
  clientSecret: z.string().min(1).max(4096),
});
const basicSecret = z.object({
  instanceUrl,
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(4096),
});

/**
 * Parses the Secrets Manager secret (a JSON string or an already-parsed object)
 * into resolved credentials. OAuth wins when both shapes are present. The error
 * never includes the secret's content.
 */
export function parseServiceNowSecret(secret: unknown): ServiceNowCredentialsResolved {
  let value: unknown = secret;
  if (typeof secret === 'string') {
    try {
      value = JSON.parse(secret);
    } catch {
      throw new ValidationError('VALIDATION_FAILED', 'ServiceNow secret is not JSON');
    }
  }
  const oauth = oauthSecret.safeParse(value);
  if (oauth.success) return { kind: 'oauth', ...oauth.data };
  const basic = basicSecret.safeParse(value);
  if (basic.success) return { kind: 'basic', ...basic.data };
  throw new ValidationError(
    'VALIDATION_FAILED',
    'ServiceNow secret must be {instanceUrl, clientId, clientSecret} or {instanceUrl, username, password}',
  );
}

/** A fixed credential source (local config, tests). `refresh()` returns the same value. */
export function staticCredentials(credentials: ServiceNowCredentialsResolved): CredentialSource {
  const get = async () => credentials;
  return Object.assign(get, { refresh: get });
}

export interface CachedCredentialsOptions {
  /** Reads the raw secret (e.g. `GetSecretValue().SecretString`); parsed with `parseServiceNowSecret`. */
  readonly load: () => Promise<unknown>;
  /** How long a read is reused. Default 5 minutes. */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/**
 * Wraps a secret loader in a TTL cache with single-flight reads: concurrent
 * callers share one load. `refresh()` forces a new read (the client calls it
 * once after a 401, which is how a rotated secret is picked up).
 */
export function cachedCredentials(options: CachedCredentialsOptions): CredentialSource {
  const ttlMs = options.ttlMs ?? 300_000;
  const clock = options.clock ?? systemClock;
  let cached: { value: ServiceNowCredentialsResolved; until: number } | undefined;
  let inFlight: Promise<ServiceNowCredentialsResolved> | undefined;

  const read = (): Promise<ServiceNowCredentialsResolved> => {
    inFlight ??= (async () => {
      try {
        const value = parseServiceNowSecret(await options.load());
        cached = { value, until: clock.now().getTime() + ttlMs };
        return value;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const get = async () => (cached && cached.until > clock.now().getTime() ? cached.value : read());
  const refresh = () => {
    cached = undefined;
    return read();
  };
  return Object.assign(get, { refresh });
}
