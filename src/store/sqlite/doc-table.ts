import type { z } from 'zod';
import type { ListPosition } from '../common/cursor.js';
import { parseInput, preparePatch } from '../common/records.js';
import { StoreError } from '../errors.js';
import { readJson, type SqliteConnection } from './connection.js';

/**
 * A JSON document table with a few indexed columns, ordered newest first by
 * (created_at, id). Patch runs and report jobs share it.
 */
export class DocTable<T extends ListPosition> {
  readonly #conn: SqliteConnection;
  readonly #table: string;
  readonly #schema: z.ZodObject & z.ZodType<T>;
  readonly #what: string;
  readonly #columns: (record: T) => Record<string, string | null>;

  constructor(
    conn: SqliteConnection,
    spec: {
      table: string;
      schema: z.ZodObject & z.ZodType<T>;
      what: string;
      /** Indexed columns besides id/created_at/data, derived from the record. */
      columns: (record: T) => Record<string, string | null>;
    },
  ) {
    this.#conn = conn;
    this.#table = spec.table;
    this.#schema = spec.schema;
    this.#what = spec.what;
    this.#columns = spec.columns;
  }

  /** Inserts; false if the id exists. */
  insert(record: T): boolean {
    const columns = { id: record.id, created_at: record.createdAt, ...this.#columns(record), data: JSON.stringify(record) };
    const names = Object.keys(columns);
    const sql = `INSERT INTO ${this.#table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')}) ON CONFLICT(id) DO NOTHING`;
    return this.#conn.prepare(sql).run(columns).changes === 1;
  }

  get(id: string): T | undefined {
    const row = this.#conn.prepare(`SELECT data FROM ${this.#table} WHERE id = ?`).get(id);
    return row === undefined ? undefined : readJson(this.#schema, row, this.#what);
  }

  /** Returns the newest record where `column = value`, if any. */
  findBy(column: string, value: string): T | undefined {
    const row = this.#conn.prepare(`SELECT data FROM ${this.#table} WHERE ${column} = ? ORDER BY created_at DESC, id DESC LIMIT 1`)
      .get(value);
    return row === undefined ? undefined : readJson(this.#schema, row, this.#what);
  }

  /** Merges `patch` into the stored record and stamps `updatedAt`; NOT_FOUND if absent. */
  update(id: string, patch: object, updatedAt: string): T {
    const fields = preparePatch(this.#schema, patch, `${this.#what} update`);
    const apply = this.#conn.db.transaction((): T => {
      const current = this.get(id);
      if (current === undefined) {
        throw new StoreError('NOT_FOUND', `${this.#what} not found`, { details: { id } });
      }
      const next = parseInput(this.#schema, { ...current, ...fields, updatedAt }, this.#what);
      const columns = { ...this.#columns(next), data: JSON.stringify(next), id };
      const sets = Object.keys(columns)
        .filter((n) => n !== 'id')
        .map((n) => `${n} = @${n}`);
      this.#conn.prepare(`UPDATE ${this.#table} SET ${sets.join(', ')} WHERE id = @id`).run(columns);
      return next;
    });
    return apply.immediate();
  }

  /**
   * Merges `fields` into the record when `due(current)` holds, in one immediate
   * transaction, leaving `updatedAt` alone (a bookkeeping mark, not a change).
   * NOT_FOUND if absent; `false` when `due` refuses.
   */
  markIf(id: string, due: (current: T) => boolean, fields: Partial<T>): boolean {
    const apply = this.#conn.db.transaction((): boolean => {
      const current = this.get(id);
      if (current === undefined) throw new StoreError('NOT_FOUND', `${this.#what} not found`, { details: { id } });
      if (!due(current)) return false;
      const next = parseInput(this.#schema, { ...current, ...fields }, this.#what);
      this.#conn.prepare(`UPDATE ${this.#table} SET data = @data WHERE id = @id`).run({ data: JSON.stringify(next), id });
      return true;
    });
    return apply.immediate();
  }

  /** Up to `count` records newest first, strictly after `after`, optionally where `column = value`. */
  list(count: number, after: ListPosition | undefined, filter?: { column: string; value: string }): T[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { count };
    if (filter) {
      where.push(`${filter.column} = @filter`);
      params['filter'] = filter.value;
    }
    if (after) {
      where.push('(created_at, id) < (@afterCreatedAt, @afterId)');
      params['afterCreatedAt'] = after.createdAt;
      params['afterId'] = after.id;
    }
    const sql = `SELECT data FROM ${this.#table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT @count`;
    return this.#conn.prepare(sql)
      .all(params)
      .map((row) => readJson(this.#schema, row, this.#what));
  }
}
