import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { gateSchema, parseStored, prepareGate } from '../common/records.js';
import type { GateStore } from '../ports.js';
import type { DynamoConnection } from './connection.js';
import { defined, type Key } from './items.js';
import { INDEX } from './table.js';

const GATES = 'GATE';
const gateKey = (windowId: string): Key => ({ pk: `GATE#${windowId}`, sk: GATES });

/** Change-gate authorisations as `GATE#<window>` items, listed by account, region and window on gsi1. */
export function dynamoGates(conn: DynamoConnection): GateStore {
  const { client, table } = conn;
  return {
    async putGate(gate) {
      const record = prepareGate(gate);
      await conn.send('PutItem', () =>
        client.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...record,
              ...gateKey(record.windowId),
              gsi1pk: GATES,
              gsi1sk: `${record.accountId}#${record.region}#${record.windowId}`,
            },
          }),
        ),
      );
    },

    async getGate(windowId) {
      const item = await conn.getItem(gateKey(windowId));
      return item === undefined ? undefined : parseStored(gateSchema, item, 'gate authorisation');
    },

    async listGates(query) {
      const prefix =
        query.accountId === undefined
          ? undefined
          : query.region === undefined
            ? `${query.accountId}#`
            : `${query.accountId}#${query.region}#`;
      const regionFilter = query.accountId === undefined && query.region !== undefined;
      const items = await conn.query({
        IndexName: INDEX.gsi1,
        KeyConditionExpression: prefix === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND begins_with(gsi1sk, :prefix)',
        ...(regionFilter ? { FilterExpression: '#region = :region', ExpressionAttributeNames: { '#region': 'region' } } : {}),
        ExpressionAttributeValues: defined({
          ':p': GATES,
          ':prefix': prefix,
          ':region': regionFilter ? query.region : undefined,
        }),
        ScanIndexForward: true,
      });
      return items.map((item) => parseStored(gateSchema, item, 'gate authorisation'));
    },
  };
}
