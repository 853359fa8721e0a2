/** Field and table definitions the simulator enforces, modelled on a stock instance plus the `x_pbridge` scoped app. */

export type FieldType = 'string' | 'boolean' | 'integer' | 'datetime' | 'reference' | 'journal';

export interface FieldDef {
  readonly type: FieldType;
  /** Target table of a reference. */
  readonly ref?: string;
  readonly default?: string;
  /** Column length; a longer value is stored truncated, silently, as the platform does. */
  readonly maxLength?: number;
}

export interface TableDef {
  readonly name: string;
  /** Prefix and first value of the auto-number, e.g. `INC` from 10001. */
  readonly number?: { readonly prefix: string; readonly start: number };
  /** Column used as the display value (import-set `display_name`, reference lookups). */
  readonly display: string;
  readonly fields: Readonly<Record<string, FieldDef>>;
  /** The caller needs one of these roles (or `admin`) to read / write. Empty = any authenticated user. */
  readonly readRoles: readonly string[];
  readonly writeRoles: readonly string[];
}

const s = (dflt?: string): FieldDef => (dflt === undefined ? { type: 'string' } : { type: 'string', default: dflt });
const b = (dflt: string): FieldDef => ({ type: 'boolean', default: dflt });
const i = (dflt?: string): FieldDef => (dflt === undefined ? { type: 'integer' } : { type: 'integer', default: dflt });
const dt: FieldDef = { type: 'datetime' };
const ref = (table: string): FieldDef => ({ type: 'reference', ref: table });
const journal: FieldDef = { type: 'journal' };
const len = (field: FieldDef, maxLength: number): FieldDef => ({ ...field, maxLength });

const system: Record<string, FieldDef> = {
  sys_id: s(),
  sys_created_on: dt,
  sys_updated_on: dt,
  sys_created_by: s(),
  sys_updated_by: s(),
  sys_mod_count: i('0'),
  sys_class_name: s(),
};

const task: Record<string, FieldDef> = {
  ...system,
  number: s(),
  short_description: len(s(''), 160),
  description: len(s(''), 4000),
  active: b('true'),
  assignment_group: ref('sys_user_group'),
  assigned_to: ref('sys_user'),
  cmdb_ci: ref('cmdb_ci'),
  opened_at: dt,
  closed_at: dt,
  correlation_id: len(s(''), 100),
  correlation_display: len(s(''), 100),
  impact: i('3'),
  urgency: i('3'),
  priority: i('5'),
  parent: s(''),
  work_notes: journal,
  comments: journal,
};

const ITIL = ['itil'];
const CMDB_READ = ['itil', 'cmdb_read'];
const CMDB_WRITE = ['itil_admin', 'asset'];

/** Fields every CI class has (`cmdb_ci`); `install_status` 7 is Retired. */
const ci: Record<string, FieldDef> = {
  ...system,
  name: s(''),
  short_description: s(''),
  operational_status: i('1'),
  install_status: i('1'),
  support_group: ref('sys_user_group'),
  assignment_group: ref('sys_user_group'),
  ip_address: s(''),
};
const INTEGRATION = ['x_pbridge.integration'];

export const TABLES: Readonly<Record<string, TableDef>> = {
  incident: {
    name: 'incident',
    number: { prefix: 'INC', start: 10001 },
    display: 'number',
    fields: {
      ...task,
      state: i('1'),
      caller_id: ref('sys_user'),
      category: s(''),
      subcategory: s(''),
      rfc: ref('change_request'),
      close_code: s(''),
      close_notes: s(''),
      resolved_at: dt,
    },
    readRoles: ITIL,
    writeRoles: ITIL,
  },
  change_request: {
    name: 'change_request',
    number: { prefix: 'CHG', start: 30001 },
    display: 'number',
    fields: {
      ...task,
      state: i('-5'),
      type: s('normal'),
      approval: s('not requested'),
      start_date: dt,
      end_date: dt,
      work_start: dt,
      work_end: dt,
      requested_by: ref('sys_user'),
      risk: i('3'),
      category: s(''),
      close_code: s(''),
      close_notes: s(''),
    },
    readRoles: ITIL,
    writeRoles: ITIL,
  },
  sc_req_item: {
    name: 'sc_req_item',
    number: { prefix: 'RITM', start: 10001 },
    display: 'number',
    fields: { ...task, state: i('1'), approval: s('not requested'), stage: s('request_approved'), cat_item: s(''), quantity: i('1') },
    readRoles: ITIL,
    writeRoles: ITIL,
  },
  sc_task: {
    name: 'sc_task',
    number: { prefix: 'SCTASK', start: 10001 },
    display: 'number',
    fields: { ...task, state: i('1'), request_item: ref('sc_req_item') },
    readRoles: ITIL,
    writeRoles: ITIL,
  },
  cmdb_ci: { name: 'cmdb_ci', display: 'name', fields: ci, readRoles: CMDB_READ, writeRoles: CMDB_WRITE },
  cmdb_ci_vm_instance: {
    name: 'cmdb_ci_vm_instance',
    display: 'name',
    fields: { ...ci, object_id: s(''), state: s('on') },
    readRoles: CMDB_READ,
    writeRoles: CMDB_WRITE,
  },
  cmdb_ci_server: {
    name: 'cmdb_ci_server',
    display: 'name',
    fields: { ...ci, object_id: s(''), host_name: s(''), os: s('') },
    readRoles: CMDB_READ,
    writeRoles: CMDB_WRITE,
  },
  cmdb_ci_service: { name: 'cmdb_ci_service', display: 'name', fields: ci, readRoles: CMDB_READ, writeRoles: CMDB_WRITE },
  sys_user_group: {
    name: 'sys_user_group',
    display: 'name',
    fields: { ...system, name: s(''), description: s(''), active: b('true'), email: s(''), manager: ref('sys_user') },
    readRoles: [],
    writeRoles: ['user_admin'],
  },
  sys_user: {
    name: 'sys_user',
    display: 'name',
    fields: {
      ...system,
      user_name: s(''),
      name: s(''),
      first_name: s(''),
      last_name: s(''),
      email: s(''),
      active: b('true'),
      time_zone: s('UTC'),
    },
    readRoles: [],
    writeRoles: ['user_admin'],
  },
  sys_journal_field: {
    name: 'sys_journal_field',
    display: 'value',
    fields: { ...system, element: s(''), element_id: s(''), name: s(''), value: s('') },
    readRoles: ITIL,
    writeRoles: ['admin'],
  },
  sys_import_set_row: {
    name: 'sys_import_set_row',
    display: 'sys_import_row',
    fields: {
      ...system,
      sys_import_set: s(''),
      sys_import_row: i('0'),
      sys_import_state: s('pending'),
      sys_import_state_comment: s(''),
      sys_target_table: s(''),
      sys_target_sys_id: s(''),
      sys_transform_map: s(''),
    },
    readRoles: ['import_set_loader', 'import_admin'],
    writeRoles: ['admin'],
  },
  x_pbridge_patch_run: {
    name: 'x_pbridge_patch_run',
    number: { prefix: 'PBRUN', start: 1001 },
    display: 'number',
    fields: {
      ...system,
      number: s(),
      run_id: s(''),
      change_request: ref('change_request'),
      requested_item: ref('sc_req_item'),
      status: s('Pending'),
      execution_id: s(''),
      account: s(''),
      region: s(''),
      targets: s(''),
      counts: s(''),
      message: s(''),
      started_at: dt,
      completed_at: dt,
      work_notes: journal,
    },
    readRoles: INTEGRATION,
    writeRoles: INTEGRATION,
  },
  x_pbridge_window: {
    name: 'x_pbridge_window',
    display: 'name',
    fields: {
      ...system,
      name: s(''),
      window_id: s(''),
      account: s(''),
      region: s(''),
      patch_group: s(''),
      schedule: s(''),
      enabled: b('false'),
      change_request: ref('change_request'),
      gate_state: s('closed'),
      authorized_from: dt,
      authorized_to: dt,
      next_execution_time: dt,
      work_notes: journal,
    },
    readRoles: INTEGRATION,
    writeRoles: INTEGRATION,
  },
};

/** Table hierarchy: reading a parent table returns its children's records too, as the platform does. */
export const TABLE_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  cmdb_ci: ['cmdb_ci_vm_instance', 'cmdb_ci_server', 'cmdb_ci_service'],
};

/** The scoped app's staging table and its columns (all strings, as the Import Set API requires). */
export const FAILURE_IMPORT_TABLE = 'x_pbridge_failure_import';
export const FAILURE_IMPORT_COLUMNS = [
  'correlation_id',
  'correlation_display',
  'short_description',
  'description',
  'impact',
  'urgency',
  'assignment_group',
  'instance_ids',
  'account',
  'region',
  'patch_group',
  'execution_id',
  'change_request',
  'work_note',
  'cmdb_ci',
] as const;
/** Import needs both roles (or `admin`): loading the staging row and running its transform. */
export const IMPORT_ROLES = ['import_set_loader', 'import_transformer'] as const;
export const TRANSFORM_MAP_NAME = 'x_pbridge failure import to incident';

/** Roles the default integration user holds: what docs/servicenow.md tells admins to grant. */
export const INTEGRATION_ROLES = ['itil', 'import_set_loader', 'import_transformer', 'x_pbridge.integration', 'cmdb_read', 'snc_platform_rest_api_access'] as const;
