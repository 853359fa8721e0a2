import type { Readable } from 'node:stream';
import type { EncodedQuery } from './encoded-query.js';

/** Tables patchbridge reads or writes through the Table API. */
export type ServiceNowTable =
  | 'incident'
  | 'change_request'
  | 'sc_req_item'
  | 'sc_task'
  | 'cmdb_ci'
  | 'cmdb_ci_vm_instance'
  | 'cmdb_ci_server'
  | 'sys_user'
  | 'sys_user_group'
  | 'sys_journal_field'
  | 'sys_import_set_row'
  | 'task_ci'
  | 'x_pbridge_patch_run'
  | 'x_pbridge_window';

/** Reference targets the client resolves to sys_ids before a write. */
export type ReferenceKind = 'group' | 'ci' | 'requestedItem';

/** Import-set staging tables of the scoped app (`x_pbridge`). */
export type ImportStagingTable = 'x_pbridge_failure_import';

/**
 * A Table API record as the client returns it. The client always sends
 * `sysparm_exclude_reference_link=true`, so references are bare sys_ids and
 * every value is a string; a requested field the record lacks comes back as `''`.
 */
export type SnRecord<F extends string = string> = { readonly [K in F | 'sys_id']: string };

/**
 * Values to write. ServiceNow coerces everything to strings server-side; dates
 * go as `YYYY-MM-DD HH:mm:ss` UTC (see `formatServiceNowDate`).
 */
export type RecordValues = Readonly<Record<string, string | number | boolean>>;

/** How one call is made. */
export interface CallOptions {
  /**
   * `guard`: a decision someone waits on (the window guard). It has its own
   * in-flight slot, so it never queues behind bulk writes, and no retries: any
   * failure is answered at once, and the caller's deadline bounds the wait.
   */
  readonly lane?: 'guard';
  /** Aborts the call: its request in flight and any retry wait. */
  readonly signal?: AbortSignal;
}

export interface ListOptions<F extends string> {
  /** Built only by `encodedQuery()`; a raw string is refused. */
  readonly query?: EncodedQuery;
  /** Sent as `sysparm_fields`; always required so no call pulls whole records. */
  readonly fields: readonly F[];
  /** Records per page (`sysparm_limit`); default from the client's limits (100), at most 10 000. */
  readonly pageSize?: number;
  /** Stop after this many records in total. */
  readonly limit?: number;
}

/** Change `state` values of the default change model (Table API returns them as strings). */
export const CHANGE_STATE = {
  NEW: -5,
  ASSESS: -4,
  AUTHORIZE: -3,
  SCHEDULED: -2,
  IMPLEMENT: -1,
  REVIEW: 0,
  CLOSED: 3,
  CANCELED: 4,
} as const;

/** Task `approval` choices. Instances may add their own, hence the open string. */
export type ChangeApproval =
  | 'not requested'
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'not_required'
  | 'duplicate'
  | (string & {});

/** A change request, re-read from ServiceNow (never taken from a caller's payload). */
export interface ChangeRequest {
  readonly sys_id: string;
  readonly number: string;
  /** Numeric state: Scheduled is -2, Implement is -1 (see `CHANGE_STATE`). `NaN` if empty. */
  readonly state: number;
  readonly approval: ChangeApproval;
  /** Planned start; `undefined` when empty. Parsed from `YYYY-MM-DD HH:mm:ss` UTC. */
  readonly start_date: Date | undefined;
  /** Planned end; `undefined` when empty. */
  readonly end_date: Date | undefined;
  readonly active: boolean;
  /** `normal`, `standard`, `emergency`. */
  readonly type: string;
  readonly short_description: string;
  readonly description: string;
  /** sys_id of the assignment group, or `''`. */
  readonly assignment_group: string;
  /** sys_id of the CI, or `''`. */
  readonly cmdb_ci: string;
  readonly sys_updated_on: Date | undefined;
}

/** A CI a task names: an affected CI (`task_ci`) or the task's own `cmdb_ci`. */
export interface AffectedCi {
  readonly sys_id: string;
  readonly name: string;
}

/** A `cmdb_ci_vm_instance` record; `object_id` is the EC2 / managed instance id. */
export interface CiRecord {
  readonly sys_id: string;
  readonly name: string;
  readonly object_id: string;
  /** sys_id of the support group, or `''`. */
  readonly support_group: string;
  /** sys_id of the assignment group, or `''`. */
  readonly assignment_group: string;
  readonly operational_status: string;
  readonly install_status: string;
}

/** The fields of an `incident` the incident flow needs. */
export interface IncidentRecord {
  readonly sys_id: string;
  readonly number: string;
  readonly state: string;
  readonly active: boolean;
  readonly correlation_id: string;
  readonly short_description: string;
  readonly assignment_group: string;
  readonly sys_updated_on: Date | undefined;
}

/**
 * One row for the scoped app's staging table `x_pbridge_failure_import`.
 * The Import Set API accepts string values only.
 */
export interface FailureImportRow {
  readonly correlation_id: string;
  readonly correlation_display: string;
  /** Required when the row may open an incident; a resolve row carries none. */
  readonly short_description?: string;
  readonly description?: string;
  /** `1`..`3` */
  readonly impact?: string;
  /** `1`..`3` */
  readonly urgency?: string;
  /** Group name or sys_id; the transform map resolves either. */
  readonly assignment_group?: string;
  /** Comma-separated instance ids. */
  readonly instance_ids?: string;
  readonly account?: string;
  readonly region?: string;
  readonly patch_group?: string;
  readonly execution_id?: string;
  /** Change request number (`CHG…`). */
  readonly change_request?: string;
  /** Appended to the incident's work notes on insert and on update. */
  readonly work_note?: string;
  /** Configuration item sys_id or name. */
  readonly cmdb_ci?: string;
  /**
   * A resolve row: the transform resolves the open incident of `correlation_id`
   * with this close code, `close_notes` and `work_note`, and ignores the row when
   * there is none (it never opens an incident).
   */
  readonly close_code?: string;
  readonly close_notes?: string;
}

/**
 * A row's transform outcome. `unknown`: the instance transforms asynchronously and
 * `sys_import_set_row` still showed the row pending when the client stopped waiting.
 */
export type ImportRowStatus = 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error' | 'unknown';

/** One element of the Import Set API's `result[]` (documented shape). */
export interface ImportRowResult {
  readonly transform_map: string;
  /** Target table, e.g. `incident`. */
  readonly table: string;
  /** Display column of the target, e.g. `number`. */
  readonly display_name: string;
  /** Display value of the target, e.g. `INC0010001`. */
  readonly display_value: string;
  /** Table API URL of the target record. */
  readonly record_link: string;
  readonly status: ImportRowStatus;
  /** sys_id of the target record (of the staging row when nothing was transformed). */
  readonly sys_id: string;
  readonly status_message?: string;
  readonly error_message?: string;
}

/** What `importRows` (insertMultiple) returns. */
export interface ImportMultipleResult {
  /** sys_id in `sys_import_set`. */
  readonly importSetId: string;
  /** sys_id in `sys_multi_import_set`. */
  readonly multiImportSetId: string;
  /**
   * Per-row results, in request order. When insertMultiple answers without them
   * (the platform default: asynchronous), they are read from `sys_import_set_row`;
   * a row still pending when the client stops waiting is `unknown`, never guessed.
   */
  readonly rows: readonly ImportRowResult[];
}

export interface AttachmentUpload {
  readonly table: ServiceNowTable;
  readonly sysId: string;
  readonly fileName: string;
  readonly contentType: string;
  /**
   * A `Buffer`/string or a factory of fresh streams can be retried. A bare
   * `Readable` is sent once: a consumed stream cannot be replayed.
   */
  readonly body: Buffer | string | Readable | (() => Readable);
}

/** A `sys_attachment` record as `POST /api/now/attachment/file` returns it. */
export interface AttachmentRecord {
  readonly sys_id: string;
  readonly file_name: string;
  readonly content_type: string;
  readonly size_bytes: string;
  readonly table_name: string;
  readonly table_sys_id: string;
  readonly download_link: string;
}

/**
 * Credentials as stored in the Secrets Manager secret (JSON
 * `{instanceUrl, clientId, clientSecret}` or `{instanceUrl, username, password}`)
 * after parsing with `parseServiceNowSecret`.
 */
export type ServiceNowCredentialsResolved =
  | {
      readonly kind: 'oauth';
      readonly instanceUrl?: string;
      readonly clientId: string;
      readonly clientSecret: string;
    }
  | {
      readonly kind: 'basic';
      readonly instanceUrl?: string;
      readonly username: string;
      readonly password: string;
    };

/**
 * Where the client gets credentials. Calling it returns the current (possibly
 * cached) credentials; `refresh()` drops any cache and reads the source again.
 * The client calls `refresh()` once after a 401 so a rotated secret is picked up.
 * The AWS Secrets Manager adapter implements this port (see `cachedCredentials`).
 */
export interface CredentialSource {
  (): Promise<ServiceNowCredentialsResolved>;
  refresh(): Promise<ServiceNowCredentialsResolved>;
}

/** Tunables. Every delay is injectable so tests run in milliseconds. */
export interface ServiceNowLimits {
  /** Requests in flight at once (ServiceNow serves integrations from a small semaphore pool). Default 4. */
  readonly maxInFlight: number;
  /** Per-request timeout. Default 30 000 ms. */
  readonly timeoutMs: number;
  /** Total time one call may spend including retries and waits. Default 120 000 ms. */
  readonly retryBudgetMs: number;
  /** First backoff ceiling; full jitter picks in [0, base·2^n]. Default 500 ms. */
  readonly baseDelayMs: number;
  /** Cap on one backoff. A longer `Retry-After` is still honoured when the budget allows it. Default 30 000 ms. */
  readonly maxDelayMs: number;
  /** Retries after the first attempt. Default 8. */
  readonly maxRetries: number;
  /** A token is refreshed this long before it expires. Default 60 000 ms. */
  readonly tokenSkewMs: number;
  /** Default page size for list calls. Default 100. */
  readonly pageSize: number;
  /** How long a resolved reference (group, CI, requested item → sys_id) is cached. Default 300 000 ms. */
  readonly referenceCacheMs: number;
  /** How long `importRows` waits for an asynchronous transform, polling `sys_import_set_row`. Default 30 000 ms. */
  readonly importPollMs: number;
}

/**
 * The one ServiceNow client every flow uses. All failures are `ServiceNowError`
 * (with a stable `code`) or, for a value that cannot go into an encoded query,
 * `ValidationError('INVALID_QUERY_VALUE')` thrown before any request.
 */
export interface ServiceNowClient {
  /** `GET /api/now/table/{table}/{sysId}`; `undefined` on 404. */
  getRecord<F extends string>(table: ServiceNowTable, sysId: string, fields: readonly F[]): Promise<SnRecord<F> | undefined>;
  /** Pages through `GET /api/now/table/{table}`, following `Link: rel="next"`. */
  listRecords<F extends string>(table: ServiceNowTable, options: ListOptions<F>): AsyncIterable<SnRecord<F>>;
  /** `POST /api/now/table/{table}`; returns the created record's `fields`. */
  createRecord<F extends string>(table: ServiceNowTable, values: RecordValues, fields: readonly F[]): Promise<SnRecord<F>>;
  /** `PATCH /api/now/table/{table}/{sysId}`; returns the updated record's `fields`. */
  patchRecord<F extends string>(
    table: ServiceNowTable,
    sysId: string,
    values: RecordValues,
    fields: readonly F[],
  ): Promise<SnRecord<F>>;
  /**
   * `POST /api/now/import/{stagingTable}`: one row, transformed synchronously.
   * Only a result on `table: "incident"` with status `inserted` or `updated` is
   * accepted. `status: "error"` throws `IMPORT_ROW_ERROR`; a row left in the staging
   * table (asynchronous import set mode), `ignored` or `skipped` throws
   * `IMPORT_NOT_TRANSFORMED` (not retryable), so a staging row's sys_id is never
   * taken for the incident's.
   */
  importRow(stagingTable: ImportStagingTable, row: FailureImportRow): Promise<ImportRowResult>;
  /**
   * `POST /api/now/import/{stagingTable}/insertMultiple`. Any row with
   * `status: "error"` throws `IMPORT_ROW_ERROR`; `err.rows` holds every row's result.
   */
  importRows(stagingTable: ImportStagingTable, rows: readonly FailureImportRow[]): Promise<ImportMultipleResult>;
  /** `POST /api/now/attachment/file`, streaming the body. */
  uploadAttachment(upload: AttachmentUpload): Promise<AttachmentRecord>;
  /** Reads a change by number (`^CHG\d{7,}$`); `undefined` if none. */
  getChangeRequest(number: string, options?: CallOptions): Promise<ChangeRequest | undefined>;
  /**
   * CIs in `cmdb_ci_vm_instance` keyed by `object_id`, queried ≤ 100 ids at a time.
   * Ids without a CI are absent from the map; with duplicates the most recently
   * updated CI wins.
   */
  findCisByInstanceIds(instanceIds: readonly string[]): Promise<ReadonlyMap<string, CiRecord>>;
  /** Like `findCisByInstanceIds`, with every CI of each id (a CMDB may hold duplicates), newest first. */
  findAllCisByInstanceIds(instanceIds: readonly string[]): Promise<ReadonlyMap<string, readonly CiRecord[]>>;
  /**
   * The affected CIs of a task (`task_ci.ci_item` where `task` is `taskSysId`), with
   * their names from `cmdb_ci`, every page read. A retired CI is still listed: the
   * change named it.
   */
  affectedCis(taskSysId: string): Promise<readonly AffectedCi[]>;
  /**
   * The newest active incident with this `correlation_id` (Table API mode), if any.
   * Active covers open *and* Resolved incidents (ServiceNow keeps a Resolved one
   * active until it is closed): decide with `incidentLifecycleAction` on `state`.
   */
  findActiveIncidentByCorrelationId(correlationId: string): Promise<IncidentRecord | undefined>;
  /**
   * The sys_id to write into a reference field, from a name or a sys_id: an
   * assignment group (`sys_user_group.name`, active), a CI (`cmdb_ci.name`, not
   * retired) or a requested item (`sc_req_item.number`). `undefined` when nothing
   * matches. Cached for `referenceCacheMs`, so a storm of incidents costs one
   * lookup per name. The Table API stores a name in a reference field as given,
   * and display values are never switched on globally (they would move
   * date-times into the integration user's time zone).
   */
  resolveReference(kind: ReferenceKind, nameOrSysId: string): Promise<string | undefined>;
  /** Appends a journal entry to `work_notes`. */
  addWorkNote(table: ServiceNowTable, sysId: string, text: string): Promise<void>;
  /** One cheap authenticated request, for readiness checks and `patchbridge doctor`. */
  ping(): Promise<void>;
}
