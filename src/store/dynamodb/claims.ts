
import { z } from 'zod';
import { checkId, parseStored } from '../common/records.js';
import { checkEpochSeconds, checkTtlSeconds, expirySeconds, nowSeconds } from '../common/time.js';
import { type ClaimStore, LEGACY_NONCE_PREFIX, NONCE_OWNER } from '../ports.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import { defined, type Key } from './items.js';
import { TTL_ATTRIBUTE } from './table.js';

const claimKey = (key: string): Key => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' });
/** A spent nonce is the claim item the previous version wrote for it (`claim('nonce:…')`), so versions side by side refuse each other's. */
const nonceKey = (nonce: string): Key => claimKey(`${LEGACY_NONCE_PREFIX}${nonce}`);
const claimItem = z.object({ owner: z.string(), [TTL_ATTRIBUTE]: z.number().optional() });

/** Claims as `CLAIM#<key>` items: conditional puts, expiry in the TTL attribute (epoch seconds). */
export function dynamoClaims(conn: DynamoConnection): ClaimStore {
  const { clock } = conn;
  return {
    async claim(key, owner, ttlSeconds) {
      checkId(key, 'key');
      const now = clock.now();
      const expiresAt = ttlSeconds === undefined ? undefined : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
      const result = await conn.putIf({
        Item: defined({ ...claimKey(key), owner, [TTL_ATTRIBUTE]: expiresAt }),
        ConditionExpression: 'attribute_not_exists(pk) OR #exp < :now',
        ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds(now) },
      });
      return result !== CONDITION_FAILED;
    },

    async extendClaim(key, owner, ttlSeconds) {
      const now = clock.now();
      const expiresAt = ttlSeconds === undefined ? undefined : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
      const result = await conn.updateIf({
        Key: claimKey(key),
        UpdateExpression: expiresAt === undefined ? 'REMOVE #exp' : 'SET #exp = :exp',
        ConditionExpression: '#owner = :owner AND (attribute_not_exists(#exp) OR #exp >= :now)',
        ExpressionAttributeNames: { '#owner': 'owner', '#exp': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':owner': owner, ':now': nowSeconds(now), ...(expiresAt === undefined ? {} : { ':exp': expiresAt }) },
      });
      return result !== CONDITION_FAILED;
    },

    async release(key, owner) {
      await conn.deleteIf({
        Key: claimKey(key),
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      });
    },

    async spendNonce(nonce, expiresAt) {
      checkId(nonce, 'nonce');
      checkEpochSeconds(expiresAt, 'expiresAt');
      // One conditional put, shared by every container; TTL deletes it late, so an expired item counts as absent.
      const result = await conn.putIf({
        Item: { ...nonceKey(nonce), owner: NONCE_OWNER, [TTL_ATTRIBUTE]: expiresAt },
        ConditionExpression: 'attribute_not_exists(pk) OR #exp < :now',
        ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds(clock.now()) },
      });
      return result !== CONDITION_FAILED;
    },

    async claimHolder(key) {
      const item = await conn.getItem(claimKey(key));
      if (item === undefined) return undefined;
      const claim = parseStored(claimItem, item, 'claim');
      // DynamoDB's TTL deletes expired items late (up to days): an expired claim is nobody's.
      if (claim[TTL_ATTRIBUTE] !== undefined && claim[TTL_ATTRIBUTE] < nowSeconds(clock.now())) return undefined;
      return claim.owner;
    },
  };
}
