
import { checkLimit, correlationPosition, decodeCursor, OPEN_CORRELATIONS_SCOPE, positionKey, toPage } from '../common/cursor.js';
import { correlationSchema, parseStored, prepareCorrelation } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { CorrelationStore } from '../ports.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import type { Key } from './items.js';
import { INDEX } from './table.js';

const correlationKey = (id: string): Key => ({ pk: `CORR#${id}`, sk: 'CORR' });
/** gsi1 partition of open correlation records only (sparse: a record leaves it when it stops being open). */
const OPEN_CORRELATIONS = 'CORROPEN';

/** The incident correlation map as `CORR#<id>` items, versioned by conditional puts. */
export function dynamoCorrelations(conn: DynamoConnection): CorrelationStore {
  return {
    async getCorrelation(correlationId) {
      const item = await conn.getItem(correlationKey(correlationId));
      return item === undefined ? undefined : parseStored(correlationSchema, item, 'correlation record');
    },

    async putCorrelation(record, expectedVersion) {
      const next = prepareCorrelation(record, expectedVersion);
      const result = await conn.putIf({
        Item: {
          ...next,
          ...correlationKey(next.correlationId),
          // A put replaces the whole item, so a record that is no longer open drops out of the index.
          ...(next.state === 'open' ? { gsi1pk: OPEN_CORRELATIONS, gsi1sk: positionKey(correlationPosition(next)) } : {}),
        },
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      });
      if (result === CONDITION_FAILED) {
        throw new StoreError('CONFLICT', 'correlation record changed concurrently', {
          details: { correlationId: next.correlationId, expectedVersion: expectedVersion ?? null },
        });
      }
      return next;
    },

    async listOpenCorrelations(query) {
      const limit = checkLimit(query.limit);
      const after = query.cursor === undefined ? undefined : decodeCursor(OPEN_CORRELATIONS_SCOPE, query.cursor);
      const items = await conn.query(
        {
          IndexName: INDEX.gsi1,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': 'gsi1pk' },
          ExpressionAttributeValues: { ':p': OPEN_CORRELATIONS },
          ScanIndexForward: true,
          ExclusiveStartKey: after && { ...correlationKey(after.id), gsi1pk: OPEN_CORRELATIONS, gsi1sk: positionKey(after) },
        },
        limit + 1,
      );
      const records = items.map((item) => parseStored(correlationSchema, item, 'correlation record'));
      return toPage(records, limit, OPEN_CORRELATIONS_SCOPE, correlationPosition);
    },
  };
}
