import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, ValidationError } from '../../core/index.js';
import { describeStoreContract } from '../contract/index.js';
import { manyInstances, patchRun } from '../contract/support.js';
import { StoreError } from '../errors.js';
import { type DynaliteServer, startDynalite } from './dynalite-server.js';
import { createDynamoStore } from './dynamo-store.js';
import { mapDynamoError } from './errors.js';
import { CHUNK_BYTES } from './run-instances.js';
import { ensureTable, tableDefinition } from './table.js';

let dynalite: DynaliteServer;

beforeAll(async () => {
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
});

const freshTable = () => dynalite.freshTable();

describeStoreContract('dynamodb (dynalite)', async () => {
  const tableName = await freshTable();
  const clock = new ManualClock();
  const store = createDynamoStore({ tableName, client: dynalite.client, clock, logger: silentLogger() });
  return {
    store,
    clock,
    cleanup: async () => {
      await store.close();
      await dynalite.client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
});

describe('dynamodb table and items', () => {
  it('when ensureTable runs twice, then the second run leaves the active table as it is', async () => {
    // Prepare
    const tableName = await freshTable();

    // Act
    await ensureTable(dynalite.client, tableName, { pollMs: 1 });
    const described = await dynalite.client.send(new DescribeTableCommand({ TableName: tableName }));

    // Assess
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    expect(described.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2', 'gsi3']);
  });

  it('when a table of that name exists without the indexes, then ensureTable refuses it', async () => {
    // Prepare
    const { createTable } = tableDefinition('pb-foreign');
    await dynalite.client.send(
      new CreateTableCommand({ ...createTable, GlobalSecondaryIndexes: undefined, AttributeDefinitions: createTable.AttributeDefinitions?.slice(0, 2) }),
    );

    // Act
    const err = await ensureTable(dynalite.client, 'pb-foreign', { pollMs: 1 }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ retryable: false, details: { missingIndexes: ['gsi1', 'gsi2', 'gsi3'] } });
  });

  it('when the table definition is built, then it names the key schema, three indexes and the TTL attribute', () => {
    // Act
    const definition = tableDefinition('patchbridge-state');

    // Assess
    expect(definition.createTable.TableName).toBe('patchbridge-state');
    expect(definition.createTable.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(definition.createTable.BillingMode).toBe('PAY_PER_REQUEST');
    expect(definition.timeToLiveAttribute).toBe('expiresAt');
  });

  it.each([
    ['a claim with a TTL', 'CLAIM#nonce:1', 'CLAIM'],
    ['an idempotency record', 'IDEM#k-1', 'IDEM'],
  ])('when %s is written, then the item carries expiresAt in epoch seconds for DynamoDB TTL', async (_label, pk, sk) => {
    // Prepare
    const tableName = await freshTable();
    const clock = new ManualClock('2026-03-01T00:00:00.250Z');
    const store = createDynamoStore({ tableName, client: dynalite.client, clock, logger: silentLogger() });

    // Act
    await store.claim('nonce:1', 'api', 300);
    await store.beginIdempotent({ key: 'k-1', requestHash: 'h', status: 'in-progress', expiresAt: '2026-03-01T00:05:00.250Z' });
    const { Item } = await dynalite.client.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }));

    // Assess: 300 s after 00:00:00.250, rounded up so nothing expires early.
    expect(Item?.['expiresAt']).toBe(Date.parse('2026-03-01T00:05:01.000Z') / 1000);
  });

  it('when the table does not exist, then calls fail with MISCONFIGURED, which waits for an operator', async () => {
    // Prepare
    const store = createDynamoStore({ tableName: 'pb-missing', client: dynalite.client, clock: new ManualClock(), logger: silentLogger() });

    // Act
    const err = await store.getPatchRun('run-1').catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'MISCONFIGURED', retryable: false, spec: { retry: 'operator' }, details: { awsError: 'ResourceNotFoundException' } });
  });
});

describe('dynamodb patch run instances', () => {
  async function runPartition(tableName: string, id: string): Promise<Record<string, unknown>[]> {
    const out = await dynalite.client.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `RUN#${id}` }, ConsistentRead: true }),
    );
    return out.Items ?? [];
  }

  async function largeRun(client = dynalite.client): Promise<{ tableName: string; store: ReturnType<typeof createDynamoStore> }> {
    const tableName = await freshTable();
    const clock = new ManualClock();
    const store = createDynamoStore({ tableName, client, clock, logger: silentLogger() });
    await store.createPatchRun(patchRun(clock, { id: 'run-big' }));
    await store.updatePatchRun('run-big', { instances: manyInstances(2_000, 1) });
    return { tableName, store };
  }

  it('when a large run is rewritten, then its partition holds the run item and the current chunks only, each within the item limit', async () => {
    // Prepare
    const { tableName, store } = await largeRun();

    // Act
    await store.updatePatchRun('run-big', { instances: manyInstances(2_000, 2) });

    // Assess
    const items = await runPartition(tableName, 'run-big');
    const head = items.find((item) => item['sk'] === 'RUN');
    const chunks = items.filter((item) => String(item['sk']).startsWith('INST#'));
    expect(head).not.toHaveProperty('instances');
    expect(chunks.map((chunk) => String(chunk['sk']).split('#')[1])).toEqual(chunks.map(() => head?.['instancesGen']));
    expect(chunks).toHaveLength(Number(head?.['instancesChunks']));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(Buffer.byteLength(String(chunk['instances']))).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('when a large run is rewritten small, then its instances go back on the run item and no chunk is left', async () => {
    // Prepare
    const { tableName, store } = await largeRun();

    // Act
    await store.updatePatchRun('run-big', { instances: manyInstances(3, 2) });

    // Assess
    const items = await runPartition(tableName, 'run-big');
    expect(items.map((item) => item['sk'])).toEqual(['RUN']);
    expect(items[0]).not.toHaveProperty('instancesGen');
    expect(JSON.parse(String(items[0]?.['instances']))).toEqual(manyInstances(3, 2));
  });

  it('when two writers rewrite a large run at once, then a read returns one of their lists whole and only its chunks are left', async () => {
    // Prepare
    const { tableName, store } = await largeRun();

    // Act
    await Promise.all([
      store.updatePatchRun('run-big', { instances: manyInstances(2_000, 2) }),
      store.updatePatchRun('run-big', { instances: manyInstances(1_500, 3) }),
    ]);

    // Assess
    const read = (await store.getPatchRun('run-big'))?.instances;
    expect([manyInstances(2_000, 2), manyInstances(1_500, 3)]).toContainEqual(read);
    const items = await runPartition(tableName, 'run-big');
    const head = items.find((item) => item['sk'] === 'RUN');
    const chunks = items.filter((item) => String(item['sk']).startsWith('INST#'));
    expect(chunks).toHaveLength(Number(head?.['instancesChunks']));
    expect(new Set(chunks.map((chunk) => String(chunk['sk']).split('#')[1]))).toEqual(new Set([head?.['instancesGen']]));
  });

  it.each(['rewritten', 'created'] as const)('when a %s run item is written but the response is lost, then the run still reads whole: the chunks it points at are kept', async (how) => {
    // Prepare: DynamoDB applies the next write of a run item, then the client sees a timeout (a lost response, a reset).
    const lose = { armed: false };
    const lossy = new Proxy(dynalite.client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: { input: { Key?: { sk?: unknown }; Item?: { sk?: unknown } } }) => {
          const out: unknown = await target.send(command as never);
          if (lose.armed && (command.input.Key?.sk ?? command.input.Item?.sk) === 'RUN') {
            lose.armed = false;
            throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
          }
          return out;
        };
      },
    });
    const { store } = await largeRun(lossy as typeof dynalite.client);

    // Act
    lose.armed = true;
    const write =
      how === 'rewritten'
        ? store.updatePatchRun('run-big', { instances: manyInstances(2_000, 2) })
        : store.createPatchRun({ ...patchRun(new ManualClock(), { id: 'run-new' }), instances: manyInstances(2_000, 2) });
    await expect(write).rejects.toThrow();

    // Assess
    const read = await store.getPatchRun(how === 'rewritten' ? 'run-big' : 'run-new');
    expect(read?.instances).toEqual(manyInstances(2_000, 2));
    expect((await store.listPatchRuns({ limit: 20 })).items.length).toBeGreaterThan(0);
  });

  it('when a chunk of the current instances is missing, then reading the run fails with CORRUPT instead of returning some of them', async () => {
    // Prepare
    const { tableName, store } = await largeRun();
    const [chunk] = (await runPartition(tableName, 'run-big')).filter((item) => String(item['sk']).startsWith('INST#'));
    await dynalite.client.send(new DeleteCommand({ TableName: tableName, Key: { pk: chunk?.['pk'], sk: chunk?.['sk'] } }));

    // Act
    const err = await store.getPatchRun('run-big').catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'CORRUPT' });
  });
});

describe('dynamodb error mapping', () => {
  const awsError = (name: string, httpStatusCode?: number) =>
    Object.assign(new Error(name), { name, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'UNAVAILABLE', 'now'],
    ['ThrottlingException', 400, 'UNAVAILABLE', 'now'],
    ['InternalServerError', 500, 'UNAVAILABLE', 'now'],
    ['ServiceUnavailable', 503, 'UNAVAILABLE', 'now'],
    ['ECONNREFUSED', undefined, 'UNAVAILABLE', 'now'],
    ['AccessDeniedException', 400, 'MISCONFIGURED', 'operator'],
    ['ResourceNotFoundException', 400, 'MISCONFIGURED', 'operator'],
    ['UnrecognizedClientException', 400, 'MISCONFIGURED', 'operator'],
    ['ItemCollectionSizeLimitExceededException', 400, 'REJECTED', 'never'],
  ])('when DynamoDB fails with %s (%s), then it is %s, retried %s', (name, status, code, retry) => {
    // Act
    const mapped = mapDynamoError(awsError(name, status as number | undefined), 'PutItem');

    // Assess
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped).toMatchObject({ code, spec: { retry } });
  });

  it('when DynamoDB rejects the request as invalid, then it is a ValidationError', () => {
    // Act
    const mapped = mapDynamoError(awsError('ValidationException', 400), 'PutItem');

    // Assess
    expect(mapped).toBeInstanceOf(ValidationError);
    expect(mapped).toMatchObject({ code: 'VALIDATION_FAILED', retryable: false });
  });
});
