import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { type Clock, type Logger, systemClock } from '../core/index.js';
import type { AwsAccount } from '../config/index.js';
import { AwsError } from './errors.js';
import type { AwsContext } from './ports.js';
import { createSsmThrottle, SSM_MAX_WAIT_CONTEXT, type SsmThrottle } from './ssm-quotas.js';

/** The services the factory builds clients for. */
export type AwsService = 'ssm' | 'sns' | 'sts' | 's3' | 'secretsManager' | 'tagging';

/** Static credentials or a provider, as every SDK v3 client accepts them. */
export type AwsCredentialsInput = NonNullable<SSMClientConfig['credentials']>;
type ResolvedCredentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
};
type CredentialProvider = () => Promise<ResolvedCredentials>;

export interface CreateAwsClientsOptions {
  /** Managed accounts (`config.aws.accounts`). Empty = any account, with the ambient credentials. */
  readonly accounts: readonly AwsAccount[];
  readonly defaultRegion: string;
  readonly logger: Logger;
  /**
   * Explicit endpoints, per service or one URL for all (simulators, LocalStack).
   * Without it no endpoint is set, so the SDK's own `AWS_ENDPOINT_URL` /
   * `AWS_ENDPOINT_URL_<SERVICE>` support (and the real AWS endpoints) apply.
   */
  readonly endpointOverrides?: string | Partial<Readonly<Record<AwsService, string>>>;
  /**
   * S3 addresses buckets by path, not host name. Always on with `endpointOverrides`;
   * set it when the environment names a custom endpoint (`config.aws.s3PathStyle`).
   */
  readonly s3PathStyle?: boolean;
  /** Base ("ambient") credentials; default: the SDK's default provider chain. */
  readonly credentials?: AwsCredentialsInput;
  /** Per call, including the first; default 6. */
  readonly maxAttempts?: number;
  /** Default `adaptive`: client-side rate limiting kicks in on throttling. */
  readonly retryMode?: 'adaptive' | 'standard';
  readonly roleSessionName?: string;
  /** Lifetime of assumed-role credentials; default 3600 s. */
  readonly roleDurationSeconds?: number;
  /** Assumed-role credentials are refreshed this long before they expire; default 5 min. */
  readonly refreshBeforeExpiryMs?: number;
  readonly clock?: Clock;
  /**
   * The per-(account, region, API) buckets every SSM read waits in; default one
   * built here with the published quotas, in real time.
   */
  readonly ssmThrottle?: SsmThrottle;
}

/** Cached SDK v3 clients, one per (service, account, region). */
export interface AwsClients {
  ssm(ctx: AwsContext): SSMClient;
  sns(ctx: AwsContext): SNSClient;
  sts(ctx: AwsContext): STSClient;
  s3(ctx: AwsContext): S3Client;
  secretsManager(ctx: AwsContext): SecretsManagerClient;
  tagging(ctx: AwsContext): ResourceGroupsTaggingAPIClient;
  /** The credentials every client for `ctx.accountId` signs with (assumed role or ambient). */
  credentials(ctx: AwsContext): CredentialProvider | AwsCredentialsInput | undefined;
  /** The context for the first configured account in `defaultRegion`. */
  defaultContext(): AwsContext;
  /** The throttle every SSM client of this factory sends its reads through. */
  readonly ssmThrottle: SsmThrottle;
  /** Closes every cached client's sockets. */
  destroy(): void;
}

interface Destroyable {
  destroy(): void;
}

const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_REFRESH_MS = 5 * 60_000;

/**
 * Builds the one place SDK v3 clients come from. Each account with a `roleArn`
 * is reached through STS `AssumeRole` (with its external id), the credentials
 * being cached and refreshed `refreshBeforeExpiryMs` before they expire; other
 * accounts use the ambient credentials.
 *
 * Rejects (synchronously, with `AwsError('INVALID_INPUT')`) a context whose
 * account is not configured, or whose region the account does not list.
 */
export function createAwsClients(options: CreateAwsClientsOptions): AwsClients {
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ component: 'aws-clients' });
  const cache = new Map<string, Destroyable>();
  const roleProviders = new Map<string, CredentialProvider>();
  const accounts = new Map(options.accounts.map((a) => [a.id, a]));
  const ssmThrottle = options.ssmThrottle ?? createSsmThrottle();

  const endpointFor = (service: AwsService): string | undefined => {
    const overrides = options.endpointOverrides;
    if (overrides === undefined) return undefined;
    return typeof overrides === 'string' ? overrides : overrides[service];
  };

  const baseConfig = (service: AwsService, region: string) => {
    const endpoint = endpointFor(service);
    return {
      region,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: options.retryMode ?? 'adaptive',
      // Only set when asked: an `endpoint` key, even undefined, would shadow AWS_ENDPOINT_URL_*.
      ...(endpoint === undefined ? {} : { endpoint }),
    };
  };

  const accountFor = (ctx: AwsContext): AwsAccount | undefined => {
    if (accounts.size === 0) return undefined;
    const account = accounts.get(ctx.accountId);
    if (!account) {
      throw new AwsError('INVALID_INPUT', `AWS account ${ctx.accountId} is not configured`, {
        accountId: ctx.accountId,
        region: ctx.region,
      });
    }
    if (account.regions.length > 0 && !account.regions.includes(ctx.region)) {
      throw new AwsError('INVALID_INPUT', `region ${ctx.region} is not configured for account ${ctx.accountId}`, {
        accountId: ctx.accountId,
        region: ctx.region,
      });
    }
    return account;
  };

  const roleProvider = (account: AwsAccount & { roleArn: string }): CredentialProvider => {
    const existing = roleProviders.get(account.id);
    if (existing) return existing;
    const stsEndpoint = endpointFor('sts');
    const assume = fromTemporaryCredentials({
      params: {
        RoleArn: account.roleArn,
        RoleSessionName: options.roleSessionName ?? `patchbridge-${account.id}`,
        DurationSeconds: options.roleDurationSeconds ?? 3600,
        ...(account.externalId === undefined ? {} : { ExternalId: account.externalId }),
      },
      ...(options.credentials === undefined ? {} : { masterCredentials: options.credentials }),
      clientConfig: {
        region: options.defaultRegion,
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        retryMode: options.retryMode ?? 'adaptive',
        ...(stsEndpoint === undefined ? {} : { endpoint: stsEndpoint }),
      },
    });
    const provider = memoizeCredentials(
      async () => {
        log.debug({ accountId: account.id, roleArn: account.roleArn }, 'assuming role');
        return assume();
      },
      clock,
      options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_MS,
    );
    roleProviders.set(account.id, provider);
    return provider;
  };

  const credentialsFor = (ctx: AwsContext): CredentialProvider | AwsCredentialsInput | undefined => {
    const account = accountFor(ctx);
    if (account?.roleArn !== undefined) return roleProvider({ ...account, roleArn: account.roleArn });
    return options.credentials;
  };

  const get = <T extends Destroyable>(
    service: AwsService,
    ctx: AwsContext,
    make: (config: ReturnType<typeof baseConfig> & { credentials?: AwsCredentialsInput }) => T,
  ): T => {
    const key = `${service}|${ctx.accountId}|${ctx.region}`;
    const hit = cache.get(key);
    if (hit) return hit as T;
    const credentials = credentialsFor(ctx);
    const client = make({ ...baseConfig(service, ctx.region), ...(credentials === undefined ? {} : { credentials }) });
    cache.set(key, client);
    return client;
  };

  return {
    ssm: (ctx) => get('ssm', ctx, (c) => throttled(new SSMClient(c), ctx, ssmThrottle)),
    sns: (ctx) => get('sns', ctx, (c) => new SNSClient(c)),
    sts: (ctx) => get('sts', ctx, (c) => new STSClient(c)),
    // Path-style keeps bucket names out of the host name, which custom endpoints need.
    s3: (ctx) =>
      get('s3', ctx, (c) => new S3Client({ ...c, forcePathStyle: options.s3PathStyle === true || endpointFor('s3') !== undefined })),
    secretsManager: (ctx) => get('secretsManager', ctx, (c) => new SecretsManagerClient(c)),
    tagging: (ctx) => get('tagging', ctx, (c) => new ResourceGroupsTaggingAPIClient(c)),
    credentials: credentialsFor,
    ssmThrottle,
    defaultContext: () => ({ accountId: options.accounts[0]?.id ?? '', region: options.defaultRegion }),
    destroy: () => {
      for (const client of cache.values()) client.destroy();
      cache.clear();
    },
  };
}

/**
 * Every command the client sends (each page of a paginator too) first waits for
 * its API's slot. It sits before the SDK's retry step: the SDK's adaptive retry
 * still backs off on a ThrottlingException from calls other tools made.
 */
function throttled(client: SSMClient, ctx: AwsContext, throttle: SsmThrottle): SSMClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const api = String(context.commandName ?? '').replace(/Command$/, '');
      const maxWaitMs = (context as Record<string, unknown>)[SSM_MAX_WAIT_CONTEXT];
      if (!(await throttle.take(ctx, api, typeof maxWaitMs === 'number' ? { maxWaitMs } : {}))) {
        throw new AwsError('THROTTLED', `SSM.${api}: no slot within ${String(maxWaitMs)} ms in this process's ${api} quota; not called`, {
          operation: `SSM.${api}`,
          accountId: ctx.accountId,
          region: ctx.region,
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'patchbridgeSsmQuota' },
  );
  return client;
}

/**
 * One shared credential fetch per account: concurrent callers wait on the same
 * `AssumeRole`, and the result is reused until `refreshBeforeMs` before it expires.
 */
export function memoizeCredentials(
  fetch: () => Promise<ResolvedCredentials>,
  clock: Clock,
  refreshBeforeMs: number,
): CredentialProvider {
  let current: ResolvedCredentials | undefined;
  let inFlight: Promise<ResolvedCredentials> | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (current && (current.expiration === undefined || current.expiration.getTime() - refreshBeforeMs > now)) {
      return current;
    }
    inFlight ??= fetch().then(
      (creds) => {
        current = creds;
        inFlight = undefined;
        return creds;
      },
      (err: unknown) => {
        inFlight = undefined;
        throw err;
      },
    );
    return inFlight;
  };
}
