import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from './table.js';

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A real SDK client pointed at the server with dummy static credentials. */
  readonly client: DynamoDBDocumentClient;
  /** Creates an empty patchbridge table of a name not used before on this server, and returns the name. */
  freshTable(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory dynalite on an ephemeral 127.0.0.1 port with instant
 * table transitions, for tests and the sandbox. dynalite is a devDependency,
 * loaded only when this is called.
 */
export async function startDynalite(): Promise<DynaliteServer> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite is not listening on a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const base = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
    maxAttempts: 1,
  });
  const client = DynamoDBDocumentClient.from(base);
  let tables = 0;
  return {
    endpoint,
    client,
    async freshTable() {
      tables += 1;
      const tableName = `pb-test-${tables}`;
      await ensureTable(client, tableName, { pollMs: 1 });
      return tableName;
    },
    stop: async () => {
      client.destroy();
      base.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
