import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type Clock, type Ids, randomIds } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  checkLimit,
  correlationPosition,
  decodeCursor,
  type ListPosition,
  OPEN_CORRELATIONS_SCOPE,
  outboxScope,
  positionKey,
  REPORTS_SCOPE,
  runsScope,
  toPage,
} from '../common/cursor.js';
import {
  checkId,
  correlationSchema,
  gateSchema,
  idempotencySchema,
  outboxSchema,
  parseInput,
  parseStored,
  patchRunSchema,
  prepareCorrelation,
  prepareGate,
  prepareIdempotency,
  preparePatch,
  preparePatchRun,
  prepareRefreshMark,
  prepareReportJob,
  reportJobSchema,
  toJsonValue,
  truncateError,
} from '../common/records.js';
import { checkLeaseMs, checkTtlSeconds, expirySeconds, leaseTokenFor, nowSeconds, normaliseIso } from '../common/time.js';
import { StoreError } from '../errors.js';
import type { StateStore } from '../ports.js';
import type {
  CorrelationRecord,
  GateAuthorisation,
  IdempotencyRecord,
  OutboxItem,
  Page,
  PatchRunRecord,
  ReportJobRecord,
} from '../types.js';
import { isConditionFailed, mapDynamoError } from './errors.js';
import { INDEX, TTL_ATTRIBUTE } from './table.js';

export interface DynamoStoreOptions {
  readonly tableName: string;
  /**
   * A document client with default marshalling options (numbers unwrapped).
   * The caller owns it: `close()` does not destroy it.
   */
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Source of outbox lease tokens; random UUIDs by default. */
  readonly ids?: Ids;
}

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

const CONDITION_FAILED = Symbol('condition failed');

/** How a record kind maps onto the single table. */
interface DocSpec<T> {
  readonly what: string;
  readonly schema: z.ZodObject & z.ZodType<T>;
  readonly key: (id: string) => Key;
  /** Fields stored as JSON strings: free-form values DynamoDB maps would mangle or nest past 32 levels. */
  readonly opaque: readonly string[];
  /** Index attributes derived from (some of) the record's fields. */
  readonly indexes: (fields: Record<string, unknown>) => Item;
}

const RUNS = 'RUN';
const REPORTS = 'REPORT';
const OUTBOX = 'OUTBOX';
const GATES = 'GATE';
/** gsi1 partition of open correlation records only (sparse: a record leaves it when it stops being open). */
const OPEN_CORRELATIONS = 'CORROPEN';

/** `createdAt#id`, once both are known: the newest-first sort key of runs and report jobs. */
function listSortKey(fields: Record<string, unknown>): string | undefined {
  return typeof fields['createdAt'] === 'string' && typeof fields['id'] === 'string'
    ? positionKey({ createdAt: fields['createdAt'], id: fields['id'] })
    : undefined;
}

function defined(item: Record<string, unknown | undefined>): Item {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

const runSpec: DocSpec<PatchRunRecord> = {
  what: 'patch run',
  schema: patchRunSchema,
  key: (id) => ({ pk: `RUN#${id}`, sk: RUNS }),
  // `instances` is a long list of small maps: one JSON string is far smaller in the item (400 KB limit).
  opaque: ['request', 'instances'],
  indexes: (f) => {
    const sortKey = listSortKey(f);
    return defined({
      gsi1pk: sortKey && RUNS,
      gsi1sk: sortKey,
      gsi2pk: typeof f['changeNumber'] === 'string' ? `RUNCHG#${f['changeNumber']}` : undefined,
      gsi2sk: sortKey,
      gsi3pk: typeof f['executionId'] === 'string' ? `RUNEXEC#${f['executionId']}` : undefined,
      gsi3sk: sortKey,
    });
  },
};

const reportSpec: DocSpec<ReportJobRecord> = {
  what: 'report job',
  schema: reportJobSchema,
  key: (id) => ({ pk: `REPORT#${id}`, sk: REPORTS }),
  opaque: ['request', 'summary'],
  indexes: (f) => {
    const sortKey = listSortKey(f);
    return defined({ gsi1pk: sortKey && REPORTS, gsi1sk: sortKey });
  },
};

const claimKey = (key: string): Key => ({ pk: `CLAIM#${key}`, sk: 'CLAIM' });
const claimItem = z.object({ owner: z.string(), [TTL_ATTRIBUTE]: z.number().optional() });
const idempotencyKey = (key: string): Key => ({ pk: `IDEM#${key}`, sk: 'IDEM' });
const correlationKey = (id: string): Key => ({ pk: `CORR#${id}`, sk: 'CORR' });
const outboxKey = (id: string): Key => ({ pk: `OUTBOX#${id}`, sk: OUTBOX });
const gateKey = (windowId: string): Key => ({ pk: `GATE#${windowId}`, sk: GATES });
const PING_KEY: Key = { pk: 'PING', sk: 'PING' };

/** Sort key of an outbox item in both outbox indexes: when it is next available, then its id. */
function outboxSortKey(availableAt: string, id: string): string {
  return `${availableAt}#${id}`;
}

function encode(record: object, opaque: readonly string[]): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[name] = opaque.includes(name) ? JSON.stringify(value) : value;
  }
  return out;
}

function decode<T>(schema: z.ZodType<T>, item: unknown, opaque: readonly string[], what: string): T {
  if (typeof item !== 'object' || item === null) return parseStored(schema, item, what);
  const out: Item = { ...item };
  for (const name of opaque) {
    const value = out[name];
    if (typeof value !== 'string') continue;
    try {
      out[name] = JSON.parse(value);
    } catch (err) {
      throw new StoreError('CORRUPT', `stored ${what} has invalid JSON in ${name}`, { cause: err });
    }
  }
  return parseStored(schema, out, what);
}

/** `SET #n0 = :v0, …` over the given attributes, with their name/value maps. */
function setExpression(attributes: Item): {
  expression: string;
  names: Record<string, string>;
  values: Item;
} {
  const names: Record<string, string> = {};
  const values: Item = {};
  const parts = Object.entries(attributes).map(([name, value], i) => {
    names[`#n${i}`] = name;
    values[`:v${i}`] = value;
    return `#n${i} = :v${i}`;
  });
  return { expression: `SET ${parts.join(', ')}`, names, values };
}

/**
 * A DynamoDB state store over one table (see `tableDefinition`). Every write
 * that can race is a conditional write; reads of single records are strongly
 * consistent. Listings read GSIs, which are eventually consistent: a record
 * written a moment ago may be missing from a listing for a short while.
 */
export function createDynamoStore(options: DynamoStoreOptions): StateStore {
  return new DynamoStateStore(options);
}

class DynamoStateStore implements StateStore {
  readonly #table: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ids: Ids;
  #closed = false;

  constructor(options: DynamoStoreOptions) {
    this.#table = options.tableName;
    this.#client = options.client;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#ids = options.ids ?? randomIds;
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return await call();
    } catch (err) {
      throw mapDynamoError(err, operation);
    }
  }

  /** Like `#send`, but a failed condition is an answer, not an error. */
  async #conditional<T>(operation: string, call: () => Promise<T>): Promise<T | typeof CONDITION_FAILED> {
    if (this.#closed) throw new StoreError('CLOSED', 'state store is closed');
    try {
      return await call();
    } catch (err) {
      if (isConditionFailed(err)) return CONDITION_FAILED;
      throw mapDynamoError(err, operation);
    }
  }

  async #getItem(key: Key): Promise<unknown> {
    const out = await this.#send('GetItem', () =>
      this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  /** Pages through a query, up to `max` items; `Select: COUNT` callers use `#count`. */
  async #query(input: Omit<QueryCommandInput, 'TableName'>, max = Number.POSITIVE_INFINITY): Promise<unknown[]> {
    const items: unknown[] = [];
    let startKey = input.ExclusiveStartKey;
    do {
      const remaining = max - items.length;
      const out = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            ...input,
            TableName: this.#table,
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

  async #count(input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
    let total = 0;
    let startKey: Item | undefined;
    do {
      const out = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({ ...input, TableName: this.#table, Select: 'COUNT', ExclusiveStartKey: startKey }),
        ),
      );
      total += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }

  // ---- shared document operations (patch runs, report jobs) ----

  async #createDoc<T extends object & { id: string }>(spec: DocSpec<T>, record: T): Promise<void> {
    const fields = encode(record, spec.opaque);
    const result = await this.#conditional('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...fields, ...spec.indexes(fields), ...spec.key(record.id) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (result === CONDITION_FAILED) {
      throw new StoreError('CONFLICT', `${spec.what} already exists`, { details: { id: record.id } });
    }
  }

  async #getDoc<T>(spec: DocSpec<T>, id: string): Promise<T | undefined> {
    const item = await this.#getItem(spec.key(id));
    return item === undefined ? undefined : decode(spec.schema, item, spec.opaque, spec.what);
  }

  async #updateDoc<T>(spec: DocSpec<T>, id: string, patch: object): Promise<T> {
    const fields = preparePatch(spec.schema, patch, `${spec.what} update`);
    const attributes = {
      ...encode(fields, spec.opaque),
      updatedAt: this.#clock.now().toISOString(),
      // Index keys move with the fields they derive from (e.g. a new executionId).
      ...spec.indexes(fields),
    };
    const set = setExpression(attributes);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: spec.key(id),
          UpdateExpression: set.expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: set.names,
          ExpressionAttributeValues: set.values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (result === CONDITION_FAILED) throw new StoreError('NOT_FOUND', `${spec.what} not found`, { details: { id } });
    return decode(spec.schema, result.Attributes, spec.opaque, spec.what);
  }

  /** Newest first over one GSI partition, `limit + 1` rows so the last page is never empty. */
  async #listNewest<T extends ListPosition>(
    spec: DocSpec<T>,
    index: 'gsi1' | 'gsi2',
    partition: string,
    query: { limit: number; cursor?: string },
    scope: string,
  ): Promise<Page<T>> {
    const limit = checkLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
    const items = await this.#query(
      {
        IndexName: INDEX[index],
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': `${index}pk` },
        ExpressionAttributeValues: { ':p': partition },
        ScanIndexForward: false,
        // The cursor holds (createdAt, id), from which the full start key is rebuilt.
        ExclusiveStartKey: after && {
          ...spec.key(after.id),
          [`${index}pk`]: partition,
          [`${index}sk`]: positionKey(after),
        },
      },
      limit + 1,
    );
    return toPage(
      items.map((item) => decode(spec.schema, item, spec.opaque, spec.what)),
      limit,
      scope,
    );
  }

  // ---- claims ----

  async claim(key: string, owner: string, ttlSeconds?: number): Promise<boolean> {
    checkId(key, 'key');
    const now = this.#clock.now();
    const expiresAt =
      ttlSeconds === undefined ? undefined : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
    const result = await this.#conditional('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: defined({ ...claimKey(key), owner, [TTL_ATTRIBUTE]: expiresAt }),
          ConditionExpression: 'attribute_not_exists(pk) OR #exp < :now',
          ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowSeconds(now) },
        }),
      ),
    );
    return result !== CONDITION_FAILED;
  }

  async extendClaim(key: string, owner: string, ttlSeconds?: number): Promise<boolean> {
    const now = this.#clock.now();
    const expiresAt = ttlSeconds === undefined ? undefined : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: claimKey(key),
          UpdateExpression: expiresAt === undefined ? 'REMOVE #exp' : 'SET #exp = :exp',
          ConditionExpression: '#owner = :owner AND (attribute_not_exists(#exp) OR #exp >= :now)',
          ExpressionAttributeNames: { '#owner': 'owner', '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':owner': owner, ':now': nowSeconds(now), ...(expiresAt === undefined ? {} : { ':exp': expiresAt }) },
        }),
      ),
    );
    return result !== CONDITION_FAILED;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#conditional('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: claimKey(key),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  async claimHolder(key: string): Promise<string | undefined> {
    const item = await this.#getItem(claimKey(key));
    if (item === undefined) return undefined;
    const claim = parseStored(claimItem, item, 'claim');
    // DynamoDB's TTL deletes expired items late (up to days): an expired claim is nobody's.
    if (claim[TTL_ATTRIBUTE] !== undefined && claim[TTL_ATTRIBUTE] < nowSeconds(this.#clock.now())) return undefined;
    return claim.owner;
  }

  // ---- patch runs ----

  async createPatchRun(run: PatchRunRecord): Promise<void> {
    return this.#createDoc(runSpec, preparePatchRun(run));
  }

  async getPatchRun(id: string): Promise<PatchRunRecord | undefined> {
    return this.#getDoc(runSpec, id);
  }

  async updatePatchRun(id: string, patch: Partial<Omit<PatchRunRecord, 'id' | 'createdAt'>>): Promise<PatchRunRecord> {
    return this.#updateDoc(runSpec, id, patch);
  }

  async findPatchRunByExecution(executionId: string): Promise<PatchRunRecord | undefined> {
    const [item] = await this.#query(
      {
        IndexName: INDEX.gsi3,
        KeyConditionExpression: 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': `RUNEXEC#${executionId}` },
        ScanIndexForward: false,
      },
      1,
    );
    return item === undefined ? undefined : decode(runSpec.schema, item, runSpec.opaque, runSpec.what);
  }

  async beginRunRefresh(id: string, mark: { staleBefore: string; leaseUntil: string }): Promise<boolean> {
    const m = prepareRefreshMark(mark);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: runSpec.key(id),
          UpdateExpression: 'SET #lease = :lease',
          // ISO-8601 UTC strings of one format compare in time order.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#fresh) OR #fresh < :stale) AND (attribute_not_exists(#lease) OR #lease < :now)',
          ExpressionAttributeNames: { '#lease': 'refreshLeaseUntil', '#fresh': 'refreshedAt' },
          ExpressionAttributeValues: { ':lease': m.leaseUntil, ':stale': m.staleBefore, ':now': this.#clock.now().toISOString() },
        }),
      ),
    );
    if (result !== CONDITION_FAILED) return true;
    if ((await this.#getItem(runSpec.key(id))) === undefined) throw new StoreError('NOT_FOUND', 'patch run not found', { details: { id } });
    return false;
  }

  async listPatchRuns(query: { changeNumber?: string; limit: number; cursor?: string }): Promise<Page<PatchRunRecord>> {
    const scope = runsScope(query.changeNumber);
    return query.changeNumber === undefined
      ? this.#listNewest(runSpec, 'gsi1', RUNS, query, scope)
      : this.#listNewest(runSpec, 'gsi2', `RUNCHG#${query.changeNumber}`, query, scope);
  }

  // ---- idempotency ----

  async beginIdempotent(
    record: IdempotencyRecord,
  ): Promise<{ created: true } | { created: false; existing: IdempotencyRecord }> {
    const stored = prepareIdempotency(record);
    const { expiresAt, ...fields } = stored;
    // A record can vanish (abandoned, swept) between a failed put and the read; a few rounds settle it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.#clock.now();
      const result = await this.#conditional('PutItem', () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...encode(fields, ['response']),
              expiresAtIso: expiresAt,
              [TTL_ATTRIBUTE]: expirySeconds(Date.parse(expiresAt)),
              ...idempotencyKey(stored.key),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #exp < :now',
            ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': nowSeconds(now) },
          }),
        ),
      );
      if (result !== CONDITION_FAILED) return { created: true };
      const existing = await this.#getIdempotency(stored.key);
      if (existing !== undefined) return { created: false, existing };
    }
    throw new StoreError('CONFLICT', 'idempotency record kept changing', { details: { key: stored.key } });
  }

  async #getIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.#getItem(idempotencyKey(key));
    if (typeof item !== 'object' || item === null) return undefined;
    const fields: Item = { ...item };
    // The item's own `expiresAt` is the TTL number; the record's ISO form is kept beside it.
    return decode(idempotencySchema, { ...fields, expiresAt: fields['expiresAtIso'] }, ['response'], 'idempotency record');
  }

  async completeIdempotent(key: string, response: NonNullable<IdempotencyRecord['response']>): Promise<void> {
    const stored = parseInput(idempotencySchema.shape.response, toJsonValue(response), 'idempotency response');
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET #status = :completed, #response = :response',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
          ExpressionAttributeValues: { ':completed': 'completed', ':response': JSON.stringify(stored) },
        }),
      ),
    );
    if (result === CONDITION_FAILED) {
      throw new StoreError('NOT_FOUND', 'idempotency record not found', { details: { key } });
    }
  }

  async abandonIdempotent(key: string): Promise<void> {
    await this.#conditional('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: idempotencyKey(key),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in-progress' },
        }),
      ),
    );
  }

  // ---- correlation ----

  async getCorrelation(correlationId: string): Promise<CorrelationRecord | undefined> {
    const item = await this.#getItem(correlationKey(correlationId));
    return item === undefined ? undefined : parseStored(correlationSchema, item, 'correlation record');
  }

  async putCorrelation(
    record: Omit<CorrelationRecord, 'version'>,
    expectedVersion?: number,
  ): Promise<CorrelationRecord> {
    const next = prepareCorrelation(record, expectedVersion);
    const result = await this.#conditional('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
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
        }),
      ),
    );
    if (result === CONDITION_FAILED) {
      throw new StoreError('CONFLICT', 'correlation record changed concurrently', {
        details: { correlationId: next.correlationId, expectedVersion: expectedVersion ?? null },
      });
    }
    return next;
  }

  async listOpenCorrelations(query: { limit: number; cursor?: string }): Promise<Page<CorrelationRecord>> {
    const limit = checkLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(OPEN_CORRELATIONS_SCOPE, query.cursor);
    const items = await this.#query(
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
  }

  // ---- outbox ----

  async enqueue(item: { id: string; kind: string; payload: unknown; nextAttemptAt?: string }): Promise<boolean> {
    checkId(item.id, 'id');
    checkId(item.kind, 'kind');
    const now = this.#clock.now().toISOString();
    const nextAttemptAt = item.nextAttemptAt === undefined ? now : normaliseIso(item.nextAttemptAt, 'nextAttemptAt');
    const sortKey = outboxSortKey(nextAttemptAt, item.id);
    const result = await this.#conditional('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
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
        }),
      ),
    );
    return result !== CONDITION_FAILED;
  }

  async lease(options: { limit: number; leaseMs: number; kind?: string; owner?: string }): Promise<OutboxItem[]> {
    const limit = checkLimit(options.limit);
    const leaseMs = checkLeaseMs(options.leaseMs);
    const now = this.#clock.now();
    const nowIso = now.toISOString();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const index = options.kind === undefined ? 'gsi1' : 'gsi2';
    const partition = options.kind === undefined ? OUTBOX : `${OUTBOX}#${options.kind}`;

    const leased: OutboxItem[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
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
      const candidates = (out.Items ?? []).map((item) => decode(outboxSchema, item, ['payload'], 'outbox item'));
      while (candidates.length > 0 && leased.length < limit) {
        const batch = candidates.splice(0, limit - leased.length);
        const results = await Promise.all(batch.map((c) => this.#leaseOne(c.id, nowIso, leaseUntil, options.owner)));
        for (const r of results) if (r !== undefined) leased.push(r);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && leased.length < limit);
    return leased;
  }

  /** Takes one item if it is still due and unleased; undefined if another worker got there first. */
  async #leaseOne(id: string, nowIso: string, leaseUntil: string, owner: string | undefined): Promise<OutboxItem | undefined> {
    const sortKey = outboxSortKey(leaseUntil, id);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: outboxKey(id),
          UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until, gsi1sk = :sk, gsi2sk = :sk',
          ConditionExpression:
            'attribute_exists(pk) AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
          ExpressionAttributeValues: { ':token': leaseTokenFor(owner, this.#ids.uuid()), ':until': leaseUntil, ':sk': sortKey, ':now': nowIso },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return result === CONDITION_FAILED ? undefined : decode(outboxSchema, result.Attributes, ['payload'], 'outbox item');
  }

  async renewLease(id: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    const leaseUntil = new Date(this.#clock.now().getTime() + leaseMs).toISOString();
    // The due-items index sorts leased items by lease end, so it moves with the lease.
    const sortKey = outboxSortKey(leaseUntil, id);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: outboxKey(id),
          UpdateExpression: 'SET leaseUntil = :until, gsi1sk = :sk, gsi2sk = :sk',
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeValues: { ':token': leaseToken, ':until': leaseUntil, ':sk': sortKey },
        }),
      ),
    );
    return result !== CONDITION_FAILED;
  }

  async ack(id: string, leaseToken: string): Promise<void> {
    const result = await this.#conditional('DeleteItem', () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: outboxKey(id),
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeValues: { ':token': leaseToken },
        }),
      ),
    );
    if (result === CONDITION_FAILED) this.#logger.debug({ outboxId: id }, 'outbox ack ignored: lease no longer held');
  }

  async fail(id: string, leaseToken: string, error: string, nextAttemptAt: string): Promise<void> {
    const next = normaliseIso(nextAttemptAt, 'nextAttemptAt');
    const sortKey = outboxSortKey(next, id);
    const result = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
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
        }),
      ),
    );
    if (result === CONDITION_FAILED) this.#logger.debug({ outboxId: id }, 'outbox fail ignored: lease no longer held');
  }

  async outboxDepth(kind?: string): Promise<number> {
    const index = kind === undefined ? 'gsi1' : 'gsi2';
    return this.#count({
      IndexName: INDEX[index],
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': `${index}pk` },
      ExpressionAttributeValues: { ':p': kind === undefined ? OUTBOX : `${OUTBOX}#${kind}` },
    });
  }

  async listOutbox(query: { kind: string; limit: number; cursor?: string }): Promise<Page<OutboxItem>> {
    checkId(query.kind, 'kind');
    const limit = checkLimit(query.limit);
    const scope = outboxScope(query.kind);
    const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor);
    // gsi2 holds a kind's items ordered by when they are next available, not by age, and
    // moves them as they are leased; oldest-first needs the whole partition, sorted here.
    // Adding a created-order index would change the table; kinds listed this way are small.
    const raw = await this.#query({
      IndexName: INDEX.gsi2,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': 'gsi2pk' },
      ExpressionAttributeValues: { ':p': `${OUTBOX}#${query.kind}` },
    });
    const byId = new Map<string, OutboxItem>();
    for (const item of raw) {
      const decoded = decode(outboxSchema, item, ['payload'], 'outbox item');
      byId.set(decoded.id, decoded);
    }
    const afterKey = after && positionKey(after);
    const rows = [...byId.values()]
      .filter((item) => afterKey === undefined || positionKey(item) > afterKey)
      .sort((a, b) => (positionKey(a) < positionKey(b) ? -1 : positionKey(a) > positionKey(b) ? 1 : 0))
      .slice(0, limit + 1);
    return toPage(rows, limit, scope);
  }

  async getOutboxItem(id: string): Promise<OutboxItem | undefined> {
    checkId(id, 'id');
    const item = await this.#getItem(outboxKey(id));
    return item === undefined ? undefined : decode(outboxSchema, item, ['payload'], 'outbox item');
  }

  async deleteOutboxItem(id: string): Promise<boolean> {
    checkId(id, 'id');
    const out = await this.#send('DeleteItem', () =>
      this.#client.send(new DeleteCommand({ TableName: this.#table, Key: outboxKey(id), ReturnValues: 'ALL_OLD' })),
    );
    return out.Attributes !== undefined;
  }

  // ---- change gates ----

  async putGate(gate: GateAuthorisation): Promise<void> {
    const record = prepareGate(gate);
    await this.#send('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...record,
            ...gateKey(record.windowId),
            gsi1pk: GATES,
            gsi1sk: `${record.accountId}#${record.region}#${record.windowId}`,
          },
        }),
      ),
    );
  }

  async getGate(windowId: string): Promise<GateAuthorisation | undefined> {
    const item = await this.#getItem(gateKey(windowId));
    return item === undefined ? undefined : parseStored(gateSchema, item, 'gate authorisation');
  }

  async listGates(query: { accountId?: string; region?: string }): Promise<GateAuthorisation[]> {
    const prefix =
      query.accountId === undefined
        ? undefined
        : query.region === undefined
          ? `${query.accountId}#`
          : `${query.accountId}#${query.region}#`;
    const regionFilter = query.accountId === undefined && query.region !== undefined;
    const items = await this.#query({
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
  }

  // ---- report jobs ----

  async createReportJob(job: ReportJobRecord): Promise<void> {
    return this.#createDoc(reportSpec, prepareReportJob(job));
  }

  async getReportJob(id: string): Promise<ReportJobRecord | undefined> {
    return this.#getDoc(reportSpec, id);
  }

  async updateReportJob(id: string, patch: Partial<Omit<ReportJobRecord, 'id' | 'createdAt'>>): Promise<ReportJobRecord> {
    return this.#updateDoc(reportSpec, id, patch);
  }

  async listReportJobs(query: { limit: number; cursor?: string }): Promise<Page<ReportJobRecord>> {
    return this.#listNewest(reportSpec, 'gsi1', REPORTS, query, REPORTS_SCOPE);
  }

  // ---- lifecycle ----

  async ping(): Promise<void> {
    await this.#getItem(PING_KEY);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
