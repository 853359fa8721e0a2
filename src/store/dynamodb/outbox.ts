import { DeleteCommand, QueryCommand, } from '@aws-sdk/lib-dynamodb';
import { checkLimit, decodeCursor, outboxScope, positionKey, toPage } from '../common/cursor.js';
import { checkId, outboxSchema, toJsonValue, truncateError } from '../common/records.js';
import { checkLeaseMs, leaseTokenFor, normaliseIso } from '../common/time.js';
import type { OutboxStore } from '../ports.js';
import type { OutboxItem } from '../types.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import { decode, type Item, type Key } from './items.js';
import { INDEX } from './table.js';

const OUTBOX = 'OUTBOX';
const outboxKey = (id: string): Key => ({ pk: `OUTBOX#${id}`, sk: OUTBOX });

/** Sort key of an outbox item in both outbox indexes: when it is next available, then its id. */
function outboxSortKey(availableAt: string, id: string): string {
  return `${availableAt}#${id}`;
}

function toOutboxItem(item: unknown): OutboxItem {
  return decode(outboxSchema, item, ['payload'], 'outbox item');
}

/**
 * The outbox as `OUTBOX#<id>` items, due items found on gsi1 (all kinds) and
 * gsi2 (one kind), both sorted by when an item is next available; a lease is a
 * conditional update that moves the item to its lease end in both indexes.
 * No `releaseLeases`: leases cannot be listed by owner, so they expire on their own.
 */
export function dynamoOutbox(conn: DynamoConnection): OutboxStore {
  const { client, table, clock } = conn;

  /** Takes one item if it is still due and unleased; undefined if another worker got there first. */
  async function leaseOne(id: string, nowIso: string, leaseUntil: string, owner: string | undefined): Promise<OutboxItem | undefined> {
    const sortKey = outboxSortKey(leaseUntil, id);
    const result = await conn.updateIf({
      Key: outboxKey(id),
      UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until, gsi1sk = :sk, gsi2sk = :sk',
      ConditionExpression:
        'attribute_exists(pk) AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
      ExpressionAttributeValues: { ':token': leaseTokenFor(owner, conn.ids.uuid()), ':until': leaseUntil, ':sk': sortKey, ':now': nowIso },
      ReturnValues: 'ALL_NEW',
    });
    return result === CONDITION_FAILED ? undefined : toOutboxItem(result.Attributes);
  }

  return {
    async enqueue(item) {
      checkId(item.id, 'id');
      checkId(item.kind, 'kind');
      const now = clock.now().toISOString();
      const nextAttemptAt = item.nextAttemptAt === undefined ? now : normaliseIso(item.nextAttemptAt, 'nextAttemptAt');
      const sortKey = outboxSortKey(nextAttemptAt, item.id);
      const result = await conn.putIf({
        Item: {
          ...outboxKey(item.id),
          gsi1pk: OUTBOX,
          gsi1sk: sortKey,
          gsi2pk: `${OUTBOX}#${item.kind}`,
          gsi2sk: sortKey,
          id: item.id,
          kind: item.kind,
          payload: JSON.stringify(toJsonValue(item.payload)),
          attempts: 0,
          nextAttemptAt,
          createdAt: now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      return result !== CONDITION_FAILED;
    },

    async lease(options) {
      const limit = checkLimit(options.limit);
      const leaseMs = checkLeaseMs(options.leaseMs);
      const now = clock.now();
      const nowIso = now.toISOString();
      const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
      const index = options.kind === undefined ? 'gsi1' : 'gsi2';
      const partition = options.kind === undefined ? OUTBOX : `${OUTBOX}#${options.kind}`;

      const leased: OutboxItem[] = [];
      let startKey: Item | undefined;
      do {
        const out = await conn.send('Query', () =>
          client.send(
            new QueryCommand({
              TableName: table,
              IndexName: INDEX[index],
              // '$' sorts just after '#', so this takes every `${availableAt}#${id}` with availableAt <= now.
              KeyConditionExpression: '#p = :p AND #s < :bound',
              ExpressionAttributeNames: { '#p': `${index}pk`, '#s': `${index}sk` },
              ExpressionAttributeValues: { ':p': partition, ':bound': `${nowIso}$` },
              ScanIndexForward: true,
              // Extra candidates so items another worker just took do not cost another round trip.
              Limit: Math.min(limit * 2, 100),
              ExclusiveStartKey: startKey,
            }),
          ),
        );
        const candidates = (out.Items ?? []).map(toOutboxItem);
        while (candidates.length > 0 && leased.length < limit) {
          const batch = candidates.splice(0, limit - leased.length);
          const results = await Promise.all(batch.map((c) => leaseOne(c.id, nowIso, leaseUntil, options.owner)));
          for (const r of results) if (r !== undefined) leased.push(r);
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey !== undefined && leased.length < limit);
      return leased;
    },

    async renewLease(id, leaseToken, leaseMs) {
      const leaseUntil = new Date(clock.now().getTime() + leaseMs).toISOString();
      // The due-items index sorts leased items by lease end, so it moves with the lease.
      const sortKey = outboxSortKey(leaseUntil, id);
      const result = await conn.updateIf({
        Key: outboxKey(id),
        UpdateExpression: 'SET leaseUntil = :until, gsi1sk = :sk, gsi2sk = :sk',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeValues: { ':token': leaseToken, ':until': leaseUntil, ':sk': sortKey },
      });
      return result !== CONDITION_FAILED;
    },

    async ack(id, leaseToken) {
      const result = await conn.deleteIf({
        Key: outboxKey(id),
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeValues: { ':token': leaseToken },
      });
      if (result === CONDITION_FAILED) conn.logger.debug({ outboxId: id }, 'outbox ack ignored: lease no longer held');
    },

    async fail(id, leaseToken, error, nextAttemptAt) {
      const next = normaliseIso(nextAttemptAt, 'nextAttemptAt');
      const sortKey = outboxSortKey(next, id);
      const result = await conn.updateIf({
        Key: outboxKey(id),
        UpdateExpression:
          'SET attempts = attempts + :one, lastError = :error, nextAttemptAt = :next, gsi1sk = :sk, gsi2sk = :sk REMOVE leaseToken, leaseUntil',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeValues: {
          ':one': 1,
          ':error': truncateError(error),
          ':next': next,
          ':sk': sortKey,
          ':token': leaseToken,
        },
      });
      if (result === CONDITION_FAILED) conn.logger.debug({ outboxId: id }, 'outbox fail ignored: lease no longer held');
    },

    async outboxDepth(kind) {
      const index = kind === undefined ? 'gsi1' : 'gsi2';
      return conn.count({
        IndexName: INDEX[index],
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': `${index}pk` },
        ExpressionAttributeValues: { ':p': kind === undefined ? OUTBOX : `${OUTBOX}#${kind}` },
      });
    },

    async listOutbox(query) {
      checkId(query.kind, 'kind');
      const limit = checkLimit(query.limit);
      const scope = outboxScope(query.kind);
      const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
      // gsi2 holds a kind's items ordered by when they are next available, not by age, and
      // moves them as they are leased; oldest-first needs the whole partition, sorted here.
      // Adding a created-order index would change the table; kinds listed this way are small.
      const raw = await conn.query({
        IndexName: INDEX.gsi2,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'gsi2pk' },
        ExpressionAttributeValues: { ':p': `${OUTBOX}#${query.kind}` },
      });
      const byId = new Map<string, OutboxItem>();
      for (const item of raw) {
        const decoded = toOutboxItem(item);
        byId.set(decoded.id, decoded);
      }
      const afterKey = after && positionKey(after);
      const rows = [...byId.values()]
        .filter((item) => afterKey === undefined || positionKey(item) > afterKey)
        .sort((a, b) => (positionKey(a) < positionKey(b) ? -1 : positionKey(a) > positionKey(b) ? 1 : 0))
        .slice(0, limit + 1);
      return toPage(rows, limit, scope);
    },

    async getOutboxItem(id) {
      checkId(id, 'id');
      const item = await conn.getItem(outboxKey(id));
      return item === undefined ? undefined : toOutboxItem(item);
    },

    async deleteOutboxItem(id) {
      checkId(id, 'id');
      const out = await conn.send('DeleteItem', () =>
        client.send(new DeleteCommand({ TableName: table, Key: outboxKey(id), ReturnValues: 'ALL_OLD' })),
      );
      return out.Attributes !== undefined;
    },
  };
}
