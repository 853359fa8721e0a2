import type { SnapshotRecord } from '../../src/domain/index.js';

/**
 * The baseline the benchmark compares with: every record of every day held in
 * memory at once, grouped per instance, then one row per instance built into
 * one CSV string. Same figures as the streaming builder, none of its care.
 */
export function naiveReport(all: readonly SnapshotRecord[], days: readonly string[]): { rows: number; csvBytes: number } {
  const byInstance = new Map<string, { day: string; r: SnapshotRecord }[]>();
  const dayOf = (r: SnapshotRecord) => r.captured_at.slice(0, 10);
  for (const r of all) {
    const key = `${r.account_id}/${r.aws_region}/${r.instance_id}`;
    const list = byInstance.get(key) ?? [];
    list.push({ day: dayOf(r), r });
    byInstance.set(key, list);
  }
  const lines: string[] = ['account_id,region,instance_id,current_status,days_observed,days_compliant,first_non_compliant_date,time_to_remediate_days'];
  const inPeriod = new Set(days);
  for (const [key, list] of byInstance) {
    list.sort((a, b) => a.day.localeCompare(b.day));
    const seen = list.filter((x) => inPeriod.has(x.day));
    const firstBad = seen.find((x) => x.r.status === 'NON_COMPLIANT');
    const fixed = firstBad ? seen.find((x) => x.day > firstBad.day && x.r.status === 'COMPLIANT') : undefined;
    const ttr = firstBad && fixed ? (Date.parse(fixed.day) - Date.parse(firstBad.day)) / 86_400_000 : '';
    const last = seen.at(-1)?.r;
    lines.push(
      [...key.split('/'), last?.status ?? '', seen.length, seen.filter((x) => x.r.status === 'COMPLIANT').length, firstBad?.day ?? '', ttr].join(','),
    );
  }
  const csv = lines.join('\r\n');
  return { rows: byInstance.size, csvBytes: Buffer.byteLength(csv) };
}
