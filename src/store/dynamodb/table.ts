import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, type Logger, silentLogger, systemClock } from '../../core/index.js';
import { StoreError } from '../errors.js';
import { errorName, mapDynamoError } from './errors.js';

/** The TTL attribute (epoch seconds) on claims and idempotency records. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Index names. Attribute names are generic (`gsi1pk` …) because one table holds
 * every record kind ("single-table design"); what each index means per kind:
 * - `gsi1`: collections in order — runs and report jobs newest first (`createdAt#id`),
 *   outbox items by when they are next available, gates by account/region/window,
 *   open incident correlations least recently updated first (sparse).
 * - `gsi2`: runs of one change number newest first; outbox items of one kind.
 * - `gsi3`: a run by its SSM Automation execution id (sparse).
 */
export const INDEX = { gsi1: 'gsi1', gsi2: 'gsi2', gsi3: 'gsi3' } as const;

export interface TableDefinition {
  readonly createTable: CreateTableCommandInput & { TableName: string };
  readonly timeToLiveAttribute: typeof TTL_ATTRIBUTE;
}

/**
 * The table the DynamoDB store expects: `pk`/`sk` strings, three GSIs projecting
 * all attributes, on-demand billing, TTL on `expiresAt`. `infra/` builds the same
 * table from this definition so the two cannot drift.
 */
export function tableDefinition(tableName: string): TableDefinition {
  const index = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
      { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    createTable: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S' as const,
      })),
      GlobalSecondaryIndexes: [index(INDEX.gsi1), index(INDEX.gsi2), index(INDEX.gsi3)],
    },
    timeToLiveAttribute: TTL_ATTRIBUTE,
  };
}

export interface EnsureTableOptions {
  readonly logger?: Logger;
  /** Polling interval while the table is being created. Default 1000 ms. */
  readonly pollMs?: number;
  /** Give up after this long. Default 5 minutes. */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

/**
 * Creates the table if it does not exist, waits until it and its indexes are
 * ACTIVE, and turns TTL on. Safe to call on every start of the sandbox and in
 * tests; production tables come from `infra/`.
 */
export async function ensureTable(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? systemClock;
  const { createTable, timeToLiveAttribute } = tableDefinition(tableName);

  try {
    await client.send(new CreateTableCommand(createTable));
    logger.info({ table: tableName }, 'created state table');
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw mapDynamoError(err, 'CreateTable');
  }

  const deadline = clock.now().getTime() + (options.timeoutMs ?? 300_000);
  for (;;) {
    const described = await client
      .send(new DescribeTableCommand({ TableName: tableName }))
      .catch((err: unknown) => Promise.reject(mapDynamoError(err, 'DescribeTable')));
    const table = described.Table;
    const ready =
      table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (ready) {
      const present = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      const missing = Object.values(INDEX).filter((name) => !present.has(name));
      if (missing.length > 0) {
        // An existing table from elsewhere (or an older layout): listing would fail later with a vaguer error.
        throw new StoreError('MISCONFIGURED', 'state table exists without the indexes patchbridge needs', {
          details: { table: tableName, missingIndexes: missing },
        });
      }
      break;
    }
    if (clock.now().getTime() >= deadline) {
      throw new StoreError('UNAVAILABLE', 'state table did not become ACTIVE in time', { details: { table: tableName } });
    }
    await clock.sleep(options.pollMs ?? 1000);
  }

  const ttl = await client
    .send(new DescribeTimeToLiveCommand({ TableName: tableName }))
    .catch((err: unknown) => Promise.reject(mapDynamoError(err, 'DescribeTimeToLive')));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    // dynalite (tests, sandbox) implements no UpdateTimeToLive. Expiry is still
    // enforced by the store's conditions; only the background deletion is missing.
    if (errorName(err) !== 'UnknownOperationException') throw mapDynamoError(err, 'UpdateTimeToLive');
    logger.warn({ table: tableName }, 'endpoint does not support TTL; expired records will not be deleted');
  }
}
