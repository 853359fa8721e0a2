import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../core/index.js';
import { ensureTable } from '../../store/index.js';
import type { CliIo } from '../io.js';

/**
 * `patchbridge store init`: creates the DynamoDB state table named by
 * `PATCHBRIDGE_STORE=dynamodb://TABLE` (keys, indexes, on-demand billing, TTL),
 * for a user who runs without the CDK app. Safe to run again; SQLite needs nothing.
 */
export function storeCommand(io: CliIo): Command {
  const store = new Command('store').description('Manage the state store.');
  store
    .command('init')
    .description('Create the DynamoDB state table (dynamodb://TABLE) with its keys, indexes and TTL; a no-op when it exists.')
    .action(async () => {
      const config = loadConfig(io.env);
      if (config.store.kind !== 'dynamodb') {
        io.stdout.write(`state store is ${config.store.kind}:${config.store.path}; it is created on first use, nothing to do\n`);
        return;
      }
      const region = config.aws.regions[0] ?? 'us-east-1';
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
      try {
        await ensureTable(client, config.store.table, { logger: createLogger({ level: 'fatal' }) });
        io.stdout.write(`state table ${config.store.table} is ready in ${region} (pk/sk, gsi1-gsi3, TTL on expiresAt)\n`);
      } finally {
        client.destroy();
      }
    });
  return store;
}
