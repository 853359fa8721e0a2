import { ValidationError } from '../core/index.js';
import { ID_PATTERNS } from '../domain/index.js';

/**
 * Strict patterns for every value that may appear in an encoded query.
 * ServiceNow has no escape for `^` (nor for `,` inside `IN`, nor `=`), so a value
 * is either provably inert or rejected.
 */
export const QUERY_VALUE_PATTERNS = {
  change: ID_PATTERNS.changeNumber,
  incident: ID_PATTERNS.incidentNumber,
  requestedItem: ID_PATTERNS.requestedItemNumber,
  catalogTask: ID_PATTERNS.catalogTaskNumber,
  ec2InstanceId: ID_PATTERNS.ec2InstanceId,
  managedInstanceId: ID_PATTERNS.managedNodeId,
  sysId: ID_PATTERNS.sysId,
  correlationId: /^[A-Za-z0-9:._-]{1,100}$/,
} as const;

type ValueKind =
  | 'taskNumber'
  | 'instanceId'
  | 'sysId'
  | 'correlationId'
  | 'boolean'
  | 'integer'
  | 'approval'
  | 'windowId'
  | 'executionId'
  | 'accountId'
  | 'region'
  | 'fieldName'
  | 'displayName'
  | 'status';

const P = QUERY_VALUE_PATTERNS;

const KIND_CHECKS: Record<ValueKind, (v: string) => boolean> = {
  taskNumber: (v) => P.change.test(v) || P.incident.test(v) || P.requestedItem.test(v) || P.catalogTask.test(v),
  instanceId: (v) => P.ec2InstanceId.test(v) || P.managedInstanceId.test(v),
  sysId: (v) => P.sysId.test(v),
  correlationId: (v) => P.correlationId.test(v),
  boolean: (v) => v === 'true' || v === 'false',
  integer: (v) => /^-?\d{1,6}$/.test(v),
  approval: (v) => ['not requested', 'requested', 'approved', 'rejected', 'cancelled', 'not_required', 'duplicate'].includes(v),
  windowId: (v) => ID_PATTERNS.windowId.test(v),
  // SSM command ids and Automation / maintenance-window execution ids are UUIDs.
  executionId: (v) => ID_PATTERNS.uuid.test(v),
  accountId: (v) => ID_PATTERNS.accountId.test(v),
  region: (v) => ID_PATTERNS.region.test(v),
  fieldName: (v) => /^[a-z][a-z0-9_]{0,79}$/.test(v),
  // A group, CI or table name: no `^`, `,`, `=` or line breaks, which an encoded query cannot carry.
  displayName: (v) => /^[A-Za-z0-9][A-Za-z0-9 ._()&/+:-]{0,99}$/.test(v) && !/\s$/.test(v),
  status: (v) => /^[A-Za-z]{1,32}$/.test(v),
};

/**
 * Field allowlist: the only fields a query may name, each with the kind of value
 * it accepts. ServiceNow silently ignores an unknown field in `sysparm_query`
 * (turning a filter into "match everything"), so a typo must fail here instead.
 */
export const QUERY_FIELDS = {
  sys_id: 'sysId',
  number: 'taskNumber',
  active: 'boolean',
  state: 'integer',
  approval: 'approval',
  correlation_id: 'correlationId',
  object_id: 'instanceId',
  assignment_group: 'sysId',
  support_group: 'sysId',
  cmdb_ci: 'sysId',
  parent: 'sysId',
  request_item: 'sysId',
  change_request: 'taskNumber',
  element_id: 'sysId',
  element: 'fieldName',
  name: 'displayName',
  table_name: 'fieldName',
  install_status: 'integer',
  table_sys_id: 'sysId',
  window_id: 'windowId',
  execution_id: 'executionId',
  account: 'accountId',
  region: 'region',
  status: 'status',
  sys_import_set: 'sysId',
  task: 'sysId',
} as const satisfies Record<string, ValueKind>;

export type QueryField = keyof typeof QUERY_FIELDS;

/** Fields that may be sorted on (values are never involved). */
export const ORDER_FIELDS = ['sys_created_on', 'sys_updated_on', 'number', 'start_date', 'end_date', 'sys_id', 'sys_import_row'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

/** A condition every returned row must satisfy: `=`, `IN` or `!=` joined by AND (never part of an OR). */
export interface QueryKey {
  readonly field: QueryField;
  readonly op: '=' | 'IN' | '!=';
  readonly values: readonly string[];
}

/** A validated `sysparm_query`. Only `encodedQuery()` can make one. */
export class EncodedQuery {
  readonly #text: string;
  /** The AND-ed key conditions, for checking rows against what was asked. */
  readonly keys: readonly QueryKey[];
  /** @internal use `encodedQuery()` */
  constructor(token: symbol, text: string, keys: readonly QueryKey[] = []) {
    if (token !== BUILDER) throw new ValidationError('INVALID_QUERY_VALUE', 'encoded queries are built with encodedQuery()');
    this.#text = text;
    this.keys = keys;
  }
  toString(): string {
    return this.#text;
  }

  /**
   * The first key condition `row` breaks, or `undefined`. An instance drops a
   * condition it cannot apply and answers with every row, so callers check.
   * Compares case-insensitively, as the instance's `=` does.
   */
  mismatch(row: Readonly<Record<string, string>>): QueryField | undefined {
    for (const key of this.keys) {
      const actual = row[key.field];
      if (actual === undefined) continue;
      const hit = key.values.some((v) => v.toLowerCase() === actual.toLowerCase());
      if (key.op === '!=' ? hit : !hit) return key.field;
    }
    return undefined;
  }
}

const BUILDER = Symbol('encoded-query-builder');

function reject(field: string, reason: string): never {
  // The value is not echoed: it is untrusted input and may be long or hostile.
  throw new ValidationError('INVALID_QUERY_VALUE', `query value for "${field}" ${reason}`, { details: { field } });
}

function checkField(field: string): asserts field is QueryField {
  if (!Object.hasOwn(QUERY_FIELDS, field)) {
    throw new ValidationError('INVALID_QUERY_VALUE', `field "${field.slice(0, 80)}" is not allowed in a query`, {
      details: { field: field.slice(0, 80) },
    });
  }
}

function checkValue(field: QueryField, value: unknown): string {
  checkField(field);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    reject(field, 'must be a string, number or boolean');
  }
  const text = String(value);
  if (!KIND_CHECKS[QUERY_FIELDS[field]](text)) reject(field, `does not match the ${QUERY_FIELDS[field]} pattern`);
  return text;
}

/**
 * Builds a ServiceNow encoded query from allowlisted fields and pattern-checked
 * values. Conditions join with `^` (AND); call `.or()` to join the next one with
 * `^OR`. Throws `ValidationError('INVALID_QUERY_VALUE')` on the first bad field or
 * value, before any request is made.
 *
 * @example encodedQuery().eq('correlation_id', id).eq('active', true).orderByDesc('sys_updated_on').build()
 */
export function encodedQuery(): QueryBuilder {
  return new QueryBuilder();
}

export class QueryBuilder {
  readonly #parts: string[] = [];
  readonly #order: string[] = [];
  /** Key conditions by position in #parts; `undefined` once OR-ed with a neighbour. */
  readonly #keys: (QueryKey | undefined)[] = [];
  #nextJoin: '^' | '^OR' = '^';

  /** Joins the next condition with `^OR` instead of `^`. */
  or(): this {
    if (this.#parts.length === 0) throw new ValidationError('INVALID_QUERY_VALUE', 'or() needs a condition before it');
    this.#nextJoin = '^OR';
    return this;
  }

  eq(field: QueryField, value: string | number | boolean): this {
    return this.#push(field, '=', checkValue(field, value));
  }

  ne(field: QueryField, value: string | number | boolean): this {
    return this.#push(field, '!=', checkValue(field, value));
  }

  in(field: QueryField, values: readonly (string | number)[]): this {
    return this.#list(field, 'IN', values);
  }

  notIn(field: QueryField, values: readonly (string | number)[]): this {
    return this.#list(field, 'NOT IN', values);
  }

  startsWith(field: QueryField, value: string): this {
    return this.#push(field, 'STARTSWITH', checkValue(field, value));
  }

  like(field: QueryField, value: string): this {
    return this.#push(field, 'LIKE', checkValue(field, value));
  }

  isEmpty(field: QueryField): this {
    checkField(field);
    return this.#push(field, 'ISEMPTY', '');
  }

  isNotEmpty(field: QueryField): this {
    checkField(field);
    return this.#push(field, 'ISNOTEMPTY', '');
  }

  orderBy(field: OrderField): this {
    return this.#orderBy('ORDERBY', field);
  }

  orderByDesc(field: OrderField): this {
    return this.#orderBy('ORDERBYDESC', field);
  }

  build(): EncodedQuery {
    const keys = this.#keys.filter((k): k is QueryKey => k !== undefined);
    return new EncodedQuery(BUILDER, [...this.#parts, ...this.#order].join('^'), keys);
  }

  #orderBy(keyword: string, field: string): this {
    if (!(ORDER_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError('INVALID_QUERY_VALUE', `cannot order by "${String(field).slice(0, 80)}"`);
    }
    this.#order.push(`${keyword}${field}`);
    return this;
  }

  #list(field: QueryField, op: 'IN' | 'NOT IN', values: readonly (string | number)[]): this {
    checkField(field);
    if (values.length === 0) reject(field, 'needs at least one value for IN');
    // Each value is checked alone: a comma inside one would split it into two.
    const checked = values.map((v) => checkValue(field, v));
    return this.#push(field, op, checked.join(','));
  }

  #push(field: QueryField, op: string, value: string): this {
    checkField(field);
    const condition = `${field}${op}${value}`;
    const ored = this.#nextJoin === '^OR';
    if (this.#parts.length === 0) this.#parts.push(condition);
    else this.#parts.push(`${ored ? 'OR' : ''}${condition}`);
    if (ored) this.#keys[this.#keys.length - 1] = undefined;
    const keyOp = op === '=' || op === 'IN' || op === '!=' ? op : undefined;
    this.#keys.push(!ored && keyOp ? { field, op: keyOp, values: op === 'IN' ? value.split(',') : [value] } : undefined);
    this.#nextJoin = '^';
    return this;
  }
}
