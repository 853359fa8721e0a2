/**
 * Encoded-query semantics as the Table API applies them:
 * `^` is AND, `^OR` binds tighter than AND (`a^b^ORc` = a AND (b OR c)),
 * `ORDERBY`/`ORDERBYDESC` terms sort, and a condition on a field the table does
 * not have is ignored (the instance default `glide.invalid_query.returns_no_rows=false`).
 */

export type Operator =
  | '='
  | '!='
  | 'IN'
  | 'NOT IN'
  | 'STARTSWITH'
  | 'ENDSWITH'
  | 'LIKE'
  | 'NOT LIKE'
  | 'ISEMPTY'
  | 'ISNOTEMPTY'
  | '>='
  | '<='
  | '>'
  | '<';

// Longest first so `NOT IN` is not read as `IN`, `>=` not as `>`.
const OPERATORS: readonly Operator[] = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'NOT LIKE',
  'NOT IN',
  'STARTSWITH',
  'ENDSWITH',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
];

export interface Condition {
  readonly field: string;
  readonly op: Operator;
  readonly value: string;
  /** The comma-separated values of `IN` / `NOT IN`, split once. */
  readonly list?: ReadonlySet<string>;
}

export interface ParsedQuery {
  /** AND of OR-groups. */
  readonly groups: readonly (readonly Condition[])[];
  readonly order: readonly { readonly field: string; readonly desc: boolean }[];
  /** Terms that did not parse; ServiceNow ignores them too. */
  readonly ignored: readonly string[];
}

function parseCondition(term: string): Condition | undefined {
  const m = /^([a-z_][a-z0-9_.]*)/.exec(term);
  if (!m?.[1]) return undefined;
  const field = m[1];
  const rest = term.slice(field.length);
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) return undefined;
  const value = rest.slice(op.length);
  return op === 'IN' || op === 'NOT IN' ? { field, op, value, list: new Set(value.split(',')) } : { field, op, value };
}

export function parseEncodedQuery(query: string): ParsedQuery {
  const groups: Condition[][] = [];
  const order: { field: string; desc: boolean }[] = [];
  const ignored: string[] = [];
  if (query.trim() === '') return { groups, order, ignored };
  for (const term of query.split('^')) {
    if (term === '' || term === 'EQ') continue;
    if (term.startsWith('ORDERBYDESC')) {
      order.push({ field: term.slice('ORDERBYDESC'.length), desc: true });
      continue;
    }
    if (term.startsWith('ORDERBY')) {
      order.push({ field: term.slice('ORDERBY'.length), desc: false });
      continue;
    }
    const isOr = term.startsWith('OR') && groups.length > 0;
    const condition = parseCondition(isOr ? term.slice(2) : term);
    if (!condition) {
      ignored.push(term);
      continue;
    }
    const last = groups[groups.length - 1];
    if (isOr && last) last.push(condition);
    else groups.push([condition]);
  }
  return { groups, order, ignored };
}

function test(value: string, c: Condition): boolean {
  switch (c.op) {
    case '=':
      return value === c.value;
    case '!=':
      return value !== c.value;
    case 'IN':
      return c.list?.has(value) ?? false;
    case 'NOT IN':
      return !(c.list?.has(value) ?? false);
    case 'STARTSWITH':
      return value.toLowerCase().startsWith(c.value.toLowerCase());
    case 'ENDSWITH':
      return value.toLowerCase().endsWith(c.value.toLowerCase());
    case 'LIKE':
      return value.toLowerCase().includes(c.value.toLowerCase());
    case 'NOT LIKE':
      return !value.toLowerCase().includes(c.value.toLowerCase());
    case 'ISEMPTY':
      return value === '';
    case 'ISNOTEMPTY':
      return value !== '';
    case '>':
      return compare(value, c.value) > 0;
    case '>=':
      return compare(value, c.value) >= 0;
    case '<':
      return compare(value, c.value) < 0;
    case '<=':
      return compare(value, c.value) <= 0;
  }
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Filters and sorts rows. `hasField` decides which conditions apply (unknown fields are ignored). */
export function applyQuery<R extends Readonly<Record<string, string>>>(
  rows: readonly R[],
  query: ParsedQuery,
  hasField: (field: string) => boolean,
): R[] {
  const groups = query.groups
    .map((g) => g.filter((c) => hasField(c.field)))
    .filter((g) => g.length > 0);
  const matched = rows.filter((row) => groups.every((g) => g.some((c) => test(row[c.field] ?? '', c))));
  const order = query.order.filter((o) => hasField(o.field));
  if (order.length === 0) return matched;
  return matched
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      for (const o of order) {
        const d = compare(x.row[o.field] ?? '', y.row[o.field] ?? '');
        if (d !== 0) return o.desc ? -d : d;
      }
      return x.index - y.index;
    })
    .map((x) => x.row);
}

/** What a value in a query patchbridge sends may look like: record keys and a few words, never free text. */
const STRICT_VALUE = /^[A-Za-z0-9:._@-]{1,100}$/;
const STRICT_WORDS = new Set(['not requested']);
/** Display names (a group or service CI named in configuration) may hold spaces and a little punctuation, never query or markup characters. */
const STRICT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()&/+:-]{0,99}$/;

/**
 * A test instrument, stricter than any instance: why `query` is not a plain
 * conjunction of known conditions over key-like values (an unparsed term, a
 * value with query, markup or control characters, a value too long), or
 * `undefined` when it is. Tests assert that no query patchbridge sends fails it,
 * so text from AWS can never have reached one.
 */
export function strictQueryViolation(query: string): string | undefined {
  const parsed = parseEncodedQuery(query);
  if (parsed.ignored.length > 0) return `unparsed term ${JSON.stringify(parsed.ignored[0]?.slice(0, 80))}`;
  for (const o of parsed.order) if (!/^[a-z_][a-z0-9_.]*$/.test(o.field)) return `odd order field ${JSON.stringify(o.field.slice(0, 80))}`;
  for (const group of parsed.groups) {
    for (const c of group) {
      if (c.op === 'ISEMPTY' || c.op === 'ISNOTEMPTY') {
        if (c.value !== '') return `value after ${c.op}`;
        continue;
      }
      for (const v of c.list ?? [c.value]) {
        if (!STRICT_VALUE.test(v) && !STRICT_WORDS.has(v) && !(c.field === 'name' && STRICT_NAME.test(v))) return `value ${JSON.stringify(v.slice(0, 80))} of ${c.field}`;
      }
    }
  }
  return undefined;
}
