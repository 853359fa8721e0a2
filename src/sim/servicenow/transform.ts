import { INCIDENT_STATE, incidentLifecycleAction, REOPEN_NOTE_PREFIX } from '../../domain/index.js';
import { FAILURE_IMPORT_COLUMNS, FAILURE_IMPORT_TABLE, TRANSFORM_MAP_NAME } from './schema.js';
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

const CORRELATION = /^[A-Za-z0-9:._-]{1,100}$/;

/**
 * Loads one staging row into `set` and runs the scoped app's transform map
 * (`x_pbridge failure import to incident`):
 * - coalesce on `correlation_id` among *active* incidents and apply the
 *   incident lifecycle (`incidentLifecycleAction`): open → update, Resolved →
 *   reopen with a note, Closed/Cancelled → a new incident;
 * - an onBefore script rejects rows without a valid correlation id, impact or
 *   urgency outside 1..3, or an assignment group that does not resolve;
 * - `change_request` (a number) maps to `rfc`, `work_note` appends to `work_notes`.
 */
export function transformFailureRow(
  state: SimState,
  set: ImportSetRecord,
  input: Readonly<Record<string, unknown>>,
  baseUrl: string,
  user: string,
): TransformResult {
  return transformStagedRow(state, loadFailureRow(state, set, input), baseUrl, user);
}

/** Loads one row into the staging table (`sys_import_state` pending), without transforming it. */
export function loadFailureRow(state: SimState, set: ImportSetRecord, input: Readonly<Record<string, unknown>>): SimRecord {
  const staging: SimRecord = { sys_id: state.newSysId(), sys_import_set: set.sys_id, sys_import_row: String(set.rows.length), sys_import_state: 'pending' };
  for (const column of FAILURE_IMPORT_COLUMNS) {
    const value = input[column];
    // The Import Set API stores only strings; objects are flattened as the docs warn.
    staging[column] = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value).replaceAll(':', '=') : String(value);
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
    table: 'incident',
    display_name: 'number',
    display_value: '',
    record_link: `${baseUrl}/api/now/table/${FAILURE_IMPORT_TABLE}/${staging['sys_id']}`,
    status,
    sys_id: staging['sys_id'] ?? '',
    ...(message ? { status_message: message, ...(status === 'error' ? { error_message: message } : {}) } : {}),
  };
}

/** Runs the transform map on a loaded staging row. */
export function transformStagedRow(state: SimState, staging: SimRecord, baseUrl: string, user: string): TransformResult {
  staging['sys_transform_map'] = TRANSFORM_MAP_NAME;

  const fail = (message: string): TransformResult => untransformed(staging, 'error', baseUrl, message);

  const correlationId = staging['correlation_id'] ?? '';
  if (!CORRELATION.test(correlationId)) return fail('correlation_id is required (1-100 of A-Z a-z 0-9 : . _ -)');
  for (const name of ['impact', 'urgency'] as const) {
    const v = staging[name] ?? '';
    if (v !== '' && !['1', '2', '3'].includes(v)) return fail(`${name} must be 1, 2 or 3`);
  }

  const values: Record<string, string> = {};
  const copy = ['correlation_id', 'correlation_display', 'short_description', 'description', 'impact', 'urgency'] as const;
  for (const name of copy) if (staging[name]) values[name] = staging[name];
  const group = staging['assignment_group'] ?? '';
  if (group) {
    const found = /^[0-9a-f]{32}$/.test(group) ? state.get('sys_user_group', group) : state.findByDisplay('sys_user_group', group);
    if (!found) return fail(`assignment_group "${group}" not found`);
    values['assignment_group'] = found['sys_id'] ?? '';
  }
  const ci = staging['cmdb_ci'] ?? '';
  if (ci) {
    const found = /^[0-9a-f]{32}$/.test(ci) ? state.get('cmdb_ci_vm_instance', ci) : state.findByDisplay('cmdb_ci_vm_instance', ci);
    // An unknown CI is left empty rather than rejecting the incident.
    if (found) values['cmdb_ci'] = found['sys_id'] ?? '';
  }
  const change = staging['change_request'] ?? '';
  if (change) {
    const found = state.findByDisplay('change_request', change);
    if (found) values['rfc'] = found['sys_id'] ?? '';
  }
  if (staging['work_note']) values['work_notes'] = staging['work_note'];

  const existing = state
    .rowsForQuery('incident')
    .find((row) => row['correlation_id'] === correlationId && row['active'] === 'true');
  let target: SimRecord;
  let status: 'inserted' | 'updated';
  const action = incidentLifecycleAction(existing && { state: existing['state'] ?? '', active: existing['active'] ?? '' });
  if (action === 'reopen') {
    values['state'] = String(INCIDENT_STATE.IN_PROGRESS);
    values['work_notes'] = [REOPEN_NOTE_PREFIX, values['work_notes']].filter(Boolean).join('\n');
  }
  if (existing?.['sys_id'] && action !== 'create') {
    target = state.update('incident', existing['sys_id'], values, user) ?? existing;
    status = 'updated';
  } else {
    target = state.insert('incident', values, user);
    status = 'inserted';
  }
  staging['sys_import_state'] = status;
  staging['sys_target_table'] = 'incident';
  staging['sys_target_sys_id'] = target['sys_id'] ?? '';
  return {
    transform_map: TRANSFORM_MAP_NAME,
    table: 'incident',
    display_name: 'number',
    display_value: target['number'] ?? '',
    record_link: `${baseUrl}/api/now/table/incident/${target['sys_id']}`,
    status,
    sys_id: target['sys_id'] ?? '',
  };
}
