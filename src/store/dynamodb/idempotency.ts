
import { idempotencySchema, parseInput, prepareIdempotency, toJsonValue } from '../common/records.js';
import { expirySeconds, nowSeconds } from '../common/time.js';
import { StoreError } from '../errors.js';
import type { IdempotencyStore } from '../ports.js';
import type { IdempotencyRecord } from '../types.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import { decode, encode, type Item, type Key } from './items.js';
import { TTL_ATTRIBUTE } from './table.js';

const idempotencyKey = (key: string): Key => ({ pk: `IDEM#${key}`, sk: 'IDEM' });

/**
 * Idempotency records as `IDEM#<key>` items. The record's ISO `expiresAt` is
 * kept as `expiresAtIso`, because the item's `expiresAt` is the TTL attribute.
 */
export function dynamoIdempotency(conn: DynamoConnection): IdempotencyStore {

  async function getIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const item = await conn.getItem(idempotencyKey(key));
    if (typeof item !== 'object' || item === null) return undefined;
    const fields: Item = { ...item };
    // The item's own `expiresAt` is the TTL number; the record's ISO form is kept beside it.
    return decode(idempotencySchema, { ...fields, expiresAt: fields['expiresAtIso'] }, ['response'], 'idempotency record');
  }

  return {
    async beginIdempotent(record) {
      const stored = prepareIdempotency(record);
      const { expiresAt, ...fields } = stored;
      // A record can vanish (abandoned, swept) between a failed put and the read; a few rounds settle it.
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = conn.clock.now();
        const result = await conn.putIf({
          Item: {
            ...encode(fields, ['response']),
            expiresAtIso: expiresAt,
            [TTL_ATTRIBUTE]: expirySeconds(Date.parse(expiresAt)),
            ...idempotencyKey(stored.key),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #exp < :now',
          ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowSeconds(now) },
        });
        if (result !== CONDITION_FAILED) return { created: true };
        const existing = await getIdempotency(stored.key);
        if (existing !== undefined) return { created: false, existing };
      }
      throw new StoreError('CONFLICT', 'idempotency record kept changing', { details: { key: stored.key } });
    },

    async completeIdempotent(key, response) {
      const stored = parseInput(idempotencySchema.shape.response, toJsonValue(response), 'idempotency response');
      const result = await conn.updateIf({
        Key: idempotencyKey(key),
        UpdateExpression: 'SET #status = :completed, #response = :response',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': JSON.stringify(stored) },
      });
      if (result === CONDITION_FAILED) {
        throw new StoreError('NOT_FOUND', 'idempotency record not found', { details: { key } });
      }
    },

    async abandonIdempotent(key) {
      await conn.deleteIf({
        Key: idempotencyKey(key),
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'in-progress' },
      });
    },
  };
}
