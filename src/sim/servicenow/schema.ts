import { APP_CONTRACT } from './app/contract.gen.js';
import type { AppAcl, AppTable, AppTransformMap } from './app/contract-types.js';

/**
 * Field and table definitions the simulator enforces: a stock instance's tables,
 * plus the `x_pbridge` scoped app's tables, staging table, transform map and
 * ACL roles, derived from the app's build (`app/contract.gen.ts`).
 */

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

const FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  reference: 'reference',
  boolean: 'boolean',
  integer: 'integer',
  glide_date_time: 'datetime',
  journal: 'journal',
  journal_input: 'journal',
};


export const TABLES: Readonly<Record<string, TableDef>> = withAppAcls({
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
      close_code: len(s(''), 40),
      close_notes: len(s(''), 4000),
      resolved_at: dt,
      reopen_count: i('0'),
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
    fields: { ...task, state: i('1'), approval: s('not requested'), stage: s('request_approved'), cat_item: ref('sc_cat_item'), quantity: i('1') },
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
  // The catalog as the platform stores an order: the item's questions (`item_option_new`), and per
  // requested item one answer each (`sc_item_option`), linked through `sc_item_option_mtom`.
  sc_cat_item: {
    name: 'sc_cat_item',
    display: 'name',
    fields: { ...system, name: s(''), active: b('true'), short_description: s('') },
    readRoles: [],
    writeRoles: ['catalog_admin'],
  },
  item_option_new: {
    name: 'item_option_new',
    display: 'name',
    fields: { ...system, cat_item: ref('sc_cat_item'), name: s(''), type: s(''), question_text: s(''), order: i('0') },
    readRoles: [],
    writeRoles: ['catalog_admin'],
  },
  sc_item_option: {
    name: 'sc_item_option',
    display: 'value',
    fields: { ...system, item_option_new: ref('item_option_new'), value: len(s(''), 4000) },
    readRoles: ITIL,
    writeRoles: ITIL,
  },
  sc_item_option_mtom: {
    name: 'sc_item_option_mtom',
    display: 'sys_id',
    fields: { ...system, request_item: ref('sc_req_item'), sc_item_option: ref('sc_item_option') },
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
  task_ci: {
    name: 'task_ci',
    display: 'ci_item',
    // On the platform `task` references any task; the simulator links affected CIs to changes only.
    fields: { ...system, task: ref('change_request'), ci_item: ref('cmdb_ci') },
    readRoles: ITIL,
    writeRoles: ITIL,
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
  ...appTables(),
});

/** Table hierarchy: reading a parent table returns its children's records too, as the platform does. */
export const TABLE_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  cmdb_ci: ['cmdb_ci_vm_instance', 'cmdb_ci_server', 'cmdb_ci_service'],
};

/** The scoped app's staging table, its transform map and what they accept: all from the app's build. */
export const FAILURE_IMPORT_TABLE = 'x_pbridge_failure_import';
export const FAILURE_IMPORT_MAP: AppTransformMap = (() => {
  const map = APP_CONTRACT.transformMaps.find((m) => m.source === FAILURE_IMPORT_TABLE);
  if (!map) throw new Error(`the scoped app defines no transform map for ${FAILURE_IMPORT_TABLE}`);
  return map;
})();
export const FAILURE_IMPORT_COLUMNS: readonly StagingColumn[] = Object.keys(APP_CONTRACT.tables[FAILURE_IMPORT_TABLE].columns) as StagingColumn[];
export type StagingColumn = keyof (typeof APP_CONTRACT)['tables'][typeof FAILURE_IMPORT_TABLE]['columns'];
export const TRANSFORM_MAP_NAME = FAILURE_IMPORT_MAP.name;
/** Loading a staging row needs one of the roles of the staging table's create ACL (or `admin`). */
export const IMPORT_ROLES: readonly string[] = aclRoles(FAILURE_IMPORT_TABLE, 'create');

/**
 * Roles the default integration user holds: exactly what docs/servicenow.md tells
 * admins to grant (`x_pbridge.integration`; `itil` for the Table API mode;
 * `snc_platform_rest_api_access` where REST access is restricted).
 */
export const INTEGRATION_ROLES = ['x_pbridge.integration', 'itil', 'snc_platform_rest_api_access'] as const;

/** Roles of the app's table-level ACLs for `operation` on `table` (a `cmdb_ci` ACL covers every CI class). */
function aclRoles(table: string, operation: string): string[] {
  const roles = APP_CONTRACT.acls
    .filter((a: AppAcl) => !('field' in a) && a.operation === operation && (a.table === table || (a.table === 'cmdb_ci' && table.startsWith('cmdb_ci_'))))
    .flatMap((a) => a.roles);
  return [...new Set(roles)];
}

/** The app's own tables (not the staging table, which only the Import Set API writes), as the app defines them. */
function appTables(): Record<string, TableDef> {
  const out: Record<string, TableDef> = {};
  for (const table of Object.values(APP_CONTRACT.tables) as AppTable[]) {
    if (table.extends === 'sys_import_set_row') continue;
    const fields: Record<string, FieldDef> = { ...system };
    for (const [name, column] of Object.entries(table.columns)) {
      const type = FIELD_TYPES[column.type] ?? 'string';
      const dflt = column.default !== undefined && !column.default.startsWith('javascript:') ? column.default : type === 'boolean' ? 'false' : '';
      fields[name] = type === 'reference' ? ref(column.reference ?? '') : { type, ...(type === 'datetime' ? {} : { default: dflt }) };
    }
    out[table.name] = {
      name: table.name,
      ...(table.number ? { number: { prefix: table.number.prefix, start: table.number.start } } : {}),
      display: table.display ?? 'sys_id',
      fields,
      readRoles: aclRoles(table.name, 'read'),
      writeRoles: [...new Set([...aclRoles(table.name, 'create'), ...aclRoles(table.name, 'write')])],
    };
  }
  return out;
}

/** Adds the roles the app's ACLs grant on platform tables (e.g. read on `change_request` for `x_pbridge.integration`). */
function withAppAcls(defs: Record<string, TableDef>): Record<string, TableDef> {
  const out: Record<string, TableDef> = {};
  for (const [name, def] of Object.entries(defs)) {
    const read = aclRoles(name, 'read');
    const write = aclRoles(name, 'write');
    out[name] =
      name.startsWith('x_pbridge_') || (read.length === 0 && write.length === 0)
        ? def
        : {
            ...def,
            readRoles: def.readRoles.length === 0 ? [] : [...new Set([...def.readRoles, ...read])],
            writeRoles: [...new Set([...def.writeRoles, ...write])],
          };
  }
  return out;
}
