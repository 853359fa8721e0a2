
import type { z } from 'zod';
import { checkLimit, decodeCursor, type ListPosition, positionKey, toPage } from '../common/cursor.js';
import { preparePatch } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { Page } from '../types.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import { decode, encode, type Item, type Key, setExpression } from './items.js';
import { INDEX } from './table.js';

/** How a record kind maps onto the single table. */
export interface DocSpec<T> {
  readonly what: string;
  readonly schema: z.ZodObject & z.ZodType<T>;
  readonly key: (id: string) => Key;
  /** Fields stored as JSON strings: free-form values DynamoDB maps would mangle or nest past 32 levels. */
  readonly opaque: readonly string[];
  /** Index attributes derived from (some of) the record's fields. */
  readonly indexes: (fields: Record<string, unknown>) => Item;
  /** Completes an item as read before it is decoded (e.g. loads fields kept in other items). */
  readonly expand?: (item: Item) => Promise<Item>;
}

/**
 * Where a write puts fields that do not stay on the record's own item:
 * attributes to set beside its fields, and fields to leave off (or remove).
 */
export interface Layout {
  readonly set: Item;
  readonly remove: readonly string[];
}

function without(item: Item, names: readonly string[]): Item {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}

/** `createdAt#id`, once both are known: the newest-first sort key of runs and report jobs. */
export function listSortKey(fields: Record<string, unknown>): string | undefined {
  return typeof fields['createdAt'] === 'string' && typeof fields['id'] === 'string'
    ? positionKey({ createdAt: fields['createdAt'], id: fields['id'] })
    : undefined;
}

/**
 * Whole-record documents of one kind (patch runs, report jobs): create-if-absent,
 * strongly consistent get, a conditional merge that moves index keys with their
 * fields, and newest-first listings over a GSI partition.
 */
export class DynamoDocs<T extends ListPosition> {
  readonly #conn: DynamoConnection;
  readonly spec: DocSpec<T>;

  constructor(conn: DynamoConnection, spec: DocSpec<T>) {
    this.#conn = conn;
    this.spec = spec;
  }

  /** A whole item of this kind back as its record. */
  decode(item: unknown): T {
    return decode(this.spec.schema, item, this.spec.opaque, this.spec.what);
  }

  /** An item of this kind as read back as its record (expanded first when the kind keeps fields elsewhere). */
  async read(item: unknown): Promise<T> {
    const { expand } = this.spec;
    return this.decode(expand && typeof item === 'object' && item !== null ? await expand({ ...item }) : item);
  }

  /** Creates the record if its id is new; CONFLICT otherwise. With `layout`, some fields live elsewhere. */
  async create(record: T, layout?: Layout): Promise<void> {
    const { spec } = this;
    const fields = encode(record, spec.opaque);
    const result = await this.#conn.putIf({
      Item: { ...without(fields, layout?.remove ?? []), ...layout?.set, ...spec.indexes(fields), ...spec.key(record.id) },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    if (result === CONDITION_FAILED) {
      throw new StoreError('CONFLICT', `${spec.what} already exists`, { details: { id: record.id } });
    }
  }

  async get(id: string): Promise<T | undefined> {
    const item = await this.#conn.getItem(this.spec.key(id));
    return item === undefined ? undefined : this.read(item);
  }

  /** Merges `patch` into the record and stamps `updatedAt`; NOT_FOUND if absent. */
  async update(id: string, patch: object): Promise<T> {
    return this.read((await this.updateItem(id, patch)).item);
  }

  /**
   * `update` as items: the item after the write and, with a `layout`, the item
   * before it, so the caller can clean up what the write replaced.
   */
  async updateItem(id: string, patch: object, layout?: Layout): Promise<{ item: Item; previous?: Item }> {
    const { spec } = this;
    const fields = preparePatch(spec.schema, patch, `${spec.what} update`);
    const attributes = {
      ...without(encode(fields, spec.opaque), layout?.remove ?? []),
      ...layout?.set,
      updatedAt: this.#conn.clock.now().toISOString(),
      // Index keys move with the fields they derive from (e.g. a new executionId).
      ...spec.indexes(fields),
    };
    const set = setExpression(attributes);
    const removed = (layout?.remove ?? []).map((name, i) => [`#r${i}`, name] as const);
    const result = await this.#conn.updateIf({
      Key: spec.key(id),
      UpdateExpression: removed.length === 0 ? set.expression : `${set.expression} REMOVE ${removed.map(([alias]) => alias).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { ...set.names, ...Object.fromEntries(removed) },
      ExpressionAttributeValues: set.values,
      // Without a layout, the item as written; with one, the item it replaced (the new one is that plus this write).
      ReturnValues: layout === undefined ? 'ALL_NEW' : 'ALL_OLD',
    });
    if (result === CONDITION_FAILED) throw new StoreError('NOT_FOUND', `${spec.what} not found`, { details: { id } });
    const returned: Item = result.Attributes ?? {};
    if (layout === undefined) return { item: returned };
    return { item: without({ ...returned, ...attributes }, layout.remove), previous: returned };
  }

  /** Newest first over one GSI partition, `limit + 1` rows so the last page is never empty. */
  async listNewest(index: 'gsi1' | 'gsi2', partition: string, query: { limit: number; cursor?: string | undefined }, scope: string): Promise<Page<T>> {
    const limit = checkLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
    const items = await this.#conn.query(
      {
        IndexName: INDEX[index],
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': `${index}pk` },
        ExpressionAttributeValues: { ':p': partition },
        ScanIndexForward: false,
        // The cursor holds (createdAt, id), from which the full start key is rebuilt.
        ExclusiveStartKey: after && {
          ...this.spec.key(after.id),
          [`${index}pk`]: partition,
          [`${index}sk`]: positionKey(after),
        },
      },
      limit + 1,
    );
    return toPage(await Promise.all(items.map((item) => this.read(item))), limit, scope);
  }
}
