import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Clock, Logger } from '../core/index.js';
import { awsCall } from './call.js';
import type { AwsClients } from './client-factory.js';
import { AwsError } from './errors.js';
import type { AwsContext, SecretReader } from './ports.js';

export interface SecretReaderOptions {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default cache lifetime; 300 s unless a call says otherwise. */
  readonly defaultMaxAgeSeconds?: number | undefined;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Builds the `SecretReader` port over Secrets Manager `GetSecretValue`, with a TTL
 * cache. (Powertools Parameters caches the same way but reads `Date.now()`; this one
 * takes the injected clock, and shares one in-flight fetch among concurrent callers.)
 * Secret values never reach a log line or an error message.
 */
export function createSecretReader(options: SecretReaderOptions): SecretReader {
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();
  const defaultMaxAge = options.defaultMaxAgeSeconds ?? 300;

  const fetch = async (ctx: AwsContext, secretId: string): Promise<string> => {
    const out = await awsCall(ctx, 'SecretsManager.GetSecretValue', () =>
      options.clients.secretsManager(ctx).send(new GetSecretValueCommand({ SecretId: secretId })),
    );
    if (out.SecretString === undefined) {
      throw new AwsError('INVALID_INPUT', `secret ${secretId} has no SecretString (binary secrets are not supported)`, {
        operation: 'SecretsManager.GetSecretValue',
        accountId: ctx.accountId,
        region: ctx.region,
      });
    }
    options.logger.debug({ secretId, versionId: out.VersionId }, 'secret fetched');
    return out.SecretString;
  };

  const getString = async (
    ctx: AwsContext,
    secretId: string,
    opts: { maxAgeSeconds?: number; forceFetch?: boolean } = {},
  ): Promise<string> => {
    const key = `${ctx.accountId}|${ctx.region}|${secretId}`;
    const now = options.clock.now().getTime();
    const hit = cache.get(key);
    if (!opts.forceFetch && hit && hit.expiresAt > now) return hit.value;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetch(ctx, secretId).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const value = await pending;
    const maxAge = opts.maxAgeSeconds ?? defaultMaxAge;
    if (maxAge > 0) cache.set(key, { value, expiresAt: options.clock.now().getTime() + maxAge * 1000 });
    else cache.delete(key);
    return value;
  };

  const getJson = async (ctx: AwsContext, secretId: string, opts: { maxAgeSeconds?: number; forceFetch?: boolean } = {}) => {
    const raw = await getString(ctx, secretId, opts);
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // No cause on purpose: V8's SyntaxError message quotes the input, i.e. the secret.
      throw new AwsError('INVALID_INPUT', `secret ${secretId} is not valid JSON`, {
        operation: 'SecretsManager.GetSecretValue',
        accountId: ctx.accountId,
        region: ctx.region,
      });
    }
  };

  return { getString, getJson };
}
