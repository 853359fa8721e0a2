/**
 * History lines: the one form our writer gives a `SnapshotRecord`, a scanner
 * that reads exactly that form without `JSON.parse`, and the checked
 * `JSON.parse` path for every other line. A 30-day report over a large fleet
 * reads millions of lines; `JSON.parse` alone was 40 % of its time.
 */
import { ValidationError } from '../core/index.js';
import { COMPLIANCE_STATUSES, type SnapshotRecord } from './compliance.js';

/**
 * One history line (no newline): the fields in the order `readSnapshotLine`
 * expects, whatever order the record's own keys are in, and nothing else.
 */
export function formatSnapshotLine(r: SnapshotRecord): string {
  return JSON.stringify({
    captured_at: r.captured_at,
    account_id: r.account_id,
    aws_region: r.aws_region,
    instance_id: r.instance_id,
    computer_name: r.computer_name,
    platform_type: r.platform_type,
    platform_name: r.platform_name,
    resource_type: r.resource_type,
    patch_group: r.patch_group,
    baseline_id: r.baseline_id,
    status: r.status,
    last_operation: r.last_operation,
    last_operation_at: r.last_operation_at,
    ping_status: r.ping_status,
    last_ping_at: r.last_ping_at,
    unmanaged: r.unmanaged,
    stale: r.stale,
    installed_count: r.installed_count,
    installed_other_count: r.installed_other_count,
    installed_pending_reboot_count: r.installed_pending_reboot_count,
    installed_rejected_count: r.installed_rejected_count,
    missing_count: r.missing_count,
    failed_count: r.failed_count,
    not_applicable_count: r.not_applicable_count,
    critical_non_compliant_count: r.critical_non_compliant_count,
    security_non_compliant_count: r.security_non_compliant_count,
    other_non_compliant_count: r.other_non_compliant_count,
  } satisfies SnapshotRecord);
}

/**
 * Parses and checks one NDJSON history line: by `readSnapshotLine` when the
 * line is exactly in our writer's form, else by `parseSnapshotJson`. Either
 * way the result is what `JSON.parse` would give. Throws
 * `ValidationError('VALIDATION_FAILED')` naming the first bad field.
 */
export function parseSnapshotLine(line: string): SnapshotRecord {
  return readSnapshotLine(line) ?? parseSnapshotJson(line);
}

const STRING_FIELDS = ['captured_at', 'account_id', 'aws_region', 'instance_id', 'ping_status'] as const;
const NULLABLE_STRING_FIELDS = [
  'computer_name',
  'platform_type',
  'platform_name',
  'resource_type',
  'patch_group',
  'baseline_id',
  'last_operation_at',
  'last_ping_at',
] as const;
const COUNT_FIELDS = [
  'installed_count',
  'installed_other_count',
  'installed_pending_reboot_count',
  'installed_rejected_count',
  'missing_count',
  'failed_count',
  'not_applicable_count',
  'critical_non_compliant_count',
  'security_non_compliant_count',
  'other_non_compliant_count',
] as const;

/**
 * Parses one history line with `JSON.parse` and checks every field: any
 * spelling JSON allows (escapes, spaces, key order, extra keys). A hand-written
 * guard rather than a schema library, for the same reason as the scanner.
 */
export function parseSnapshotJson(line: string): SnapshotRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new ValidationError('VALIDATION_FAILED', 'history line is not JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('(line)');
  const o = value as Record<string, unknown>;
  for (const f of STRING_FIELDS) if (typeof o[f] !== 'string') throw bad(f);
  for (const f of NULLABLE_STRING_FIELDS) if (o[f] !== null && typeof o[f] !== 'string') throw bad(f);
  for (const f of COUNT_FIELDS) if (typeof o[f] !== 'number' || !Number.isInteger(o[f]) || (o[f] as number) < 0) throw bad(f);
  if (!(COMPLIANCE_STATUSES as readonly unknown[]).includes(o['status'])) throw bad('status');
  if (o['last_operation'] !== null && o['last_operation'] !== 'Scan' && o['last_operation'] !== 'Install') throw bad('last_operation');
  if (typeof o['unmanaged'] !== 'boolean') throw bad('unmanaged');
  if (typeof o['stale'] !== 'boolean') throw bad('stale');
  return o as unknown as SnapshotRecord;
}

function bad(field: string): ValidationError {
  return new ValidationError('VALIDATION_FAILED', `history line has a bad or missing "${field}"`, { details: { field } });
}

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 cuts a
 * substring of 13 characters or more as a view into its parent, so one kept
 * field of a line would keep the whole decompressed chunk (64 KB) alive;
 * flattening a fresh concatenation copies just the characters.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

// ---------------------------------------------------------------------------
// The scanner. One anchored regular expression spells the writer's form (keys in
// order, no whitespace, strings without escapes or control characters, counts
// as JSON.stringify writes them); V8 runs it as native code, several times
// faster than JSON.parse. Only a line it matches whole is then read, by
// position, knowing its shape. So a line read here is one `JSON.parse` reads
// to the same record, and every other line goes to `JSON.parse`.
// ---------------------------------------------------------------------------

type Kind = 'string' | 'nullable' | 'status' | 'operation' | 'flag' | 'count';

/** The writer's fields in order. */
const LAYOUT: readonly (readonly [name: keyof SnapshotRecord, kind: Kind])[] = [
  ['captured_at', 'string'],
  ['account_id', 'string'],
  ['aws_region', 'string'],
  ['instance_id', 'string'],
  ['computer_name', 'nullable'],
  ['platform_type', 'nullable'],
  ['platform_name', 'nullable'],
  ['resource_type', 'nullable'],
  ['patch_group', 'nullable'],
  ['baseline_id', 'nullable'],
  ['status', 'status'],
  ['last_operation', 'operation'],
  ['last_operation_at', 'nullable'],
  ['ping_status', 'string'],
  ['last_ping_at', 'nullable'],
  ['unmanaged', 'flag'],
  ['stale', 'flag'],
  ['installed_count', 'count'],
  ['installed_other_count', 'count'],
  ['installed_pending_reboot_count', 'count'],
  ['installed_rejected_count', 'count'],
  ['missing_count', 'count'],
  ['failed_count', 'count'],
  ['not_applicable_count', 'count'],
  ['critical_non_compliant_count', 'count'],
  ['security_non_compliant_count', 'count'],
  ['other_non_compliant_count', 'count'],
];

const STRING = '"[^"\\\\\\x00-\\x1f]*"';
const VALUE: Readonly<Record<Kind, string>> = {
  string: STRING,
  nullable: `(?:null|${STRING})`,
  status: `"(?:${COMPLIANCE_STATUSES.join('|')})"`,
  operation: '(?:null|"Scan"|"Install")',
  flag: '(?:true|false)',
  // Up to 16 digits, as a safe integer prints; larger ones are refused below.
  count: '(?:0|[1-9][0-9]{0,15})',
};
/** Sticky: it matches at `lastIndex` or not at all, so a line is matched in place inside its chunk. */
const FORM = new RegExp(`\\{${LAYOUT.map(([name, kind]) => `"${name}":${VALUE[kind]}`).join(',')}\\}`, 'y');
/** Characters from the start of each field's key to its value: `{"name":` for the first, `,"name":` after. */
const KEY_LENGTHS = LAYOUT.map(([name]) => name.length + 4);

const ZERO = 48;
const NINE = 57;
const N = 110;
const T = 116;
const S = 83;
const C = 67;
const U = 85;

const values: (string | number | boolean | null)[] = LAYOUT.map(() => null);

/**
 * Reads the line at `text[start, end)` (no newline) when it is exactly in the
 * form `formatSnapshotLine` writes: the record `JSON.parse` would give, or
 * `undefined` for any other line, which may still be valid JSON. Never throws.
 * Reading in place lets the history reader skip cutting out each line.
 */
export function readSnapshotText(text: string, start: number, end: number): SnapshotRecord | undefined {
  FORM.lastIndex = start;
  if (!FORM.test(text) || FORM.lastIndex !== end) return undefined;
  let p = start;
  for (let k = 0; k < LAYOUT.length; k++) {
    const field = LAYOUT[k] as (typeof LAYOUT)[number];
    p += KEY_LENGTHS[k] as number;
    const c = text.charCodeAt(p);
    switch (field[1]) {
      case 'string':
      case 'nullable': {
        if (c === N) {
          values[k] = null;
          p += 4;
          break;
        }
        const close = text.indexOf('"', p + 1);
        values[k] = text.slice(p + 1, close);
        p = close + 1;
        break;
      }
      case 'status': {
        const after = text.charCodeAt(p + 1);
        const status = after === C ? 'COMPLIANT' : after === U ? 'UNREPORTED' : 'NON_COMPLIANT';
        values[k] = status;
        p += status.length + 2;
        break;
      }
      case 'operation':
        if (c === N) {
          values[k] = null;
          p += 4;
        } else {
          values[k] = text.charCodeAt(p + 1) === S ? 'Scan' : 'Install';
          p += (values[k] as string).length + 2;
        }
        break;
      case 'flag':
        values[k] = c === T;
        p += c === T ? 4 : 5;
        break;
      case 'count': {
        let n = 0;
        for (let d = c; d >= ZERO && d <= NINE; d = text.charCodeAt(++p)) n = n * 10 + (d - ZERO);
        // Every step is exact below 2^53; past it the last step rounds to 2^53 or more, and JSON.parse decides.
        if (n > Number.MAX_SAFE_INTEGER) return undefined;
        values[k] = n;
        break;
      }
    }
  }
  const v = values;
  return {
    captured_at: v[0] as string,
    account_id: v[1] as string,
    aws_region: v[2] as string,
    instance_id: v[3] as string,
    computer_name: v[4] as string | null,
    platform_type: v[5] as string | null,
    platform_name: v[6] as string | null,
    resource_type: v[7] as string | null,
    patch_group: v[8] as string | null,
    baseline_id: v[9] as string | null,
    status: v[10] as SnapshotRecord['status'],
    last_operation: v[11] as SnapshotRecord['last_operation'],
    last_operation_at: v[12] as string | null,
    ping_status: v[13] as string,
    last_ping_at: v[14] as string | null,
    unmanaged: v[15] as boolean,
    stale: v[16] as boolean,
    installed_count: v[17] as number,
    installed_other_count: v[18] as number,
    installed_pending_reboot_count: v[19] as number,
    installed_rejected_count: v[20] as number,
    missing_count: v[21] as number,
    failed_count: v[22] as number,
    not_applicable_count: v[23] as number,
    critical_non_compliant_count: v[24] as number,
    security_non_compliant_count: v[25] as number,
    other_non_compliant_count: v[26] as number,
  };
}

/** `readSnapshotText` over a whole line. */
export function readSnapshotLine(line: string): SnapshotRecord | undefined {
  return readSnapshotText(line, 0, line.length);
}
