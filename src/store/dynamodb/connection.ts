import {
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  type PutCommandOutput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { Clock, Ids, Logger } from '../../core/index.js';
import { StoreError } from '../errors.js';
import { isConditionFailed, mapDynamoError } from './errors.js';
import type { Item, Key } from './items.js';

/** What `DynamoConnection.conditional` returns when the write's condition did not hold. */
export const CONDITION_FAILED = Symbol('condition failed');

/**
 * The one table and document client every aggregate of a DynamoDB store
 * shares, with what they share besides it: the clock, lease-token ids, and the
 * store's open/closed state. Every call maps the SDK's errors once, here.
 */
export class DynamoConnection {
  readonly table: string;
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ids: Ids;
  #closed = false;

  constructor(options: { table: string; client: DynamoDBDocumentClient; clock: Clock; logger: Logger; ids: Ids }) {
    this.table = options.table;
    this.client = options.client;
    this.clock = options.clock;
    this.logger = options.logger;
    this.ids = options.ids;
  }

  async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return await call();
    } catch (err) {
      throw mapDynamoError(err, operation);
    }
  }

  /** Like `send`, but a failed condition is an answer, not an error. */
  async conditional<T>(operation: string, call: () => Promise<T>): Promise<T | typeof CONDITION_FAILED> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return await call();
    } catch (err) {
      if (isConditionFailed(err)) return CONDITION_FAILED;
      throw mapDynamoError(err, operation);
    }
  }

  /** A conditional PutItem on the table: `CONDITION_FAILED` when its condition did not hold. */
  putIf(input: Omit<PutCommandInput, 'TableName'>): Promise<PutCommandOutput | typeof CONDITION_FAILED> {
    return this.conditional('PutItem', () => this.client.send(new PutCommand({ TableName: this.table, ...input })));
  }

  /** A conditional UpdateItem on the table: `CONDITION_FAILED` when its condition did not hold. */
  updateIf(input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | typeof CONDITION_FAILED> {
    return this.conditional('UpdateItem', () => this.client.send(new UpdateCommand({ TableName: this.table, ...input })));
  }

  /** A conditional DeleteItem on the table: `CONDITION_FAILED` when its condition did not hold. */
  deleteIf(input: Omit<DeleteCommandInput, 'TableName'>): Promise<DeleteCommandOutput | typeof CONDITION_FAILED> {
    return this.conditional('DeleteItem', () => this.client.send(new DeleteCommand({ TableName: this.table, ...input })));
  }

  /** One item by key, strongly consistent. */
  async getItem(key: Key): Promise<unknown> {
    const out = await this.send('GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  /** Pages through a query, up to `max` items; `Select: COUNT` callers use `count`. */
  async query(input: Omit<QueryCommandInput, 'TableName'>, max = Number.POSITIVE_INFINITY): Promise<unknown[]> {
    const items: unknown[] = [];
    let startKey = input.ExclusiveStartKey;
    do {
      const remaining = max - items.length;
      const out = await this.send('Query', () =>
        this.client.send(
          new QueryCommand({
            ...input,
            TableName: this.table,
            ExclusiveStartKey: startKey,
            Limit: Number.isFinite(remaining) ? remaining : input.Limit,
          }),
        ),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < max);
    return items;
  }

  async count(input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
    let total = 0;
    let startKey: Item | undefined;
    do {
      const out = await this.send('Query', () =>
        this.client.send(new QueryCommand({ ...input, TableName: this.table, Select: 'COUNT', ExclusiveStartKey: startKey })),
      );
      total += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }

  /** Later calls fail with `CLOSED`; the client stays open (its owner destroys it). */
  close(): void {
    this.#closed = true;
  }
}
