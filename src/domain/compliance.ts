/**
 * Compliance history: one `SnapshotRecord` per managed instance per day, and the
 * rules that decide its status. Pure: no I/O, no clock.
 *
 * Records are stored as gzip NDJSON with snake_case keys so Athena/Glue read them
 * as they are (see docs/reports.md). `account`, `region` and `dt` are partition
 * columns (in the object key), so the row spells them `account_id`, `aws_region`
 * and `captured_at`: Athena refuses a data column named like a partition column.
 */

export const COMPLIANCE_STATUSES = ['COMPLIANT', 'NON_COMPLIANT', 'UNREPORTED'] as const;

/**
 * - `COMPLIANT`: the last patch operation found nothing missing, failed, rejected or pending reboot.
 * - `NON_COMPLIANT`: at least one patch is missing, failed, installed-rejected or installed-pending-reboot
 *   (SSM reports all four as non-compliant).
 * - `UNREPORTED`: SSM holds no patch state for the instance (never scanned).
 */
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

/** The patch-state counters a record carries, as SSM's `InstancePatchState` names them. */
export interface PatchCounts {
  readonly installed_count: number;
  readonly installed_other_count: number;
  readonly installed_pending_reboot_count: number;
  readonly installed_rejected_count: number;
  readonly missing_count: number;
  readonly failed_count: number;
  readonly not_applicable_count: number;
  /** Missing patches the baseline classes as Critical for compliance reporting. */
  readonly critical_non_compliant_count: number;
  /** Missing patches the baseline classes as Security. */
  readonly security_non_compliant_count: number;
  /** Every other missing patch. */
  readonly other_non_compliant_count: number;
}

/** One line of a daily history object. Every field is always present (null when unknown). */
export interface SnapshotRecord extends PatchCounts {
  /** ISO-8601 UTC instant the snapshot was taken. */
  readonly captured_at: string;
  readonly account_id: string;
  readonly aws_region: string;
  readonly instance_id: string;
  readonly computer_name: string | null;
  /** `Windows`, `Linux` or `MacOS`. */
  readonly platform_type: string | null;
  readonly platform_name: string | null;
  /** `EC2Instance` or `ManagedInstance` (hybrid). */
  readonly resource_type: string | null;
  /** The `Patch Group` (or `PatchGroup`) tag; null = unmanaged. */
  readonly patch_group: string | null;
  readonly baseline_id: string | null;
  readonly status: ComplianceStatus;
  readonly last_operation: 'Scan' | 'Install' | null;
  /** End of the last patch operation (ISO-8601). */
  readonly last_operation_at: string | null;
  /** `Online`, `ConnectionLost` or `Inactive`. */
  readonly ping_status: string;
  readonly last_ping_at: string | null;
  /** No patch group: nobody chose a baseline or window for it. */
  readonly unmanaged: boolean;
  /** Silent (no ping) for longer than the configured number of days. */
  readonly stale: boolean;
}

export const ZERO_COUNTS: PatchCounts = Object.freeze({
  installed_count: 0,
  installed_other_count: 0,
  installed_pending_reboot_count: 0,
  installed_rejected_count: 0,
  missing_count: 0,
  failed_count: 0,
  not_applicable_count: 0,
  critical_non_compliant_count: 0,
  security_non_compliant_count: 0,
  other_non_compliant_count: 0,
});

/** The counters of SSM's `InstancePatchState` as the AWS adapter names them (camelCase). */
export interface InstancePatchCounts {
  readonly installedCount: number;
  readonly installedOtherCount: number;
  readonly installedPendingRebootCount: number;
  readonly installedRejectedCount: number;
  readonly missingCount: number;
  readonly failedCount: number;
  readonly notApplicableCount: number;
  readonly criticalNonCompliantCount: number;
  readonly securityNonCompliantCount: number;
  readonly otherNonCompliantCount: number;
}

/** An instance patch state's counters, as history records name them. */
export function patchCountsOf(s: InstancePatchCounts): PatchCounts {
  return {
    installed_count: s.installedCount,
    installed_other_count: s.installedOtherCount,
    installed_pending_reboot_count: s.installedPendingRebootCount,
    installed_rejected_count: s.installedRejectedCount,
    missing_count: s.missingCount,
    failed_count: s.failedCount,
    not_applicable_count: s.notApplicableCount,
    critical_non_compliant_count: s.criticalNonCompliantCount,
    security_non_compliant_count: s.securityNonCompliantCount,
    other_non_compliant_count: s.otherNonCompliantCount,
  };
}

/** Patch-state counts → status. `undefined` counts mean SSM has no state: `UNREPORTED`. */
export function complianceStatus(counts: PatchCounts | undefined): ComplianceStatus {
  if (!counts) return 'UNREPORTED';
  const bad = counts.missing_count + counts.failed_count + counts.installed_pending_reboot_count + counts.installed_rejected_count;
  return bad > 0 ? 'NON_COMPLIANT' : 'COMPLIANT';
}

const DAY_MS = 86_400_000;

/**
 * Stale = no ping for more than `staleDays` days before `at`. An instance that
 * never pinged is stale: nothing shows it is alive.
 */
export function isStale(lastPingAt: Date | undefined, at: Date, staleDays: number): boolean {
  if (!lastPingAt) return true;
  return at.getTime() - lastPingAt.getTime() > staleDays * DAY_MS;
}

/** Tag keys SSM accepts as the patch group, in the order it prefers them. */
export const PATCH_GROUP_TAGS = ['Patch Group', 'PatchGroup'] as const;

/** The instance's patch group from its tags, or undefined when it has none (unmanaged). */
export function patchGroupFromTags(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  if (!tags) return undefined;
  for (const key of PATCH_GROUP_TAGS) {
    const value = tags[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** How reports label instances with no patch group. */
export const UNMANAGED_GROUP = '(unmanaged)';

// ---------------------------------------------------------------------------
// Calendar days (UTC, `YYYY-MM-DD`)
// ---------------------------------------------------------------------------

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isDay(value: string): boolean {
  const m = DAY_PATTERN.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The UTC calendar day of an instant. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `day` moved by `delta` days. */
export function addDays(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The `days` calendar days ending with `end`, oldest first. */
export function periodDays(end: string, days: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(addDays(end, -i));
  return out;
}
