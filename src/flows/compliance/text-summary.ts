import { type ReportSummary, UNMANAGED_GROUP } from '../../domain/index.js';

export interface ReportLink {
  readonly name: string;
  readonly format: string;
  readonly url: string;
  readonly expiresAt: string;
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)}%`;
}

/** SNS subjects are limited to 100 characters. */
export function reportSubject(summary: ReportSummary): string {
  const f = summary.fleet;
  return `Patch compliance ${summary.period.end}: ${pct(f.compliancePct)} (${f.compliant}/${f.instances} instances)`.slice(0, 100);
}

const MAX_GROUP_LINES = 25;

/**
 * The plain-text summary that goes to SNS (email subscribers read it as is) and
 * into the ServiceNow work note. Bounded: at most 25 group lines and the worst
 * offenders, far below SNS's 256 KiB and a journal entry's size.
 */
export function reportText(summary: ReportSummary, options: { reportId: string; links: readonly ReportLink[] }): string {
  const f = summary.fleet;
  const lines: string[] = [
    `Patch compliance report ${summary.period.start} to ${summary.period.end} (${summary.period.days} days)`,
    '',
    `Fleet: ${pct(f.compliancePct)} compliant, ${f.compliant} of ${f.instances} instances.`,
    `Non-compliant ${f.nonCompliant}, unreported ${f.unreported}, unmanaged ${f.unmanaged}, stale ${f.stale}, pending reboot ${f.pendingReboot}.`,
    `Mean time to remediate: ${f.meanTimeToRemediateDays === null ? 'n/a' : `${f.meanTimeToRemediateDays} days`} (${f.remediated} instances remediated in the period).`,
  ];
  if (summary.daysWithoutData.length > 0) lines.push(`No snapshot on ${summary.daysWithoutData.length} day(s) of the period.`);
  lines.push('', 'By patch group:');
  const groups = [...summary.byPatchGroup].sort((a, b) => (a.compliancePct ?? -1) - (b.compliancePct ?? -1) || a.key.localeCompare(b.key));
  for (const g of groups.slice(0, MAX_GROUP_LINES)) lines.push(`  ${g.key}: ${pct(g.compliancePct)} (${g.compliant}/${g.instances})`);
  if (groups.length > MAX_GROUP_LINES) lines.push(`  … and ${groups.length - MAX_GROUP_LINES} more (see the report).`);
  if (summary.worstOffenders.length > 0) {
    lines.push('', 'Worst offenders:');
    for (const o of summary.worstOffenders) {
      lines.push(
        `  ${o.instance_id} (${o.patch_group ?? UNMANAGED_GROUP}, ${o.account_id} ${o.region}): ${o.critical_non_compliant_count} critical, ${o.missing_count} missing, ${o.failed_count} failed, non-compliant ${o.days_non_compliant} day(s)`,
      );
    }
  }
  if (options.links.length > 0) {
    const until = options.links.map((l) => l.expiresAt).sort()[0];
    lines.push('', `Files (links valid until ${until}):`);
    for (const l of options.links) lines.push(`  ${l.format.toUpperCase()}: ${l.url}`);
  }
  lines.push('', `Report id: ${options.reportId}`);
  return lines.join('\n');
}
