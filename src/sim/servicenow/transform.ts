import { APP_CONTRACT } from './app/contract.gen.js';
import type { AppFieldMap } from './app/contract-types.js';
import * as failureImport from './app/failure-import.gen.js';
import type { FailureRow, RowVerdict } from './app/failure-import.gen.js';
import { type GlideDatabase, withGlide } from './app/glide.js';
import { FAILURE_IMPORT_MAP, FAILURE_IMPORT_TABLE, TRANSFORM_MAP_NAME } from './schema.js';
import type { ImportSetRecord, SimRecord, SimState } from './state.js';

export interface TransformResult {
  readonly transform_map: string;
  readonly table: string;
  readonly display_name: string;
  readonly display_value: string;
  readonly record_link: string;
  readonly status: 'inserted' | 'updated' | 'ignored' | 'skipped' | 'error';
  readonly sys_id: string;
  readonly status_message?: string;
  readonly error_message?: string;
}

const STAGING_COLUMNS: Readonly<Record<string, { readonly maxLength: number }>> = APP_CONTRACT.tables[FAILURE_IMPORT_TABLE].columns;
const PROPERTY_DEFAULTS: ReadonlyMap<string, string> = new Map(APP_CONTRACT.properties.map((p) => [p.name, p.value]));

type FieldFn = (source: FailureRow) => string;
type RowFn = (source: FailureRow, target: FailureRow, isUpdate: boolean) => RowVerdict;

/** A function of the app's module named by the contract; a name the module lacks is a build/contract drift. */
function moduleFunction<T>(name: string): T {
  const fn = (failureImport as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`the scoped app's module has no function ${name} (regenerate with npm run gen:app-contract)`);
  return fn as T;
}

/** A record as the module sees it: `getValue` is `null` for empty; writes go to `writes`. */
function rowView(read: (name: string) => string | undefined, writes?: Record<string, string>, sysId = ''): FailureRow {
  return {
    getValue: (name) => {
      const v = writes?.[name] ?? read(name);
      return v === undefined || v === '' ? null : v;
    },
    setValue: (name, value) => {
      if (!writes) throw new Error('the staging row is read-only in a transform');
      writes[name] = String(value);
    },
    getUniqueValue: () => sysId,
  };
}

function glideDatabase(state: SimState): GlideDatabase {
  return {
    // `cmdb_ci` reads every CI class, as on an instance (TABLE_CHILDREN).
    rows: (table) => (state.def(table) ? state.rowsForQuery(table) : []),
    property: (name) => PROPERTY_DEFAULTS.get(name),
  };
}

function coalesceMatch(row: SimRecord, field: AppFieldMap, value: string): boolean {
  const actual = row[field.target] ?? '';
  return field.coalesceCaseSensitive ? actual === value : actual.toLowerCase() === value.toLowerCase();
}

/** Loads one row and runs the scoped app's transform map on it (a synchronous import). */
export function transformFailureRow(
  state: SimState,
  set: ImportSetRecord,
  input: Readonly<Record<string, unknown>>,
  baseUrl: string,
  user: string,
): TransformResult {
  return transformStagedRow(state, loadFailureRow(state, set, input), baseUrl, user);
}

/**
 * Loads one row into the staging table (`sys_import_state` pending), without
 * transforming it. Only the staging table's columns are kept, each cut to its
 * max length: an instance drops unknown fields and truncates silently.
 */
export function loadFailureRow(state: SimState, set: ImportSetRecord, input: Readonly<Record<string, unknown>>): SimRecord {
  const staging: SimRecord = { sys_id: state.newSysId(), sys_import_set: set.sys_id, sys_import_row: String(set.rows.length), sys_import_state: 'pending' };
  for (const [column, def] of Object.entries(STAGING_COLUMNS)) {
    const value = input[column];
    // The Import Set API stores only strings; objects are flattened as the docs warn.
    const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value).replaceAll(':', '=') : String(value);
    if (text.length > def.maxLength) state.noteTruncation(FAILURE_IMPORT_TABLE, column, text.length, def.maxLength);
    staging[column] = text.slice(0, def.maxLength);
  }
  state.addImportRow(set, staging);
  return staging;
}

/**
 * The result for a staging row the transform did not turn into an incident
 * (`error`, `ignored`, `skipped`): `sys_id` is the staging row's, as the platform answers.
 */
export function untransformed(staging: SimRecord, status: 'error' | 'ignored' | 'skipped', baseUrl: string, message?: string): TransformResult {
  staging['sys_transform_map'] = TRANSFORM_MAP_NAME;
  staging['sys_import_state'] = status;
  if (message) staging['sys_import_state_comment'] = message;
  return {
    transform_map: TRANSFORM_MAP_NAME,
    table: FAILURE_IMPORT_MAP.target,
    display_name: 'number',
    display_value: '',
    record_link: `${baseUrl}/api/now/table/${FAILURE_IMPORT_TABLE}/${staging['sys_id']}`,
    status,
    sys_id: staging['sys_id'] ?? '',
    ...(message ? { status_message: message, ...(status === 'error' ? { error_message: message } : {}) } : {}),
  };
}

/**
 * Runs the scoped app's transform map on a loaded staging row the way an
 * instance does, from the app's own definitions (`app/contract.gen.ts`) and its
 * own module (`app/failure-import.gen.ts`):
 * - each field map copies its column or calls the module function it names;
 * - the coalesce fields (`correlation_id`, and `active` via `matchOpenIncidents`)
 *   pick the target, so Closed/Cancelled incidents never match; an empty
 *   coalesce value matches nothing;
 * - the row script (`checkFailureRow`) may refuse the row, or reopen a Resolved match;
 * - empty values are not copied onto an existing incident (`copyEmptyFields: false`).
 */
export function transformStagedRow(state: SimState, staging: SimRecord, baseUrl: string, user: string): TransformResult {
  const map = FAILURE_IMPORT_MAP;
  staging['sys_transform_map'] = map.name;
  const done = (status: 'inserted' | 'updated', target: SimRecord): TransformResult => {
    staging['sys_import_state'] = status;
    staging['sys_target_table'] = map.target;
    staging['sys_target_sys_id'] = target['sys_id'] ?? '';
    return {
      transform_map: map.name,
      table: map.target,
      display_name: 'number',
      display_value: target['number'] ?? '',
      record_link: `${baseUrl}/api/now/table/${map.target}/${target['sys_id']}`,
      status,
      sys_id: target['sys_id'] ?? '',
    };
  };

  return withGlide(glideDatabase(state), () => {
    const source = rowView((name) => staging[name]);
    const mapped = new Map<AppFieldMap, string>();
    for (const field of map.fields) {
      mapped.set(field, field.script ? String(moduleFunction<FieldFn>(field.script)(source) ?? '') : (staging[field.source] ?? ''));
    }
    const keys = map.fields.filter((f) => f.coalesce);
    const keyed = keys.every((f) => (mapped.get(f) ?? '') !== '' || f.coalesceEmptyFields);
    const existing = keyed
      ? state
          .rowsForQuery(map.target)
          .filter((row) => keys.every((f) => coalesceMatch(row, f, mapped.get(f) ?? '')))
          .sort((a, b) => (a['sys_created_on'] ?? '').localeCompare(b['sys_created_on'] ?? ''))[0]
      : undefined;

    const values: Record<string, string> = {};
    for (const [field, value] of mapped) if (value !== '' || map.copyEmptyFields) values[field.target] = value;
    if (map.rowScript) {
      const target = rowView((name) => existing?.[name], values, existing?.['sys_id'] ?? '');
      const verdict = moduleFunction<RowFn>(map.rowScript)(source, target, existing !== undefined);
      if (verdict.refused) return untransformed(staging, 'error', baseUrl, verdict.message);
      // `ignore = true` in the map script: nothing is inserted or updated.
      if (verdict.ignored) return untransformed(staging, 'ignored', baseUrl, verdict.message);
      if (verdict.message) staging['sys_import_state_comment'] = verdict.message;
    }
    if (existing?.['sys_id']) return done('updated', state.update(map.target, existing['sys_id'], values, user) ?? existing);
    return done('inserted', state.insert(map.target, values, user));
  });
}
