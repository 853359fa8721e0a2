import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ComplianceAccumulator, periodDays, REPORT_COLUMNS, type SnapshotRecord, ZERO_COUNTS } from '../../domain/index.js';
import { HOSTILE_LONG, HOSTILE_TEXT } from '../../sim/aws/index.js';
import { csvChunks } from './csv.js';
import { renderReportHtml } from './html.js';

// Hostile AWS data (the AWS simulator's `hostile` knob) in the two columns the
// reports show that AWS users write: the patch group tag and the host name.

const days = periodDays('2026-03-02', 2);
const HOSTILE = [...HOSTILE_TEXT, HOSTILE_LONG.slice(0, 256)];

function record(n: number, text: string): SnapshotRecord {
  return {
    ...ZERO_COUNTS,
    captured_at: '2026-03-02T02:15:00.000Z',
    account_id: '111111111111',
    aws_region: 'eu-west-1',
    instance_id: `i-${n.toString(16).padStart(17, '0')}`,
    computer_name: text.slice(0, 64),
    platform_type: 'Linux',
    platform_name: 'Amazon Linux',
    resource_type: 'EC2Instance',
    patch_group: text,
    baseline_id: 'pb-0123456789abcdef0',
    status: 'NON_COMPLIANT',
    last_operation: 'Install',
    last_operation_at: '2026-03-02T01:00:00.000Z',
    ping_status: 'Online',
    last_ping_at: '2026-03-02T02:00:00.000Z',
    unmanaged: false,
    stale: false,
    missing_count: 2,
    critical_non_compliant_count: 1,
  };
}

function report() {
  const acc = new ComplianceAccumulator({ days });
  for (const day of days) for (const [n, text] of HOSTILE.entries()) acc.add(day, record(n + 1, text));
  return acc;
}

describe('reports on hostile AWS data', () => {
  it('when patch groups and host names hold markup, script, query characters and control characters, then the HTML report shows them as text and runs nothing', () => {
    // Act
    const html = renderReportHtml(report().summary({ generatedAt: '2026-03-02T06:00:00.000Z', live: false }));

    // Assess: no hostile string survives as markup, each is there escaped.
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&#60;script&#62;alert(&#34;pb&#34;)&#60;/script&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('when cells begin with =, +, -, @ or hold quotes, commas and line breaks, then the CSV defuses every formula and reads back the values exactly', () => {
    // Act
    const csv = [...csvChunks(report().rows())].join('');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];

    // Assess
    const names = REPORT_COLUMNS.map(([name]) => name);
    expect(rows).toHaveLength(HOSTILE.length);
    for (const [n, text] of HOSTILE.entries()) {
      const row = rows.find((r) => r['instance_id'] === `i-${(n + 1).toString(16).padStart(17, '0')}`);
      const defused = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      expect(row?.['patch_group']).toBe(defused);
    }
    for (const row of rows) for (const name of names) expect(row[name] ?? '').not.toMatch(/^[=+@\t\r]|^-(?!\d)/);
  });
});
