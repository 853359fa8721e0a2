import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, type ReportRow } from '../../domain/index.js';
import { csvChunks, csvField, csvStream } from './csv.js';

function row(patch: Partial<ReportRow> = {}): ReportRow {
  return {
    account_id: '111111111111',
    region: 'eu-west-1',
    instance_id: 'i-0123456789abcdef0',
    computer_name: 'web-1.example.internal',
    platform: 'Amazon Linux',
    patch_group: 'web',
    baseline_id: 'pb-0123456789abcdef0',
    current_status: 'NON_COMPLIANT',
    days_observed: 30,
    days_compliant: 27,
    days_non_compliant: 3,
    compliant_days_pct: 90,
    first_non_compliant_date: '2026-03-04',
    remediated_date: null,
    time_to_remediate_days: null,
    missing_count: 4,
    failed_count: 1,
    critical_non_compliant_count: 2,
    security_non_compliant_count: 1,
    other_non_compliant_count: 1,
    installed_pending_reboot_count: 0,
    installed_rejected_count: 0,
    pending_reboot: false,
    unmanaged: false,
    stale: false,
    ping_status: 'Online',
    last_ping_at: '2026-03-30T02:00:00.000Z',
    last_operation: 'Scan',
    last_operation_at: '2026-03-30T01:00:00.000Z',
    last_seen_date: '2026-03-30',
    ...patch,
  };
}

describe('csvField', () => {
  it.each([
    ['plain', 'web', 'web'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a newline', 'two\nlines', '"two\nlines"'],
    ['a formula', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['a leading minus in text', '-web', "'-web"],
    ['null', null, ''],
    ['a number', 12.5, '12.5'],
    ['a boolean', true, 'true'],
  ] as const)('when the value has %s, then it is written as %s', (_what, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('CSV output', () => {
  it('when rows are written, then a CSV parser reads back the documented columns in order with the same values', async () => {
    // Prepare
    const rows = [row(), row({ instance_id: 'mi-0123456789abcdef0', patch_group: null, unmanaged: true, computer_name: 'db, "primary"' })];
    // Act
    let text = '';
    for await (const chunk of csvStream(rows)) text += String(chunk);
    const parsed: string[][] = parse(text, { relax_column_count: false });
    // Assess
    expect(parsed[0]).toEqual(REPORT_COLUMNS.map(([name]) => name));
    expect(parsed).toHaveLength(3);
    const header = parsed[0] ?? [];
    const second = Object.fromEntries(header.map((h, i) => [h, parsed[2]?.[i]]));
    expect(second).toMatchObject({ instance_id: 'mi-0123456789abcdef0', patch_group: '', unmanaged: 'true', computer_name: 'db, "primary"', days_compliant: '27' });
    expect(text.split('\r\n')).toHaveLength(4);
  });

  it('when there are more rows than one chunk holds, then every row arrives once, in order', () => {
    const rows = Array.from({ length: 1234 }, (_, i) => row({ instance_id: `i-${i.toString(16).padStart(17, '0')}` }));
    const chunks = [...csvChunks(rows)];
    const parsed: string[][] = parse(chunks.join(''));
    expect(chunks.length).toBeGreaterThan(2);
    expect(parsed.slice(1).map((r) => r[2])).toEqual(rows.map((r) => r.instance_id));
  });
});
