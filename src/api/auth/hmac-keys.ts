import { z } from 'zod';
import type { AwsContext, SecretReader } from '../../aws/index.js';
import type { HmacKey } from '../../config/index.js';
import { type Awaitable, type Clock, isPromise } from '../../core/index.js';
import { AuthError } from './errors.js';
import { type ResolvedHmacKey, SCOPES } from './types.js';

/** Where HMAC keys come from. Several keys may share an id during a rotation. */
export interface HmacKeyRing {
  /**
   * Every active key with this id (usually one; two while a key id is re-keyed):
   * at once from configuration, with a promise from Secrets Manager.
   */
  keysFor(keyId: string): Awaitable<readonly ResolvedHmacKey[]>;
}

const ALL_SCOPES: ReadonlySet<string> = new Set(SCOPES);

function resolve(key: { id: string; secret: string; client?: string; scopes?: readonly string[] }): ResolvedHmacKey {
  return { id: key.id, secret: key.secret, clientId: key.client ?? key.id, scopes: key.scopes ? new Set(key.scopes) : ALL_SCOPES };
}

/** Keys from configuration (`PATCHBRIDGE_API_HMAC_KEYS`): each key's client is its id, with every scope. */
export function staticHmacKeys(keys: readonly HmacKey[]): HmacKeyRing {
  const byId = new Map<string, ResolvedHmacKey[]>();
  for (const key of keys) byId.set(key.id, [...(byId.get(key.id) ?? []), resolve(key)]);
  const none: readonly ResolvedHmacKey[] = [];
  return { keysFor: (keyId) => byId.get(keyId) ?? none };
}

/**
 * The Secrets Manager secret's shape: `{"keys":[{"id","secret","client"?,"scopes"?}]}`.
 * Rotation = add the new key, move callers over, remove the old one; both are accepted meanwhile.
 */
export const hmacSecretSchema = z.object({
  keys: z
    .array(
      z.object({
        id: z.string().regex(/^[\w.-]{1,64}$/),
        secret: z.string().min(32),
        // A JSON secret has no `undefined`: a key is present with a value or absent.
        client: z.string().regex(/^[\w.:@-]{1,128}$/).exactOptional(),
        scopes: z.array(z.enum(SCOPES)).exactOptional(),
      }),
    )
    .min(1)
    .max(10),
});

export interface SecretsManagerHmacKeysOptions {
  readonly secrets: SecretReader;
  /** The account and region that hold the secret (patchbridge's own). */
  readonly context: AwsContext;
  readonly secretId: string;
  readonly clock: Clock;
  /** How long a fetched key set is used before it is read again. Default 300 s. */
  readonly maxAgeSeconds?: number;
  /** An unknown key id forces a re-read at most this often, so a fresh key works at once. Default 30 s. */
  readonly refreshCooldownSeconds?: number;
}

/**
 * Keys read from Secrets Manager through the AWS secrets adapter, cached.
 * A failure to read them is `AuthError('AUTH_UNAVAILABLE')` (503), never a 401.
 */
export function secretsManagerHmacKeys(options: SecretsManagerHmacKeysOptions): HmacKeyRing {
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  const cooldownMs = (options.refreshCooldownSeconds ?? 30) * 1000;
  let lastForced = Number.NEGATIVE_INFINITY;

  async function load(forceFetch: boolean): Promise<readonly ResolvedHmacKey[]> {
    let raw: unknown;
    try {
      raw = await options.secrets.getJson(options.context, options.secretId, { maxAgeSeconds, forceFetch });
    } catch (err) {
      throw new AuthError('AUTH_UNAVAILABLE', 'HMAC key secret could not be read', { cause: err });
    }
    const parsed = hmacSecretSchema.safeParse(raw);
    // The zod issue list could quote a secret value, so it is not attached.
    if (!parsed.success) throw new AuthError('AUTH_UNAVAILABLE', 'HMAC key secret has the wrong shape');
    return parsed.data.keys.map((k) => resolve(k));
  }

  return {
    async keysFor(keyId) {
      const keys = (await load(false)).filter((k) => k.id === keyId);
      const now = options.clock.now().getTime();
      if (keys.length > 0 || now - lastForced < cooldownMs) return keys;
      lastForced = now;
      return (await load(true)).filter((k) => k.id === keyId);
    },
  };
}

/** Every key source at once (e.g. configured local keys plus Secrets Manager). */
export function combinedHmacKeys(rings: readonly HmacKeyRing[]): HmacKeyRing {
  return {
    keysFor(keyId) {
      const found = rings.map((r) => r.keysFor(keyId));
      const known: ResolvedHmacKey[] = [];
      for (const keys of found) {
        if (isPromise(keys)) return Promise.all(found).then((all) => all.flat());
        known.push(...keys);
      }
      return known;
    },
  };
}

/**
 * The key ring `config.api.hmac` describes: configured local keys, Secrets
 * Manager keys (when `secretId` is set and a reader is given), both, or none.
 */
export function hmacKeyRingFromConfig(
  hmac: { readonly secretId: string | undefined; readonly keys: readonly HmacKey[] },
  deps: { secrets?: SecretReader; context?: AwsContext; clock: Clock },
): HmacKeyRing | undefined {
  const rings: HmacKeyRing[] = [];
  if (hmac.keys.length > 0) rings.push(staticHmacKeys(hmac.keys));
  if (hmac.secretId && deps.secrets && deps.context) {
    rings.push(secretsManagerHmacKeys({ secrets: deps.secrets, context: deps.context, secretId: hmac.secretId, clock: deps.clock }));
  }
  if (rings.length === 0) return undefined;
  return rings.length === 1 ? rings[0] : combinedHmacKeys(rings);
}
