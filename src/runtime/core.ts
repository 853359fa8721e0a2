import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClients, type AwsCredentialsInput, type AwsPorts, createAwsAdapters, createAwsClients } from '../aws/index.js';
import { type BlobStore, createBlobStore } from '../blobs/index.js';
import type { Config } from '../config/index.js';
import { type Clock, ConfigError, type Ids, type Logger, randomIds, systemClock } from '../core/index.js';
import {
  type CredentialSource,
  cachedCredentials,
  createServiceNowClient,
  type ServiceNowClient,
  type ServiceNowCredentialsResolved,
  staticCredentials,
} from '../servicenow/index.js';
import { createStore, type StateStore } from '../store/index.js';

/** Everything a flow may need, built once per process (standalone) or per container (Lambda). */
export interface CoreContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly store: StateStore;
  readonly blobs: BlobStore;
  readonly awsClients: AwsClients;
  readonly aws: AwsPorts;
  readonly servicenow: ServiceNowClient;
  /** Closes the store and the AWS clients' sockets. */
  close(): Promise<void>;
}

export interface CoreOverrides {
  /** One endpoint for every AWS service (the bundled AWS simulator). */
  readonly awsEndpoint?: string;
  readonly awsCredentials?: AwsCredentialsInput;
}

/**
 * Builds the adapters both composition roots share, from configuration alone:
 * the state and blob stores, the AWS clients and ports, and the ServiceNow client.
 */
export async function createCoreContext(
  config: Config,
  options: { logger: Logger; clock?: Clock; ids?: Ids; overrides?: CoreOverrides },
): Promise<CoreContext> {
  const { logger, overrides = {} } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const defaultRegion = config.aws.regions[0] ?? 'us-east-1';
  const awsClients = createAwsClients({
    accounts: config.aws.accounts,
    defaultRegion,
    logger,
    clock,
    s3PathStyle: config.aws.s3PathStyle,
    ...(overrides.awsEndpoint ? { endpointOverrides: overrides.awsEndpoint } : {}),
    ...(overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}),
  });
  const aws = createAwsAdapters({ clients: awsClients, clock, logger, runbook: config.patching.runbook });
  const home = awsClients.defaultContext();

  const store = await createStore(config.store, {
    clock,
    logger,
    ids,
    // The state table lives in the home account and region, with the ambient credentials.
    dynamoClient: () => stateTableClient(home.region, overrides.awsEndpoint),
  });
  const blobs = await createBlobStore(config.blobs, { clock, s3Client: () => awsClients.s3(home), presignMaxSeconds: config.compliance.linkTtlSeconds });
  const servicenow = createServiceNowClient({
    ...serviceNowTarget(config, aws, home, clock),
    logger,
    clock,
    limits: { maxInFlight: config.servicenow.maxInFlight, timeoutMs: config.servicenow.timeoutMs, retryBudgetMs: config.servicenow.retryBudgetMs },
  });
  return {
    config,
    logger,
    clock,
    ids,
    store,
    blobs,
    awsClients,
    aws,
    servicenow,
    async close() {
      await store.close();
      awsClients.destroy();
    },
  };
}

/**
 * The DynamoDB document client for the state table: home region, ambient
 * credentials, adaptive retry (an explicit endpoint only for the simulators).
 */
export function stateTableClient(region: string, endpoint?: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region, retryMode: 'adaptive', ...(endpoint ? { endpoint } : {}) }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

function serviceNowTarget(
  config: Config,
  aws: AwsPorts,
  home: { accountId: string; region: string },
  clock: Clock,
): { instanceUrl?: string; auth: CredentialSource } {
  const creds = config.servicenow.credentials;
  const instanceUrl = config.servicenow.instanceUrl;
  const withUrl = instanceUrl ? { instanceUrl } : {};
  switch (creds?.source) {
    case 'secret': {
      const { secretId } = creds;
      // forceFetch on refresh: the client refreshes after a 401, which is how a rotated secret is picked up.
      let force = false;
      const source = cachedCredentials({
        clock,
        load: async () => {
          const value = await aws.secrets.getString(home, secretId, { forceFetch: force });
          force = false;
          return value;
        },
      });
      const refresh = source.refresh;
      return {
        ...withUrl,
        auth: Object.assign(() => source(), {
          refresh: () => {
            force = true;
            return refresh();
          },
        }),
      };
    }
    case 'oauth':
      return { ...withUrl, auth: staticCredentials({ kind: 'oauth', clientId: creds.clientId, clientSecret: creds.clientSecret }) };
    case 'basic':
      return { ...withUrl, auth: staticCredentials({ kind: 'basic', username: creds.username, password: creds.password }) };
    case undefined:
      // Built lazily so a process without ServiceNow still starts; the first call fails clearly.
      return {
        ...withUrl,
        auth: staticCredentialsMissing(),
      };
  }
}

function staticCredentialsMissing(): CredentialSource {
  const fail = async (): Promise<ServiceNowCredentialsResolved> => {
    throw new ConfigError('PATCHBRIDGE_SERVICENOW_SECRET_ID', 'no ServiceNow credentials are configured');
  };
  return Object.assign(fail, { refresh: fail });
}
