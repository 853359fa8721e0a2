import { createHash } from 'node:crypto';
import type { Clock } from '../../core/index.js';
import type { Prng } from './prng.js';
import { TABLE_CHILDREN, TABLES, type TableDef } from './schema.js';
import { ID_PATTERNS } from '../../domain/index.js';

export type SimRecord = Record<string, string>;

export interface JournalEntry {
  readonly sys_id: string;
  readonly element: string;
  readonly element_id: string;
  readonly name: string;
  readonly value: string;
  readonly sys_created_on: string;
  readonly sys_created_by: string;
}

export interface SimAttachment {
  readonly meta: SimRecord;
  readonly data: Buffer;
}

export interface ImportSetRecord {
  readonly sys_id: string;
  readonly number: string;
  readonly table_name: string;
  readonly rows: SimRecord[];
}

/** An insert whose sys_id is already taken (the database's unique key). */
export class DuplicateSysIdError extends Error {
  constructor(
    readonly table: string,
    readonly sysId: string,
  ) {
    super(`Error during insert of ${table} (${sysId})`);
  }
}

/**
 * How a write treats reference values. `inputDisplayValue: false` is the Table
 * API default (values stored as given); seeding helpers resolve names (default).
 */
export interface WriteOptions {
  readonly inputDisplayValue?: boolean;
}

/** `YYYY-MM-DD HH:mm:ss` UTC, the Table API date-time format. */
export function snDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The simulated instance's data: tables, journal, attachments and import sets.
 * All in memory, one per simulator (no globals), ids from the seeded PRNG.
 */
/** A value the simulator cut to its column, as an instance does silently (for tests to assert there are none). */
export interface SimTruncation {
  readonly table: string;
  readonly field: string;
  readonly length: number;
  readonly maxLength: number;
}

export class SimState {
  /** Values cut to their column length since start (the first 100). */
  readonly truncations: SimTruncation[] = [];
  readonly #tables = new Map<string, Map<string, SimRecord>>();
  readonly #counters = new Map<string, number>();
  readonly #attachments = new Map<string, SimAttachment>();
  readonly #importSets: ImportSetRecord[] = [];
  readonly #defs: Readonly<Record<string, TableDef>>;

  constructor(
    private readonly clock: Clock,
    private readonly prng: Prng,
    defs: Readonly<Record<string, TableDef>> = TABLES,
  ) {
    this.#defs = defs;
    for (const name of Object.keys(defs)) this.#tables.set(name, new Map());
  }

  /** Records a value cut to its column (the platform does it silently; tests can see it here). */
  noteTruncation(table: string, field: string, length: number, maxLength: number): void {
    if (this.truncations.length < 100) this.truncations.push({ table, field, length, maxLength });
  }

  def(table: string): TableDef | undefined {
    return Object.hasOwn(this.#defs, table) ? this.#defs[table] : undefined;
  }

  newSysId(): string {
    return this.prng.hex(32);
  }

  now(): string {
    return snDate(this.clock.now());
  }

  nextNumber(prefix: string, start: number): string {
    const n = this.#counters.get(prefix) ?? start;
    this.#counters.set(prefix, n + 1);
    return `${prefix}${String(n).padStart(7, '0')}`;
  }

  #rows(table: string): Map<string, SimRecord> {
    const rows = this.#tables.get(table);
    if (!rows) throw new Error(`no such table ${table}`);
    return rows;
  }

  /** A table's own rows plus its child tables' (reading `cmdb_ci` returns every CI class). */
  #readRows(table: string): SimRecord[] {
    return [table, ...(TABLE_CHILDREN[table] ?? [])].flatMap((t) => [...this.#rows(t).values()]);
  }

  /** Every record of a table, in insertion order (copies). */
  records(table: string): SimRecord[] {
    return this.#readRows(table).map((r) => ({ ...r }));
  }

  /** Live rows for querying (not copied); callers must not mutate. */
  rowsForQuery(table: string): readonly SimRecord[] {
    return this.#readRows(table);
  }

  get(table: string, sysId: string): SimRecord | undefined {
    for (const t of [table, ...(TABLE_CHILDREN[table] ?? [])]) {
      const row = this.#rows(t).get(sysId);
      if (row) return { ...row };
    }
    return undefined;
  }

  /** Finds a record by its display column (e.g. group by name, change by number). */
  findByDisplay(table: string, value: string): SimRecord | undefined {
    const def = this.def(table);
    if (!def) return undefined;
    const row = this.#readRows(table).find((r) => r[def.display] === value);
    return row ? { ...row } : undefined;
  }

  /**
   * Inserts a record the way a Table API POST does: defaults, auto-number,
   * system fields; unknown fields dropped; journal fields go to the journal.
   */
  insert(table: string, values: Readonly<Record<string, unknown>>, user = 'system', options: WriteOptions = {}): SimRecord {
    const def = this.#requireDef(table);
    const now = this.now();
    const row: SimRecord = {};
    for (const [name, field] of Object.entries(def.fields)) {
      if (field.type !== 'journal') row[name] = field.default ?? '';
    }
    const sysId = typeof values['sys_id'] === 'string' && ID_PATTERNS.sysId.test(values['sys_id']) ? values['sys_id'] : this.newSysId();
    // The platform's unique key on sys_id refuses a second insert; it never replaces the record.
    if (this.get(table, sysId) || this.get(this.#rootOf(table), sysId)) throw new DuplicateSysIdError(table, sysId);
    Object.assign(row, {
      sys_id: sysId,
      sys_created_on: now,
      sys_updated_on: now,
      sys_created_by: user,
      sys_updated_by: user,
      sys_mod_count: '0',
      sys_class_name: table,
    });
    if ('opened_at' in def.fields) row['opened_at'] = now;
    if (def.number) row['number'] = this.nextNumber(def.number.prefix, def.number.start);
    const journal = this.#assign(def, row, values, options);
    this.#applyRules(def, row, undefined);
    this.#rows(table).set(sysId, row);
    for (const [element, text] of journal) this.#appendJournal(table, sysId, element, text, user);
    return { ...row };
  }

  /** Applies a PATCH: known fields only, journal appends, `sys_mod_count` bump. */
  update(table: string, sysId: string, values: Readonly<Record<string, unknown>>, user = 'system', options: WriteOptions = {}): SimRecord | undefined {
    const def = this.#requireDef(table);
    const row = this.#rows(table).get(sysId);
    if (!row) return undefined;
    const before = { ...row };
    const journal = this.#assign(def, row, values, options);
    row['sys_updated_on'] = this.now();
    row['sys_updated_by'] = user;
    row['sys_mod_count'] = String(Number(row['sys_mod_count'] ?? '0') + 1);
    this.#applyRules(def, row, before);
    for (const [element, text] of journal) this.#appendJournal(table, sysId, element, text, user);
    return { ...row };
  }

  /** Journal entries of one record, oldest first. */
  journal(table: string, sysId: string, element = 'work_notes'): JournalEntry[] {
    return this.records('sys_journal_field')
      .filter((j) => j['name'] === table && j['element_id'] === sysId && j['element'] === element)
      .map((j) => ({
        sys_id: j['sys_id'] ?? '',
        element: j['element'] ?? '',
        element_id: j['element_id'] ?? '',
        name: j['name'] ?? '',
        value: j['value'] ?? '',
        sys_created_on: j['sys_created_on'] ?? '',
        sys_created_by: j['sys_created_by'] ?? '',
      }));
  }

  addAttachment(meta: Omit<SimRecord, 'sys_id'>, data: Buffer, user: string): SimRecord {
    const sysId = this.newSysId();
    const now = this.now();
    const record: SimRecord = {
      ...meta,
      sys_id: sysId,
      size_bytes: String(data.length),
      hash: createHash('sha256').update(data).digest('hex'),
      sys_created_on: now,
      sys_updated_on: now,
      sys_created_by: user,
      sys_updated_by: user,
      sys_mod_count: '0',
    };
    this.#attachments.set(sysId, { meta: record, data });
    return { ...record };
  }

  attachment(sysId: string): SimAttachment | undefined {
    return this.#attachments.get(sysId);
  }

  attachments(filter?: { table?: string; sysId?: string }): SimAttachment[] {
    return [...this.#attachments.values()].filter(
      (a) => (!filter?.table || a.meta['table_name'] === filter.table) && (!filter?.sysId || a.meta['table_sys_id'] === filter.sysId),
    );
  }

  newImportSet(table: string): ImportSetRecord {
    const set: ImportSetRecord = { sys_id: this.newSysId(), number: this.nextNumber('ISET', 10001), table_name: table, rows: [] };
    this.#importSets.push(set);
    return set;
  }

  /** Loads a staging row into `set`; it is also a live `sys_import_set_row` record, as on the platform. */
  addImportRow(set: ImportSetRecord, staging: SimRecord): void {
    const now = this.now();
    Object.assign(staging, { sys_created_on: now, sys_updated_on: now, sys_class_name: 'sys_import_set_row' });
    set.rows.push(staging);
    this.#rows('sys_import_set_row').set(staging['sys_id'] ?? this.newSysId(), staging);
  }

  importSets(): readonly ImportSetRecord[] {
    return this.#importSets;
  }

  /** The base table whose sys_ids a child table shares (`cmdb_ci` for every CI class). */
  #rootOf(table: string): string {
    return Object.entries(TABLE_CHILDREN).find(([, children]) => children.includes(table))?.[0] ?? table;
  }

  #requireDef(table: string): TableDef {
    const def = this.def(table);
    if (!def) throw new Error(`no such table ${table}`);
    return def;
  }

  /** Copies known fields into `row`, normalised to strings; returns journal writes. */
  #assign(def: TableDef, row: SimRecord, values: Readonly<Record<string, unknown>>, options: WriteOptions): [string, string][] {
    const journal: [string, string][] = [];
    for (const [name, raw] of Object.entries(values)) {
      const field = Object.hasOwn(def.fields, name) ? def.fields[name] : undefined;
      if (!field || name.startsWith('sys_') || name === 'number') continue;
      const text = raw === null || raw === undefined ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      switch (field.type) {
        case 'journal':
          if (text.trim() !== '') journal.push([name, text]);
          break;
        case 'boolean':
          row[name] = ['true', '1'].includes(text.toLowerCase()) ? 'true' : 'false';
          break;
        case 'reference':
          // The Table API stores what it is given; a name is resolved only with sysparm_input_display_value=true.
          row[name] = options.inputDisplayValue === false ? text : this.#resolveReference(field.ref ?? '', text);
          break;
        default:
          if (field.maxLength !== undefined && text.length > field.maxLength) this.noteTruncation(def.name, name, text.length, field.maxLength);
          row[name] = field.maxLength !== undefined ? text.slice(0, field.maxLength) : text;
      }
    }
    return journal;
  }

  /** A reference given as a display value, resolved to the record's sys_id when one matches. */
  #resolveReference(table: string, value: string): string {
    if (value === '' || ID_PATTERNS.sysId.test(value)) return value;
    return this.findByDisplay(table, value)?.['sys_id'] ?? value;
  }

  /** Platform business rules the flows depend on: `active` follows state. */
  #applyRules(def: TableDef, row: SimRecord, before: SimRecord | undefined): void {
    const state = row['state'];
    if (state === undefined || state === before?.['state']) return;
    // A Resolved incident (6) stays active until it is closed (7) or cancelled (8), as on the platform.
    const closed =
      def.name === 'incident'
        ? ['7', '8'].includes(state)
        : def.name === 'change_request'
          ? ['3', '4'].includes(state)
          : ['3', '4', '7'].includes(state);
    if ('active' in def.fields) row['active'] = closed ? 'false' : 'true';
    if (closed && 'closed_at' in def.fields && !row['closed_at']) row['closed_at'] = this.now();
    if (def.name === 'incident' && state === '6' && !row['resolved_at']) row['resolved_at'] = this.now();
    if (def.name === 'incident' && !closed && state !== '6') row['resolved_at'] = '';
  }

  #appendJournal(table: string, sysId: string, element: string, value: string, user: string): void {
    const now = this.now();
    const id = this.newSysId();
    this.#rows('sys_journal_field').set(id, {
      sys_id: id,
      element,
      element_id: sysId,
      name: table,
      value,
      sys_created_on: now,
      sys_updated_on: now,
      sys_created_by: user,
      sys_updated_by: user,
      sys_mod_count: '0',
      sys_class_name: 'sys_journal_field',
    });
  }
}
