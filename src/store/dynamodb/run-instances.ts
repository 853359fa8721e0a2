import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseStored } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { PatchRunInstance } from '../types.js';
import type { DynamoConnection } from './connection.js';
import type { Layout } from './docs.js';
import type { Item, Key } from './items.js';

/**
 * Instances whose JSON is at most this many bytes stay on the run item, so a
 * run of a few hundred instances is still one read and one write.
 */
export const INLINE_INSTANCES_BYTES = 64 * 1024;

/**
 * Most bytes of instance JSON in one chunk item. A DynamoDB item stops at
 * 400 KB, attribute names and keys included: this leaves room for them.
 */
export const CHUNK_BYTES = 300 * 1024;

/** The run item's pointer to its chunks: the generation they were written under, and how many there are. */
const GENERATION = 'instancesGen';
const CHUNKS = 'instancesChunks';
const INSTANCES = 'instances';

/** A reader that finds a generation replaced under it reads the run item again, this many times. */
const READ_ATTEMPTS = 3;

const chunkKeyItem = z.object({ pk: z.string(), sk: z.string() });
const chunkItem = z.object({ [INSTANCES]: z.string() });

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Instances cut into JSON arrays of at most `CHUNK_BYTES` bytes each (one instance larger than that stands alone). */
export function chunkInstances(instances: readonly PatchRunInstance[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const instance of instances) {
    const json = JSON.stringify(instance);
    const added = byteLength(json) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && size + added > CHUNK_BYTES) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += byteLength(json) + (current.length > 1 ? 1 : 0);
  }
  if (current.length > 0) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

/**
 * A run's per-instance results beside its item when they would not fit in it.
 * Up to 2,000 results with long names run past DynamoDB's 400 KB item limit,
 * and DynamoDB (like dynalite) writes no two items atomically without
 * transactions, so large results go to chunk items `INST#<generation>#<n>` in
 * the run's partition, written first under a fresh generation; then one
 * conditional write of the run item points it at that generation, and the
 * generation it replaced is deleted. A reader that finds a generation
 * incomplete (replaced while it read) reads the run item again.
 */
export class RunInstances {
  readonly #conn: DynamoConnection;
  readonly #key: (id: string) => Key;

  constructor(conn: DynamoConnection, key: (id: string) => Key) {
    this.#conn = conn;
    this.#key = key;
  }

  #chunkKey(id: string, generation: string, n: number): Key {
    return { pk: this.#key(id).pk, sk: `INST#${generation}#${String(n).padStart(4, '0')}` };
  }

  /**
   * Where `instances` go on a write of run `id`: on the run item when small
   * (dropping any pointer to chunks), else into chunk items written now under
   * a new generation, which the returned layout points the run item at.
   */
  async place(id: string, instances: readonly PatchRunInstance[]): Promise<Layout & { generation?: string }> {
    if (byteLength(JSON.stringify(instances)) <= INLINE_INSTANCES_BYTES) return { set: {}, remove: [GENERATION, CHUNKS] };
    const generation = this.#conn.ids.uuid();
    const chunks = chunkInstances(instances);
    await Promise.all(
      chunks.map((json, n) =>
        this.#conn.send('PutItem', () =>
          this.#conn.client.send(new PutCommand({ TableName: this.#conn.table, Item: { ...this.#chunkKey(id, generation, n), [INSTANCES]: json } })),
        ),
      ),
    );
    return { set: { [GENERATION]: generation, [CHUNKS]: chunks.length }, remove: [INSTANCES], generation };
  }

  /**
   * Deletes the chunk items of the generation `previous` names, unless it is
   * `keep`. Best effort: a failure leaves chunk items nobody points at, which
   * cost storage but are never read; it is logged, not thrown, because the
   * write that replaced them has already succeeded.
   */
  async drop(id: string, previous: Item | undefined, keep?: string): Promise<void> {
    const generation = previous?.[GENERATION];
    if (typeof generation !== 'string' || generation === keep) return;
    try {
      const keys = await this.#chunkKeys(id, generation);
      await Promise.all(
        keys.map((key) =>
          this.#conn.send('DeleteItem', () => this.#conn.client.send(new DeleteCommand({ TableName: this.#conn.table, Key: key }))),
        ),
      );
    } catch (err) {
      this.#conn.logger.warn({ err, runId: id, generation }, 'could not delete the replaced instance chunks of a patch run');
    }
  }

  /**
   * After a failed write of the run item: deletes the generation `generation`
   * only if the run item does not point at it. A write can fail after DynamoDB
   * applied it (a lost response, a retry answered ConditionalCheckFailed).
   */
  async dropUnlessCurrent(id: string, generation: string | undefined): Promise<void> {
    if (generation === undefined) return;
    let current: unknown;
    try {
      current = await this.#conn.getItem(this.#key(id));
    } catch (err) {
      this.#conn.logger.warn({ err, runId: id, generation }, 'could not tell whether a failed patch run write applied; its instance chunks are kept');
      return;
    }
    if (typeof current === 'object' && current !== null && (current as Record<string, unknown>)[GENERATION] === generation) return;
    await this.drop(id, { [GENERATION]: generation });
  }

  async #chunkKeys(id: string, generation: string): Promise<Key[]> {
    const items = await this.#conn.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': this.#key(id).pk, ':prefix': `INST#${generation}#` },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    return items.map((item) => parseStored(chunkKeyItem, item, 'patch run instance chunk key'));
  }

  /**
   * The run item with `instances` loaded from its chunks when it points at a
   * generation; a generation found incomplete was replaced meanwhile, so the
   * run item is read again. CORRUPT if a generation stays incomplete.
   */
  async expand(item: Item): Promise<Item> {
    const id = String(item['id']);
    let current = item;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const generation = current[GENERATION];
      if (typeof generation !== 'string') return current;
      const chunks = await this.#conn.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': this.#key(id).pk, ':prefix': `INST#${generation}#` },
        ConsistentRead: true,
      });
      if (chunks.length === current[CHUNKS]) return { ...current, [INSTANCES]: chunks.flatMap((chunk) => parseChunk(chunk, id)) };
      const reread = await this.#conn.getItem(this.#key(id));
      if (typeof reread !== 'object' || reread === null) break;
      current = { ...reread };
    }
    throw new StoreError('CORRUPT', 'stored patch run instances are incomplete', { details: { id } });
  }
}

/** One chunk's instances; checked field by field later, with the whole run, against the run schema. */
function parseChunk(chunk: unknown, id: string): unknown[] {
  const json = parseStored(chunkItem, chunk, 'patch run instance chunk')[INSTANCES];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new StoreError('CORRUPT', 'stored patch run instances are not valid JSON', { cause: err, details: { id } });
  }
  if (!Array.isArray(value)) throw new StoreError('CORRUPT', 'stored patch run instances are not a list', { details: { id } });
  return value;
}
