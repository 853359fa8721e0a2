import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, ConfigError, type Ids, type Logger } from '../core/index.js';
import type { StoreUrl } from '../config/index.js';
import { createDynamoStore } from './dynamodb/dynamo-store.js';
import type { StateStore } from './ports.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';

export interface CreateStoreDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ids?: Ids;
  /**
   * Required for `dynamodb://` stores: the document client, or a factory for it
   * (so a SQLite runtime never builds an AWS client). The caller owns the client.
   */
  readonly dynamoClient?: DynamoDBDocumentClient | (() => DynamoDBDocumentClient | Promise<DynamoDBDocumentClient>);
}

/**
 * Opens the state store named by `config.store`: SQLite (migrated on open) or
 * DynamoDB (the table must exist; see `ensureTable` for sandboxes and tests).
 */
export async function createStore(config: StoreUrl, deps: CreateStoreDeps): Promise<StateStore> {
  switch (config.kind) {
    case 'sqlite':
      return createSqliteStore({ path: config.path, clock: deps.clock, logger: deps.logger, ids: deps.ids });
    case 'dynamodb': {
      if (deps.dynamoClient === undefined) {
        throw new ConfigError('PATCHBRIDGE_STORE', 'a dynamodb:// store needs a DynamoDB client from the AWS client factory');
      }
      const client = typeof deps.dynamoClient === 'function' ? await deps.dynamoClient() : deps.dynamoClient;
      return createDynamoStore({ tableName: config.table, client, clock: deps.clock, logger: deps.logger, ids: deps.ids });
    }
  }
}
