import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMPLIANCE_STATUSES, type SnapshotRecord } from './compliance.js';
import { formatSnapshotLine, parseSnapshotJson, parseSnapshotLine, readSnapshotLine, readSnapshotText } from './snapshot-line.js';

/** Characters a hostile or unlucky value may hold: quotes, backslashes, controls, line separators, lone surrogates, non-ASCII. */
const hostileChar = fc.constantFrom('"', '\\', '\u0000', '\u0001', '\u001f', '\t', '\r', '\n', '\u007f', '\u2028', '\u2029', '\ud800', '\udfff', 'é', '😀', '{', '}', ',', ':', 'null');
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(hostileChar, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const nullable = fc.option(text, { nil: null });
const count = fc.oneof(fc.nat(20), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));

const record: fc.Arbitrary<SnapshotRecord> = fc.record({
  captured_at: text,
  account_id: text,
  aws_region: text,
  instance_id: text,
  computer_name: nullable,
  platform_type: nullable,
  platform_name: nullable,
  resource_type: nullable,
  patch_group: nullable,
  baseline_id: nullable,
  status: fc.constantFrom(...COMPLIANCE_STATUSES),
  last_operation: fc.constantFrom('Scan' as const, 'Install' as const, null),
  last_operation_at: nullable,
  ping_status: text,
  last_ping_at: nullable,
  unmanaged: fc.boolean(),
  stale: fc.boolean(),
  installed_count: count,
  installed_other_count: count,
  installed_pending_reboot_count: count,
  installed_rejected_count: count,
  missing_count: count,
  failed_count: count,
  not_applicable_count: count,
  critical_non_compliant_count: count,
  security_non_compliant_count: count,
  other_non_compliant_count: count,
});

/** What the checked JSON.parse path makes of a line: the record, or the error it throws. */
function viaJson(line: string): { record: SnapshotRecord } | { error: string } {
  try {
    return { record: parseSnapshotJson(line) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/**
 * Ways a line can differ from the writer's form while staying valid JSON for the
 * same or another record, or stop being valid: each must leave the scanner and
 * go to JSON.parse.
 */
const mutations: Record<string, (line: string, at: number) => string | undefined> = {
  'a character of a string spelled as a \\u escape': (line, at) => {
    const i = line.indexOf('":"', at % line.length);
    if (i < 0 || line[i + 3] === '"') return undefined;
    const c = line.charCodeAt(i + 3);
    return `${line.slice(0, i + 3)}\\u${c.toString(16).padStart(4, '0')}${line.slice(i + 4)}`;
  },
  'a space after a colon': (line, at) => {
    const i = line.indexOf('":', at % line.length);
    return i < 0 ? undefined : `${line.slice(0, i + 2)} ${line.slice(i + 2)}`;
  },
  'a trailing carriage return': (line) => `${line}\r`,
  'two keys swapped': (line) => line.replace(/^\{("captured_at":"[^"]*"),("account_id":"[^"]*")/, '{$2,$1'),
  'a key repeated with another value': (line) => line.replace(/\}$/, ',"missing_count":7}'),
  'the first key repeated first': (line) => line.replace(/^\{/, '{"instance_id":"i-forged",'),
  'an unknown key': (line) => line.replace(/\}$/, ',"note":"x"}'),
  'a count written as 1.0': (line) => line.replace(/"failed_count":\d+/, '"failed_count":1.0'),
  'a count written as 1e0': (line) => line.replace(/"failed_count":\d+/, '"failed_count":1e0'),
  'a count with a leading zero': (line) => line.replace(/"failed_count":\d+/, '"failed_count":01'),
  'a count of -0': (line) => line.replace(/"failed_count":\d+/, '"failed_count":-0'),
  'a count of sixteen digits': (line) => line.replace(/"failed_count":\d+/, '"failed_count":9007199254740993'),
  'a raw control character in a string': (line) => line.replace(/"ping_status":"/, '"ping_status":"\u0001'),
  'a string left open': (line) => line.replace(/"ping_status":"[^"]*"/, '"ping_status":"Online'),
  'a null status': (line) => line.replace(/"status":"[A-Z_]+"/, '"status":null'),
  'a boolean as a string': (line) => line.replace(/"stale":(true|false)/, '"stale":"false"'),
  'trailing garbage': (line) => `${line}x`,
  'the closing brace missing': (line) => line.slice(0, -1),
};

/** A line as our writer writes it, from a record whose strings need no escape. */
const plainLine = fc
  .record({ r: record, at: fc.nat() })
  .map(({ r, at }) => ({ line: formatSnapshotLine(r), at }))
  .filter(({ line }) => !line.includes('\\'));

describe('readSnapshotLine', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('when a record is written by the writer, then the scanner reads it back equal, or leaves a line with escapes to JSON.parse', () => {
    fc.assert(
      fc.property(record, (r) => {
        const line = formatSnapshotLine(r);
        const fast = readSnapshotLine(line);
        if (line.includes('\\')) expect(fast).toBeUndefined();
        // fast-check's records have no prototype; the parsed ones are plain objects.
        else expect(fast).toStrictEqual({ ...r });
        expect(parseSnapshotLine(line)).toStrictEqual({ ...r });
      }),
      { numRuns: 500 },
    );
  });

  it('for any line at all, what the scanner reads is what JSON.parse reads', () => {
    const line = fc.oneof(
      record.map(formatSnapshotLine),
      fc.record({ r: record, pos: fc.nat(), ch: fc.oneof(hostileChar, fc.string({ maxLength: 2 })) }).map(({ r, pos, ch }) => {
        const l = formatSnapshotLine(r);
        const i = pos % (l.length + 1);
        return `${l.slice(0, i)}${ch}${l.slice(i + (pos % 2))}`;
      }),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(line, (l) => {
        const fast = readSnapshotLine(l);
        if (fast !== undefined) expect(viaJson(l)).toStrictEqual({ record: fast });
        expect(viaJsonOf(() => parseSnapshotLine(l))).toStrictEqual(viaJson(l));
      }),
      { numRuns: 1000 },
    );
  });

  it.each(Object.entries(mutations))('when a line has %s, then the scanner refuses it and JSON.parse decides', (_what, mutate) => {
    fc.assert(
      fc.property(plainLine, ({ line, at }) => {
        const mutated = mutate(line, at);
        fc.pre(mutated !== undefined && mutated !== line);
        const m = mutated as string;
        const parse = vi.spyOn(JSON, 'parse');
        const fast = readSnapshotLine(m);
        const byScanner = parse.mock.calls.length;
        const read = viaJsonOf(() => parseSnapshotLine(m));
        const byParse = parse.mock.calls.length - byScanner;
        parse.mockRestore();
        expect(fast).toBeUndefined();
        expect(byScanner).toBe(0);
        expect(byParse).toBe(1);
        expect(read).toStrictEqual(viaJson(m));
      }),
      { numRuns: 100 },
    );
  });

  it('when a line is in the writer form, then it is read without JSON.parse', () => {
    fc.assert(
      fc.property(plainLine, ({ line }) => {
        const parse = vi.spyOn(JSON, 'parse');
        const read = parseSnapshotLine(line);
        const calls = parse.mock.calls.length;
        parse.mockRestore();
        expect(calls).toBe(0);
        expect(read).toStrictEqual(JSON.parse(line));
      }),
      { numRuns: 200 },
    );
  });

  it('when a line is read in place inside a longer text, then only that line is read', () => {
    fc.assert(
      fc.property(plainLine, plainLine, ({ line: a }, { line: b }) => {
        const both = `${a}\n${b}\n`;
        expect(readSnapshotText(both, 0, a.length)).toStrictEqual(JSON.parse(a));
        expect(readSnapshotText(both, a.length + 1, a.length + 1 + b.length)).toStrictEqual(JSON.parse(b));
        // A range that is not exactly one line is refused.
        expect(readSnapshotText(both, 0, a.length + 1)).toBeUndefined();
        expect(readSnapshotText(both, 0, a.length - 1)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

function viaJsonOf(read: () => SnapshotRecord): { record: SnapshotRecord } | { error: string } {
  try {
    return { record: read() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
