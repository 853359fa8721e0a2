
import { runsScope } from '../common/cursor.js';
import { parseStored, patchRunSchema, preparePatch, preparePatchRun, prepareRefreshMark } from '../common/records.js';
import { StoreError } from '../errors.js';
import type { PatchRunStore } from '../ports.js';
import type { PatchRunRecord } from '../types.js';
import { CONDITION_FAILED, type DynamoConnection } from './connection.js';
import { DynamoDocs, listSortKey } from './docs.js';
import { defined, type Key } from './items.js';
import { RunInstances } from './run-instances.js';
import { INDEX } from './table.js';

const RUNS = 'RUN';

/**
 * Patch runs as `RUN#<id>` documents: newest first on gsi1, by change number
 * on gsi2, by SSM execution id on gsi3 (sparse).
 */
export function dynamoPatchRuns(conn: DynamoConnection): PatchRunStore {
  const key = (id: string): Key => ({ pk: `RUN#${id}`, sk: RUNS });
  const instances = new RunInstances(conn, key);
  const runs = new DynamoDocs<PatchRunRecord>(conn, {
    what: 'patch run',
    schema: patchRunSchema,
    key,
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
    expand: (item) => instances.expand(item),
  });

  return {
    async createPatchRun(run) {
      const record = preparePatchRun(run);
      if (record.instances === undefined) return runs.create(record);
      const layout = await instances.place(record.id, record.instances);
      try {
        await runs.create(record, layout);
      } catch (err) {
        await instances.dropUnlessCurrent(record.id, layout.generation);
        throw err;
      }
    },

    async getPatchRun(id) {
      return runs.get(id);
    },

    async updatePatchRun(id, patch) {
      if (patch.instances === undefined) return runs.update(id, patch);
      // Checked before any chunk is written, so a bad patch leaves nothing behind.
      const fields = preparePatch(patchRunSchema, patch, 'patch run update');
      const written = parseStored(patchRunSchema.shape.instances, fields['instances'], 'patch run instances');
      const layout = await instances.place(id, written ?? []);
      let result: Awaited<ReturnType<typeof runs.updateItem>>;
      try {
        result = await runs.updateItem(id, fields, layout);
      } catch (err) {
        await instances.dropUnlessCurrent(id, layout.generation);
        throw err;
      }
      await instances.drop(id, result.previous, layout.generation);
      return runs.decode({ ...result.item, instances: written });
    },

    async findPatchRunByExecution(executionId) {
      const [item] = await conn.query(
        {
          IndexName: INDEX.gsi3,
          KeyConditionExpression: 'gsi3pk = :p',
          ExpressionAttributeValues: { ':p': `RUNEXEC#${executionId}` },
          ScanIndexForward: false,
        },
        1,
      );
      return item === undefined ? undefined : runs.read(item);
    },

    async beginRunRefresh(id, mark) {
      const m = prepareRefreshMark(mark);
      const result = await conn.updateIf({
        Key: key(id),
        UpdateExpression: 'SET #lease = :lease',
        // ISO-8601 UTC strings of one format compare in time order.
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(#fresh) OR #fresh < :stale) AND (attribute_not_exists(#lease) OR #lease < :now)',
        ExpressionAttributeNames: { '#lease': 'refreshLeaseUntil', '#fresh': 'refreshedAt' },
        ExpressionAttributeValues: { ':lease': m.leaseUntil, ':stale': m.staleBefore, ':now': conn.clock.now().toISOString() },
      });
      if (result !== CONDITION_FAILED) return true;
      if ((await conn.getItem(key(id))) === undefined) throw new StoreError('NOT_FOUND', 'patch run not found', { details: { id } });
      return false;
    },

    async listPatchRuns(query) {
      const scope = runsScope(query.changeNumber);
      return query.changeNumber === undefined
        ? runs.listNewest('gsi1', RUNS, query, scope)
        : runs.listNewest('gsi2', `RUNCHG#${query.changeNumber}`, query, scope);
    },
  };
}
