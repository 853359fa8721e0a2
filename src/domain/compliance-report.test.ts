import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ComplianceStatus, periodDays, type SnapshotRecord, ZERO_COUNTS } from './compliance.js';
import { ComplianceAccumulator } from './compliance-report.js';
import { parseSnapshotLine } from './snapshot-line.js';

function record(instanceId: string, status: ComplianceStatus, patch: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    ...ZERO_COUNTS,
    captured_at: '2026-03-01T02:15:00.000Z',
    account_id: '111111111111',
    aws_region: 'eu-west-1',
    instance_id: instanceId,
    computer_name: null,
    platform_type: 'Linux',
    platform_name: 'Amazon Linux',
    resource_type: 'EC2Instance',
    patch_group: 'web',
    baseline_id: 'pb-0123456789abcdef0',
    status,
    last_operation: 'Scan',
    last_operation_at: '2026-03-01T01:00:00.000Z',
    ping_status: 'Online',
    last_ping_at: '2026-03-01T02:00:00.000Z',
    unmanaged: false,
    stale: false,
    ...(status === 'NON_COMPLIANT' ? { missing_count: 2 } : {}),
    ...patch,
  };
}

type Fleet = readonly (readonly [id: string, pattern: string, patch?: Partial<SnapshotRecord>])[];

/** Feeds the fleet day by day, one status letter per day per instance (`C`, `N`, `U`, `-` = absent). */
function feed(acc: ComplianceAccumulator, days: readonly string[], fleet: Fleet): void {
  const map = { C: 'COMPLIANT', N: 'NON_COMPLIANT', U: 'UNREPORTED' } as const;
  for (const [i, day] of days.entries()) {
    for (const [id, pattern, patch] of fleet) {
      const ch = pattern[i];
      if (ch && ch !== '-') acc.add(day, record(id, map[ch as keyof typeof map], patch));
    }
  }
}

describe('ComplianceAccumulator rows', () => {
  const days = periodDays('2026-03-05', 5);

  it.each([
    // pattern, days observed, compliant, non-compliant, first NC, remediated, TTR
    ['CCCCC', 5, 5, 0, null, null, null],
    ['CNNCC', 5, 3, 2, '2026-03-02', '2026-03-04', 2],
    ['NNNNN', 5, 0, 5, '2026-03-01', null, null],
    ['CCNNN', 5, 2, 3, '2026-03-03', null, null],
    ['NCNCC', 5, 3, 2, '2026-03-01', '2026-03-02', 1],
    ['--NUC', 3, 1, 1, '2026-03-03', '2026-03-05', 2],
    ['UUUUU', 5, 0, 0, null, null, null],
  ] as const)('when the days read %s, then observed %i, compliant %i, non-compliant %i, first NC %s, remediated %s, TTR %s', (pattern, observed, compliant, nonCompliant, firstNc, remediated, ttr) => {
    // Prepare
    const acc = new ComplianceAccumulator({ days });
    // Act
    for (const [i, day] of days.entries()) {
      const ch = pattern[i];
      if (ch && ch !== '-') acc.add(day, record('i-0000000000000000a', ch === 'C' ? 'COMPLIANT' : ch === 'N' ? 'NON_COMPLIANT' : 'UNREPORTED'));
    }
    const [row] = [...acc.rows()];
    // Assess
    expect(row).toMatchObject({
      days_observed: observed,
      days_compliant: compliant,
      days_non_compliant: nonCompliant,
      first_non_compliant_date: firstNc,
      remediated_date: remediated,
      time_to_remediate_days: ttr,
    });
  });

  it('when the same instance arrives twice on one day, then the day counts once', () => {
    const acc = new ComplianceAccumulator({ days });
    acc.add('2026-03-01', record('i-0000000000000000a', 'COMPLIANT'));
    acc.add('2026-03-01', record('i-0000000000000000a', 'NON_COMPLIANT'));
    const [row] = [...acc.rows()];
    expect(row?.days_observed).toBe(1);
    expect(row?.current_status).toBe('COMPLIANT');
  });

  it('when a day arrives after a later one, then it is refused', () => {
    const acc = new ComplianceAccumulator({ days });
    acc.add('2026-03-03', record('i-0000000000000000a', 'COMPLIANT'));
    expect(() => acc.add('2026-03-02', record('i-0000000000000000a', 'COMPLIANT'))).toThrow(/oldest first/);
  });

  it('when a day is outside the period, then it is refused', () => {
    const acc = new ComplianceAccumulator({ days });
    expect(() => acc.add('2026-03-06', record('i-0000000000000000a', 'COMPLIANT'))).toThrow(/outside the report period/);
  });

  it('when rows are read, then they are sorted by account, region and instance id', () => {
    const acc = new ComplianceAccumulator({ days });
    acc.add('2026-03-01', record('i-0000000000000000c', 'COMPLIANT'));
    acc.add('2026-03-01', record('i-0000000000000000a', 'COMPLIANT', { account_id: '222222222222' }));
    acc.add('2026-03-01', record('i-0000000000000000b', 'COMPLIANT'));
    expect([...acc.rows()].map((r) => `${r.account_id}/${r.instance_id}`)).toEqual([
      '111111111111/i-0000000000000000b',
      '111111111111/i-0000000000000000c',
      '222222222222/i-0000000000000000a',
    ]);
  });
});

describe('ComplianceAccumulator summary', () => {
  const days = periodDays('2026-03-04', 4);

  it('when groups differ, then compliance % per group, fleet trend and counts are exact', () => {
    // Prepare: web has 4 instances, db 2, one unmanaged; one web instance leaves the fleet on day 3.
    const acc = new ComplianceAccumulator({ days });
    feed(acc, days, [
      ['i-00000000000000001', 'CCCC'],
      ['i-00000000000000002', 'CNNC'],
      ['i-00000000000000003', 'NNNN', { critical_non_compliant_count: 3, missing_count: 5 }],
      ['i-00000000000000004', 'CC--'],
      ['i-00000000000000005', 'CCCN', { patch_group: 'db' }],
      ['i-00000000000000006', 'UUUU', { patch_group: 'db', stale: true }],
      ['i-00000000000000007', 'CCCC', { patch_group: null, unmanaged: true }],
    ]);
    // Act
    const s = acc.summary({ generatedAt: '2026-03-04T06:00:00.000Z', live: false });
    // Assess
    expect(s.period).toEqual({ start: '2026-03-01', end: '2026-03-04', days: 4 });
    expect(s.instancesSeen).toBe(7);
    expect(s.fleet).toMatchObject({ instances: 6, compliant: 3, nonCompliant: 2, unreported: 1, compliancePct: 50, unmanaged: 1, stale: 1, remediated: 1, meanTimeToRemediateDays: 2 });
    expect(s.fleet.trend.map((t) => t.compliancePct)).toEqual([71.4, 57.1, 50, 50]);
    const byKey = Object.fromEntries(s.byPatchGroup.map((g) => [g.key, g]));
    expect(Object.keys(byKey)).toEqual(['(unmanaged)', 'db', 'web']);
    expect(byKey['web']).toMatchObject({ instances: 3, compliant: 2, compliancePct: 66.7 });
    expect(byKey['web']?.trend.map((t) => t.instances)).toEqual([4, 4, 3, 3]);
    expect(byKey['db']).toMatchObject({ instances: 2, compliant: 0, nonCompliant: 1, unreported: 1, compliancePct: 0 });
    expect(byKey['(unmanaged)']).toMatchObject({ instances: 1, compliancePct: 100, unmanaged: 1 });
    expect(s.worstOffenders.map((o) => o.instance_id)).toEqual(['i-00000000000000003', 'i-00000000000000005']);
    expect(s.worstOffenders[0]).toMatchObject({ critical_non_compliant_count: 3, days_non_compliant: 4, first_non_compliant_date: '2026-03-01' });
    expect(s.daysWithoutData).toEqual([]);
  });

  it('when a day has no records, then it is listed and its trend point is null', () => {
    const acc = new ComplianceAccumulator({ days });
    feed(acc, days, [['i-00000000000000001', 'C-CC']]);
    const s = acc.summary({ generatedAt: '2026-03-04T06:00:00.000Z', live: true });
    expect(s.daysWithoutData).toEqual(['2026-03-02']);
    expect(s.fleet.trend[1]).toEqual({ date: '2026-03-02', instances: 0, compliant: 0, compliancePct: null });
    expect(s.live).toBe(true);
  });
});

describe('parseSnapshotLine', () => {
  it('when a line was written from a record, then it reads back equal', () => {
    const r = record('i-0000000000000000a', 'NON_COMPLIANT');
    expect(parseSnapshotLine(JSON.stringify(r))).toEqual(r);
  });

  it.each([
    ['not JSON', '{"a":', /not JSON/],
    ['an array', '[1,2]', /\(line\)/],
    ['a missing instance id', JSON.stringify({ ...record('i-0000000000000000a', 'COMPLIANT'), instance_id: undefined }), /instance_id/],
    ['a negative count', JSON.stringify({ ...record('i-0000000000000000a', 'COMPLIANT'), missing_count: -1 }), /missing_count/],
    ['an unknown status', JSON.stringify({ ...record('i-0000000000000000a', 'COMPLIANT'), status: 'GREEN' }), /status/],
  ])('when the line is %s, then it is refused naming the problem', (_what, line, message) => {
    expect(() => parseSnapshotLine(line)).toThrow(message);
  });
});

describe('ComplianceAccumulator merge', () => {
  const days = periodDays('2026-03-08', 8);
  const statuses = ['COMPLIANT', 'NON_COMPLIANT', 'UNREPORTED'] as const;
  /** Instance × day cells: absent, or a status and a patch group (groups move between days). */
  const cell = fc.option(fc.record({ status: fc.constantFrom(...statuses), group: fc.constantFrom('web', 'db', null), missing: fc.nat(5) }), { nil: undefined });
  const fleet = fc.array(fc.array(cell, { minLength: days.length, maxLength: days.length }), { minLength: 1, maxLength: 12 });

  type Cells = readonly (readonly ({ status: ComplianceStatus; group: string | null; missing: number } | undefined)[])[];
  const recordAt = (cells: Cells, i: number, d: number) => {
    const c = cells[i]?.[d];
    if (!c) return undefined;
    return record(`i-${i.toString(16).padStart(17, '0')}`, c.status, {
      account_id: i % 3 === 0 ? '222222222222' : '111111111111',
      patch_group: c.group,
      unmanaged: c.group === null,
      missing_count: c.status === 'NON_COMPLIANT' ? c.missing + 1 : 0,
      captured_at: `${days[d]}T02:15:00.000Z`,
    });
  };
  /** Every record whose (instance, day) `part` says, in day order. */
  const build = (cells: Cells, part: (i: number, d: number) => boolean) => {
    const acc = new ComplianceAccumulator({ days });
    for (const [d, day] of days.entries()) {
      for (let i = 0; i < cells.length; i++) {
        const r = recordAt(cells, i, d);
        if (r && part(i, d)) acc.add(day, r);
      }
    }
    return acc;
  };
  const view = (acc: ComplianceAccumulator) => ({ rows: [...acc.rows()], summary: acc.summary({ generatedAt: 'g', live: false }), records: acc.records, instances: acc.instances });

  it('when the records are split by instance into parts and merged, then rows and summaries equal one accumulator fed them all', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 1, max: 4 }), (cells, parts) => {
        const whole = build(cells, () => true);
        const merged = new ComplianceAccumulator({ days });
        for (let p = 0; p < parts; p++) merged.merge(build(cells, (i) => i % parts === p).state());
        expect(view(merged)).toEqual(view(whole));
      }),
    );
  });

  it('when the period is split into day ranges and merged in any order, then rows and summaries equal one accumulator fed them all', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 1, max: days.length - 1 }), fc.boolean(), (cells, cut, laterFirst) => {
        const whole = build(cells, () => true);
        const earlier = build(cells, (_i, d) => d < cut).state();
        const later = build(cells, (_i, d) => d >= cut).state();
        const merged = new ComplianceAccumulator({ days });
        for (const part of laterFirst ? [later, earlier] : [earlier, later]) merged.merge(part);
        expect(view(merged)).toEqual(view(whole));
      }),
    );
  });

  it('when a merged part is followed by later records, then they fold in as if added in order', () => {
    const short = periodDays('2026-03-03', 3);
    const whole = new ComplianceAccumulator({ days: short });
    const part = new ComplianceAccumulator({ days: short });
    const r0 = record('i-0000000000000000a', 'NON_COMPLIANT', { captured_at: `${short[0]}T02:15:00.000Z` });
    const r2 = record('i-0000000000000000a', 'COMPLIANT', { captured_at: `${short[2]}T02:15:00.000Z` });
    whole.add(short[0] ?? '', r0);
    whole.add(short[2] ?? '', r2);
    part.add(short[0] ?? '', r0);
    const merged = new ComplianceAccumulator({ days: short });
    merged.merge(part.state());
    merged.add(short[2] ?? '', r2);
    expect(view(merged)).toEqual(view(whole));
    expect([...merged.rows()][0]).toMatchObject({ first_non_compliant_date: short[0], remediated_date: short[2], time_to_remediate_days: 2 });
  });

  it.each([
    ['overlapping days of one instance', (a: ComplianceAccumulator, b: ComplianceAccumulator, d: readonly string[]) => {
      a.add(d[0] ?? '', record('i-0000000000000000a', 'COMPLIANT'));
      a.add(d[1] ?? '', record('i-0000000000000000a', 'COMPLIANT'));
      b.add(d[1] ?? '', record('i-0000000000000000a', 'COMPLIANT'));
    }, /overlapping days/],
  ])('when the parts have %s, then the merge is refused', (_what, fill, message) => {
    const d = periodDays('2026-03-03', 3);
    const a = new ComplianceAccumulator({ days: d });
    const b = new ComplianceAccumulator({ days: d });
    fill(a, b, d);
    expect(() => a.merge(b.state())).toThrow(message);
  });

  it('when the parts cover different periods, then the merge is refused', () => {
    const a = new ComplianceAccumulator({ days: periodDays('2026-03-03', 3) });
    const b = new ComplianceAccumulator({ days: periodDays('2026-03-04', 3) });
    expect(() => a.merge(b.state())).toThrow(/different periods/);
  });
});
