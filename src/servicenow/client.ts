import { z } from 'zod';
import { type Clock, type Logger, silentLogger, systemClock, ValidationError } from '../core/index.js';
import { parseServiceNowDate } from './dates.js';
import { EncodedQuery, encodedQuery, QUERY_VALUE_PATTERNS } from './encoded-query.js';
import { ServiceNowError } from './errors.js';
import type {
  AffectedCi,
  AttachmentRecord,
  AttachmentUpload,
  CallOptions,
  ChangeRequest,
  CiRecord,
  CredentialSource,
  FailureImportRow,
  ImportMultipleResult,
  ImportRowResult,
  ImportStagingTable,
  IncidentRecord,
  ListOptions,
  RecordValues,
  ReferenceKind,
  ServiceNowClient,
  ServiceNowLimits,
  ServiceNowTable,
  SnRecord,
} from './ports.js';
import { DEFAULT_LIMITS, type RawResult, Transport } from './transport.js';
import { ID_SOURCES } from '../domain/index.js';

export interface CreateServiceNowClientOptions {
  /** `https://acme.service-now.com`; if omitted, the credentials' `instanceUrl` is used. */
  readonly instanceUrl?: string;
  readonly auth: CredentialSource;
  readonly logger?: Logger;
  readonly limits?: Partial<ServiceNowLimits>;
  readonly clock?: Clock;
  /** Jitter source in [0, 1); inject for deterministic tests. */
  readonly random?: () => number;
}

const TABLES: ReadonlySet<string> = new Set<ServiceNowTable>([
  'incident',
  'change_request',
  'sc_req_item',
  'sc_task',
  'cmdb_ci',
  'cmdb_ci_vm_instance',
  'cmdb_ci_server',
  'sys_user',
  'sys_user_group',
  'sys_journal_field',
  'sys_import_set_row',
  'task_ci',
  'x_pbridge_patch_run',
  'x_pbridge_window',
]);
const STAGING_TABLES: ReadonlySet<string> = new Set<ImportStagingTable>(['x_pbridge_failure_import']);
const FIELD_NAME = /^[a-z][a-z0-9_]{0,79}(\.[a-z][a-z0-9_]{0,79}){0,3}$/;
/** ServiceNow recommends at most 200 records per insertMultiple. */
const IMPORT_BATCH = 200;
/** Keeps each `object_idIN…` query (and its URL) short. */
const CI_BATCH = 100;
const MAX_PAGE = 10_000;
/** `install_status` of a retired CI. */
const RETIRED = 7;

const CHANGE_FIELDS = [
  'sys_id',
  'number',
  'state',
  'approval',
  'start_date',
  'end_date',
  'active',
  'type',
  'short_description',
  'description',
  'assignment_group',
  'cmdb_ci',
  'sys_updated_on',
] as const;
const CI_FIELDS = ['sys_id', 'name', 'object_id', 'support_group', 'assignment_group', 'operational_status', 'install_status'] as const;
const INCIDENT_FIELDS = [
  'sys_id',
  'number',
  'state',
  'active',
  'correlation_id',
  'short_description',
  'assignment_group',
  'sys_updated_on',
] as const;

const IMPORT_ROW_FIELDS = [
  'sys_import_set',
  'sys_import_row',
  'sys_import_state',
  'sys_import_state_comment',
  'sys_target_table',
  'sys_target_sys_id',
  'sys_transform_map',
] as const;

const resultObject = z.object({ result: z.record(z.string(), z.unknown()) });
const resultArray = z.object({ result: z.array(z.record(z.string(), z.unknown())) });
const importRow = z.object({
  transform_map: z.string().default(''),
  table: z.string().default(''),
  display_name: z.string().default(''),
  display_value: z.string().default(''),
  record_link: z.string().default(''),
  status: z.enum(['inserted', 'updated', 'ignored', 'skipped', 'error']),
  sys_id: z.string().default(''),
  status_message: z.string().optional(),
  error_message: z.string().optional(),
});
const importSingle = z.object({ import_set: z.string(), staging_table: z.string(), result: z.array(importRow) });
const importMultiple = z.object({
  import_set_id: z.string(),
  multi_import_set_id: z.string(),
  result: z.array(importRow).optional(),
});
const attachment = z.object({
  sys_id: z.string(),
  file_name: z.string(),
  content_type: z.string(),
  size_bytes: z.string(),
  table_name: z.string(),
  table_sys_id: z.string(),
  download_link: z.string(),
});

/**
 * Builds the ServiceNow client every flow uses (see `ServiceNowClient`).
 * URLs are built once; calls share one token cache and one in-flight limit.
 *
 * @example
 * const sn = createServiceNowClient({ instanceUrl, auth: cachedCredentials({ load }), logger, clock });
 * const change = await sn.getChangeRequest('CHG0030001');
 */
export function createServiceNowClient(options: CreateServiceNowClientOptions): ServiceNowClient {
  const limits: ServiceNowLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const transport = new Transport({
    ...(options.instanceUrl !== undefined ? { instanceUrl: options.instanceUrl } : {}),
    credentials: options.auth,
    limits,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger(),
    random: options.random ?? Math.random,
  });

  async function* list<F extends string>(table: ServiceNowTable, opts: ListOptions<F>, call: CallOptions = {}): AsyncGenerator<SnRecord<F>> {
    checkTable(table);
    if (opts.query !== undefined && !(opts.query instanceof EncodedQuery)) {
      throw new ValidationError('INVALID_QUERY_VALUE', 'queries must be built with encodedQuery()');
    }
    const query = opts.query;
    // The key fields come back too, so every row can be checked against what was asked.
    const fields = fieldList([...opts.fields, ...(query?.keys.map((k) => k.field) ?? [])]);
    const max = opts.limit ?? Number.POSITIVE_INFINITY;
    if (max <= 0) return;
    const pageSize = Math.min(opts.pageSize ?? limits.pageSize, MAX_PAGE, max);
    const urls = await transport.urls();
    const first = new URL(urls.table(table));
    if (opts.query) first.searchParams.set('sysparm_query', opts.query.toString());
    first.searchParams.set('sysparm_fields', fields.join(','));
    first.searchParams.set('sysparm_limit', String(pageSize));
    first.searchParams.set('sysparm_exclude_reference_link', 'true');
    let next: string | undefined = first.toString();
    let yielded = 0;
    let pages = 0;
    let maxPages = Number.POSITIVE_INFINITY;
    while (next) {
      const url: string = next;
      const result = await transport.send(() => ({ method: 'GET', url }), call);
      const page = parse(resultArray, result, 'GET', table).result;
      pages++;
      // X-Total-Count counts rows before ACLs, so it bounds the pages even when some come back empty.
      const total = Number(headerValue(result, 'x-total-count'));
      if (pages === 1 && Number.isInteger(total) && total >= 0) maxPages = Math.ceil(total / pageSize) + 1;
      for (const raw of page) {
        const row = normalise<F>(raw, fields);
        const wrong = query?.mismatch(row);
        if (wrong) {
          throw new ServiceNowError('QUERY_NOT_APPLIED', `ServiceNow returned a ${table} row whose ${wrong} does not match the query: the instance dropped a condition`, {
            status: result.status,
            request: { method: 'GET', path: `/api/now/table/${table}` },
          });
        }
        yield row;
        if (++yielded >= max) return;
      }
      // sysparm_limit applies before ACLs: an empty page does not mean the end while rel="next" says otherwise.
      const hasCount = Number.isFinite(maxPages);
      next = (page.length > 0 || hasCount) && pages < maxPages ? nextLink(result, urls.origin, table) : undefined;
    }
  }

  async function getRecord<F extends string>(table: ServiceNowTable, sysId: string, fields: readonly F[]): Promise<SnRecord<F> | undefined> {
    checkTable(table);
    checkSysId(sysId);
    const names = fieldList(fields);
    try {
      const result = await transport.send((urls) => ({ method: 'GET', url: withFields(urls.table(table, sysId), names) }));
      return normalise(parse(resultObject, result, 'GET', table).result, names);
    } catch (error) {
      if (error instanceof ServiceNowError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async function write<F extends string>(
    method: 'POST' | 'PATCH',
    table: ServiceNowTable,
    sysId: string | undefined,
    values: RecordValues,
    fields: readonly F[],
  ): Promise<SnRecord<F>> {
    checkTable(table);
    if (sysId !== undefined) checkSysId(sysId);
    for (const name of Object.keys(values)) {
      if (!FIELD_NAME.test(name)) throw new ValidationError('VALIDATION_FAILED', `invalid field name "${name.slice(0, 80)}"`);
    }
    const names = fieldList(fields);
    // A POST creates a record: re-sending it after an ambiguous failure could create two.
    const result = await transport.send((urls) => ({ method, url: withFields(urls.table(table, sysId), names), json: values, idempotent: method !== 'POST' }));
    return normalise(parse(resultObject, result, method, table).result, names);
  }

  function importErrors(rows: readonly ImportRowResult[], path: string): void {
    const failed = rows.filter((r) => r.status === 'error');
    if (failed.length === 0) return;
    const first = failed[0];
    throw new ServiceNowError(
      'IMPORT_ROW_ERROR',
      `ServiceNow import rejected ${failed.length} of ${rows.length} row(s): ${first?.error_message ?? first?.status_message ?? 'transform error'}`,
      {
        rows,
        envelope: { message: first?.error_message ?? first?.status_message ?? 'transform error' },
        request: { method: 'POST', path },
      },
    );
  }

  /**
   * Reads the outcome of an asynchronously transformed import set from
   * `sys_import_set_row`, waiting (up to `importPollMs`) while rows are pending.
   * A row still pending, or missing, is `unknown`.
   */
  async function importSetOutcome(importSetId: string, count: number): Promise<ImportRowResult[]> {
    if (!QUERY_VALUE_PATTERNS.sysId.test(importSetId)) {
      throw new ServiceNowError('INVALID_RESPONSE', 'ServiceNow insertMultiple returned an invalid import_set_id', {});
    }
    const query = encodedQuery().eq('sys_import_set', importSetId).orderBy('sys_import_row').build();
    const clock = options.clock ?? systemClock;
    const deadline = clock.now().getTime() + limits.importPollMs;
    let byRow = new Map<number, SnRecord<(typeof IMPORT_ROW_FIELDS)[number]>>();
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      byRow = new Map();
      for await (const r of list('sys_import_set_row', { query, fields: IMPORT_ROW_FIELDS, pageSize: Math.min(count, MAX_PAGE) })) {
        if (r.sys_import_set !== importSetId) continue;
        byRow.set(Number(r.sys_import_row), r);
      }
      const pending = byRow.size < count || [...byRow.values()].some((r) => r.sys_import_state === 'pending');
      if (!pending || clock.now().getTime() + wait > deadline) break;
      await clock.sleep(wait);
    }
    return Array.from({ length: count }, (_, i): ImportRowResult => {
      const r = byRow.get(i);
      const state = r?.sys_import_state ?? '';
      const status = (['inserted', 'updated', 'ignored', 'skipped', 'error'] as const).find((s) => s === state) ?? 'unknown';
      const message = r?.sys_import_state_comment ?? '';
      return {
        transform_map: r?.sys_transform_map ?? '',
        table: status === 'unknown' ? '' : (r?.sys_target_table ?? ''),
        display_name: '',
        display_value: '',
        record_link: '',
        status,
        sys_id: status === 'unknown' ? '' : (r?.sys_target_sys_id ?? ''),
        ...(message ? { status_message: message, ...(status === 'error' ? { error_message: message } : {}) } : {}),
      };
    });
  }

  const references = new Map<string, { readonly sysId: string | undefined; readonly until: number }>();
  const REFERENCE_LOOKUPS: Record<ReferenceKind, { table: ServiceNowTable; key: 'name' | 'number'; query: (value: string) => EncodedQuery }> = {
    group: { table: 'sys_user_group', key: 'name', query: (v) => encodedQuery().eq('name', v).eq('active', true).build() },
    ci: { table: 'cmdb_ci', key: 'name', query: (v) => encodedQuery().eq('name', v).ne('install_status', 7).orderByDesc('sys_updated_on').build() },
    requestedItem: { table: 'sc_req_item', key: 'number', query: (v) => encodedQuery().eq('number', v).build() },
  };

  async function resolveReference(kind: ReferenceKind, value: string): Promise<string | undefined> {
    if (QUERY_VALUE_PATTERNS.sysId.test(value)) return value;
    const clock = options.clock ?? systemClock;
    const cacheKey = `${kind}\u0000${value}`;
    const cached = references.get(cacheKey);
    if (cached && cached.until > clock.now().getTime()) return cached.sysId;
    const lookup = REFERENCE_LOOKUPS[kind];
    let sysId: string | undefined;
    for await (const r of list(lookup.table, { query: lookup.query(value), fields: [lookup.key], limit: 1 })) sysId = r.sys_id;
    references.set(cacheKey, { sysId, until: clock.now().getTime() + limits.referenceCacheMs });
    return sysId;
  }

  const client: ServiceNowClient = {
    resolveReference,
    getRecord,
    listRecords: (table, opts) => list(table, opts),
    createRecord: (table, values, fields) => write('POST', table, undefined, values, fields),
    patchRecord: (table, sysId, values, fields) => write('PATCH', table, sysId, values, fields),

    async importRow(stagingTable, row) {
      checkStaging(stagingTable);
      const body = stringRow(row);
      const result = await transport.send((urls) => ({ method: 'POST', url: urls.importSet(stagingTable, false), json: body }));
      const parsed = parse(importSingle, result, 'POST', stagingTable);
      const rows = parsed.result.map(toImportRow);
      const path = `/api/now/import/${stagingTable}`;
      importErrors(rows, path);
      const target = rows.find((r) => r.table === 'incident' && (r.status === 'inserted' || r.status === 'updated'));
      if (target) {
        if (!QUERY_VALUE_PATTERNS.sysId.test(target.sys_id)) {
          throw new ServiceNowError('INVALID_RESPONSE', 'ServiceNow import result has no incident sys_id', { rows, request: { method: 'POST', path } });
        }
        return target;
      }
      throw notTransformed(stagingTable, rows, path);
    },

    async importRows(stagingTable, rows) {
      checkStaging(stagingTable);
      const bodies = rows.map(stringRow);
      const all: ImportRowResult[] = [];
      let importSetId = '';
      let multiImportSetId = '';
      for (let i = 0; i < bodies.length; i += IMPORT_BATCH) {
        const records = bodies.slice(i, i + IMPORT_BATCH);
        const query = multiImportSetId ? `?multi_import_set_id=${encodeURIComponent(multiImportSetId)}` : '';
        const result = await transport.send((urls) => ({ method: 'POST', url: `${urls.importSet(stagingTable, true)}${query}`, json: { records } }));
        const parsed = parse(importMultiple, result, 'POST', stagingTable, 'import_set_id');
        importSetId ||= parsed.import_set_id;
        multiImportSetId ||= parsed.multi_import_set_id;
        // Asynchronous (the platform default): no per-row results, so read each row's outcome.
        all.push(...(parsed.result ? parsed.result.map(toImportRow) : await importSetOutcome(parsed.import_set_id, records.length)));
      }
      importErrors(all, `/api/now/import/${stagingTable}/insertMultiple`);
      return { importSetId, multiImportSetId, rows: all } satisfies ImportMultipleResult;
    },

    async uploadAttachment(upload: AttachmentUpload): Promise<AttachmentRecord> {
      checkTable(upload.table);
      checkSysId(upload.sysId);
      if (!/^[^\\/\r\n\t\0]{1,255}$/.test(upload.fileName)) throw new ValidationError('VALIDATION_FAILED', 'invalid attachment file name');
      if (!/^[\w.+-]+\/[\w.+-]+(;\s*[\w.+-]+=[\w.+-]+)*$/.test(upload.contentType)) {
        throw new ValidationError('VALIDATION_FAILED', 'invalid attachment content type');
      }
      const result = await transport.send((urls) => {
        const url = new URL(urls.attachment);
        url.searchParams.set('table_name', upload.table);
        url.searchParams.set('table_sys_id', upload.sysId);
        url.searchParams.set('file_name', upload.fileName);
        return { method: 'POST', url: url.toString(), body: upload.body, headers: { 'content-type': upload.contentType }, idempotent: false };
      });
      return parse(z.object({ result: attachment }), result, 'POST', 'attachment').result;
    },

    async getChangeRequest(number, options = {}) {
      if (!QUERY_VALUE_PATTERNS.change.test(number)) {
        throw new ValidationError('INVALID_QUERY_VALUE', `change request number must match ^${ID_SOURCES.changeNumber}$`, { details: { field: 'number' } });
      }
      const query = encodedQuery().eq('number', number).build();
      for await (const r of list('change_request', { query, fields: CHANGE_FIELDS, limit: 1 }, options)) {
        return {
          sys_id: r.sys_id,
          number: r.number,
          state: r.state === '' ? Number.NaN : Number(r.state),
          approval: r.approval,
          start_date: parseServiceNowDate(r.start_date),
          end_date: parseServiceNowDate(r.end_date),
          active: r.active === 'true',
          type: r.type,
          short_description: r.short_description,
          description: r.description,
          assignment_group: r.assignment_group,
          cmdb_ci: r.cmdb_ci,
          sys_updated_on: parseServiceNowDate(r.sys_updated_on),
        } satisfies ChangeRequest;
      }
      return undefined;
    },

    async findCisByInstanceIds(instanceIds) {
      const all = await client.findAllCisByInstanceIds(instanceIds);
      return new Map([...all].map(([id, found]) => [id, found[0]!]));
    },

    async findAllCisByInstanceIds(instanceIds) {
      const ids = [...new Set(instanceIds)];
      // Validate every id before the first request, so a bad id sends nothing.
      const batchesOf = (some: readonly string[]): EncodedQuery[] => {
        const out: EncodedQuery[] = [];
        for (let i = 0; i < some.length; i += CI_BATCH) {
          out.push(encodedQuery().in('object_id', some.slice(i, i + CI_BATCH)).ne('install_status', RETIRED).orderByDesc('sys_updated_on').build());
        }
        return out;
      };
      const found = new Map<string, CiRecord[]>();
      const lookIn = (table: ServiceNowTable, batches: readonly EncodedQuery[]) =>
        Promise.all(
          batches.map(async (query) => {
            // Newest first, so the first CI of an id is the one that wins over stale duplicates.
            for await (const r of list(table, { query, fields: CI_FIELDS, pageSize: 1000 })) found.set(r.object_id, [...(found.get(r.object_id) ?? []), r]);
          }),
        );
      await lookIn('cmdb_ci_vm_instance', batchesOf(ids));
      // Hybrid (mi-) nodes and servers discovered outside the cloud connector live in cmdb_ci_server.
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) await lookIn('cmdb_ci_server', batchesOf(missing));
      return found;
    },

    async affectedCis(taskSysId) {
      const links = encodedQuery().eq('task', taskSysId).orderBy('sys_id').build();
      const ciIds = new Set<string>();
      for await (const r of list('task_ci', { query: links, fields: ['ci_item'], pageSize: 1000 })) {
        if (r.ci_item !== '') ciIds.add(r.ci_item);
      }
      const ids = [...ciIds];
      const found: AffectedCi[] = [];
      for (let i = 0; i < ids.length; i += CI_BATCH) {
        const query = encodedQuery().in('sys_id', ids.slice(i, i + CI_BATCH)).orderBy('sys_id').build();
        for await (const r of list('cmdb_ci', { query, fields: ['name'], pageSize: 1000 })) found.push({ sys_id: r.sys_id, name: r.name });
      }
      // A link to a CI this user cannot read (or that is gone) still covers that sys_id; it just has no name.
      const named = new Set(found.map((c) => c.sys_id));
      return [...found, ...ids.filter((id) => !named.has(id)).map((id) => ({ sys_id: id, name: '' }))];
    },

    async findActiveIncidentByCorrelationId(correlationId) {
      const query = encodedQuery().eq('correlation_id', correlationId).eq('active', true).orderByDesc('sys_created_on').build();
      for await (const r of list('incident', { query, fields: INCIDENT_FIELDS, limit: 1 })) {
        return { ...r, active: r.active === 'true', sys_updated_on: parseServiceNowDate(r.sys_updated_on) } satisfies IncidentRecord;
      }
      return undefined;
    },

    async addWorkNote(table, sysId, text) {
      if (text.trim() === '') throw new ValidationError('VALIDATION_FAILED', 'a work note needs text');
      await write('PATCH', table, sysId, { work_notes: text }, ['sys_id']);
      // A field-level write ACL makes the instance skip work_notes and still answer 200: read the journal back.
      const query = encodedQuery().eq('element_id', sysId).eq('element', 'work_notes').eq('name', table).orderByDesc('sys_created_on').build();
      try {
        for await (const entry of list('sys_journal_field', { query, fields: ['value'], limit: 20, pageSize: 20 })) {
          if (entry.value.trim() === text.trim()) return;
        }
      } catch (error) {
        if (error instanceof ServiceNowError && error.code === 'FORBIDDEN') {
          (options.logger ?? silentLogger()).warn({ table }, 'servicenow: cannot read sys_journal_field to verify a work note; trusting the 200');
          return;
        }
        throw error;
      }
      throw new ServiceNowError('WRITE_IGNORED', `ServiceNow accepted a work note on ${table} but did not write it (a field ACL denies work_notes to the integration user?)`, {
        request: { method: 'PATCH', path: `/api/now/table/${table}` },
      });
    },

    async ping() {
      await transport.send((urls) => ({ method: 'GET', url: `${urls.table('sys_user')}?sysparm_limit=1&sysparm_fields=sys_id` }));
    },
  };
  return client;
}

function checkTable(table: string): void {
  if (!TABLES.has(table)) throw new ValidationError('VALIDATION_FAILED', `table "${String(table).slice(0, 80)}" is not allowed`);
}

function checkStaging(table: string): void {
  if (!STAGING_TABLES.has(table)) throw new ValidationError('VALIDATION_FAILED', `staging table "${String(table).slice(0, 80)}" is not allowed`);
}

function checkSysId(sysId: string): void {
  if (!QUERY_VALUE_PATTERNS.sysId.test(sysId)) throw new ValidationError('VALIDATION_FAILED', 'sys_id must be 32 lowercase hex characters');
}

function fieldList<F extends string>(fields: readonly F[]): (F | 'sys_id')[] {
  if (fields.length === 0) throw new ValidationError('VALIDATION_FAILED', 'sysparm_fields must name the fields the caller needs');
  for (const f of fields) if (!FIELD_NAME.test(f)) throw new ValidationError('VALIDATION_FAILED', `invalid field name "${f.slice(0, 80)}"`);
  return [...new Set<F | 'sys_id'>(['sys_id', ...fields])];
}

function headerValue(result: RawResult, name: string): string | undefined {
  const value = result.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withFields(url: string, fields: readonly string[]): string {
  const u = new URL(url);
  u.searchParams.set('sysparm_fields', fields.join(','));
  u.searchParams.set('sysparm_exclude_reference_link', 'true');
  return u.toString();
}

/** Every requested field as a string; references arrive as sys_ids (or `{value}` if a proxy re-adds links). */
function normalise<F extends string>(raw: Record<string, unknown>, fields: readonly string[]): SnRecord<F> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = raw[f];
    if (typeof v === 'string') out[f] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[f] = String(v);
    else if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['value'] === 'string') {
      out[f] = (v as Record<string, string>)['value'] ?? '';
    } else out[f] = '';
  }
  return out as SnRecord<F>;
}

function stringRow(row: FailureImportRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new ValidationError('VALIDATION_FAILED', `import field "${k}" must be a string`);
    if (!FIELD_NAME.test(k)) throw new ValidationError('VALIDATION_FAILED', `invalid import field "${k.slice(0, 80)}"`);
    out[k] = v;
  }
  return out;
}

/**
 * The typed error for a single-row import that did not become an incident,
 * naming the likely misconfiguration on the instance.
 */
function notTransformed(stagingTable: string, rows: readonly ImportRowResult[], path: string): ServiceNowError {
  const row = rows[0];
  const stayed = !row || row.table === '' || row.table === stagingTable;
  const message = stayed
    ? `ServiceNow kept the row in the staging table ${stagingTable} without transforming it: its import set mode is asynchronous, or no transform map is active; set the mode to synchronous (the scoped app's default)`
    : `ServiceNow transform map "${row.transform_map}" answered "${row.status}" for table "${row.table}" instead of inserting or updating an incident: check that the transform map targets incident and that its scripts do not ignore the row`;
  return new ServiceNowError('IMPORT_NOT_TRANSFORMED', message, { rows, envelope: { message }, request: { method: 'POST', path } });
}

function toImportRow(row: z.infer<typeof importRow>): ImportRowResult {
  const { status_message, error_message, ...rest } = row;
  return {
    ...rest,
    ...(status_message !== undefined ? { status_message } : {}),
    ...(error_message !== undefined ? { error_message } : {}),
  };
}

/**
 * Validates a 2xx body. Missing the top-level key (`result`, or `required`)
 * is what a hibernating or half-up instance returns → INSTANCE_UNAVAILABLE;
 * the key present but malformed → INVALID_RESPONSE.
 */
function parse<T>(schema: z.ZodType<T>, result: RawResult, method: string, what: string, required = 'result'): T {
  const body = result.json;
  if (typeof body !== 'object' || body === null || !(required in body)) {
    throw new ServiceNowError('INSTANCE_UNAVAILABLE', `ServiceNow ${method} ${what} returned no "${required}" (instance unavailable?)`, {
      status: result.status,
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ServiceNowError('INVALID_RESPONSE', `ServiceNow ${method} ${what} returned an unexpected shape`, {
      status: result.status,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * The `rel="next"` URL of a Table API page. Only a link back to the same
 * instance and table is followed: the request carries our credentials.
 */
function nextLink(result: RawResult, origin: string, table: string): string | undefined {
  const raw = result.headers['link'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!value) return undefined;
  for (const m of value.matchAll(/<([^>]*)>\s*;\s*rel="?([^";,]+)"?/g)) {
    if (m[2] !== 'next' || !m[1]) continue;
    let url: URL;
    try {
      url = new URL(m[1], origin);
    } catch {
      return undefined;
    }
    if (url.origin !== origin || url.pathname !== `/api/now/table/${table}`) {
      throw new ServiceNowError('INVALID_RESPONSE', 'ServiceNow pagination link points outside the instance table', {
        status: result.status,
      });
    }
    return url.toString();
  }
  return undefined;
}
