import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/domain/index.js';

const doc = readFileSync(new URL('../../docs/reports.md', import.meta.url), 'utf8');

describe('docs/reports.md', () => {
  it('when the CSV column table is read, then it lists exactly the columns the code writes, in order, with the same meanings', () => {
    // Prepare
    const table = doc.split('<!-- report-columns:start -->')[1]?.split('<!-- report-columns:end -->')[0] ?? '';
    // Act
    const rows = table
      .split('\n')
      .filter((l) => /^\| \d+ \|/.test(l))
      .map((l) => {
        const cells = l.split(' | ');
        return [cells[1]?.replace(/`/g, ''), cells.slice(2).join(' | ').replace(/ \|$/, '')];
      });
    // Assess
    expect(rows).toEqual(REPORT_COLUMNS.map(([name, meaning]) => [name, meaning]));
  });
});
