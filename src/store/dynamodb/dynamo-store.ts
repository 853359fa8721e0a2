import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, type Ids, type Logger, randomIds } from '../../core/index.js';
import type { StateStore } from '../ports.js';
import { dynamoClaims } from './claims.js';
import { DynamoConnection } from './connection.js';
import { dynamoCorrelations } from './correlations.js';
import { dynamoGates } from './gates.js';
import { dynamoIdempotency } from './idempotency.js';
import { dynamoOutbox } from './outbox.js';
import { dynamoPatchRuns } from './patch-runs.js';
import { dynamoReportJobs } from './report-jobs.js';

export interface DynamoStoreOptions {
  readonly tableName: string;
  /**
   * A document client with default marshalling options (numbers unwrapped).
   * The caller owns it: `close()` does not destroy it.
   */
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Source of outbox lease tokens; random UUIDs by default. */
  readonly ids?: Ids | undefined;
}

const PING_KEY = { pk: 'PING', sk: 'PING' };

/**
 * A DynamoDB state store over one table (see `tableDefinition`). Every write
 * that can race is a conditional write; reads of single records are strongly
 * consistent. Listings read GSIs, which are eventually consistent: a record
 * written a moment ago may be missing from a listing for a short while.
 */
export function createDynamoStore(options: DynamoStoreOptions): StateStore {
  const conn = new DynamoConnection({
    table: options.tableName,
    client: options.client,
    clock: options.clock,
    logger: options.logger,
    ids: options.ids ?? randomIds,
  });
  return {
    ...dynamoClaims(conn),
    ...dynamoPatchRuns(conn),
    ...dynamoIdempotency(conn),
    ...dynamoCorrelations(conn),
    ...dynamoOutbox(conn),
    ...dynamoGates(conn),
    ...dynamoReportJobs(conn),
    ping: async () => {
      await conn.getItem(PING_KEY);
    },
    close: async () => conn.close(),
  };
}
