import type { Clock, Logger } from '../../core/index.js';
import {
  ComplianceAccumulator,
  dayOf,
  periodDays,
  type ReportRow,
  type ReportSummary,
  type SnapshotRecord,
  UNMANAGED_GROUP,
} from '../../domain/index.js';
import { collectFleet } from './fleet-collector.js';
import { historyKey } from './history-layout.js';
import { readHistoryBatches } from './history-io.js';
import { startHistoryWorkers } from './history-workers.js';
import type { AwsContext, ComplianceInventory, ComplianceTargets, ReportBlobs } from './ports.js';

export interface ReportScope {
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  /** Patch group names; `(unmanaged)` selects instances without one. */
  readonly patchGroups?: readonly string[];
}

export interface ReportPeriod {
  /** Days covered, ending with `end` inclusive. */
  readonly days: number;
  /** Last day (`YYYY-MM-DD`, UTC); default today. */
  readonly end?: string;
}

export type BuildProgress =
  | { readonly phase: 'history'; readonly day: string; readonly dayIndex: number; readonly days: number; readonly records: number }
  | {
      readonly phase: 'live';
      readonly accountId: string;
      readonly region: string;
      readonly records: number;
      /** Today's snapshot stood in for the live read (it was younger than `snapshotMaxAgeMs`). */
      readonly fromSnapshot?: boolean;
    }
  | { readonly phase: 'done'; readonly records: number; readonly instances: number };

export interface ReportBuilderDeps {
  readonly blobs: Pick<ReportBlobs, 'get' | 'head'>;
  readonly inventory: ComplianceInventory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly targets: ComplianceTargets;
  readonly staleDays: number;
  readonly concurrency?: number;
  /**
   * A report ending today reads today's snapshot instead of the live fleet when
   * the snapshot is younger than this (`PATCHBRIDGE_REPORT_SNAPSHOT_MAX_AGE_SECONDS`);
   * 0 = always read the fleet. Default 1 h.
   */
  readonly snapshotMaxAgeMs?: number;
  /**
   * Worker threads that parse the history, each its share of the instances
   * (`PATCHBRIDGE_REPORT_WORKERS`); 0 = parse on this thread. Default 0.
   */
  readonly historyWorkers?: number;
}

export interface BuildReportInput {
  readonly period: ReportPeriod;
  readonly scope?: ReportScope;
  /**
   * Use the live fleet for the last day instead of its snapshot. Default: when
   * the period ends today. A period ending earlier always reads snapshots only.
   */
  readonly live?: boolean;
  readonly onProgress?: (p: BuildProgress) => void;
  /** How many worst offenders the summary lists (default 10). */
  readonly worstOffenders?: number;
}

export interface BuiltReport {
  readonly summary: ReportSummary;
  /** Per-instance rows, sorted; each call iterates afresh. */
  rows(): Iterable<ReportRow>;
  readonly stats: {
    readonly records: number;
    readonly instances: number;
    readonly objectsRead: number;
    readonly objectsMissing: number;
    /** Targets whose live state came from today's fresh snapshot. */
    readonly snapshotsReused: number;
  };
}

/**
 * Builds a report from N days of snapshots plus (for a period ending today) the
 * live fleet. History is streamed day by day, object by object, into one
 * accumulator per instance, so memory follows the fleet size, never fleet × days.
 * With `historyWorkers`, worker threads parse it, each into an accumulator of
 * its share of the instances, merged at the end (the same one fleet's worth).
 *
 * The live read (bound by SSM's throttle) starts first and runs while the
 * history is read, so the report takes about the longer of the two, not their
 * sum. A target whose snapshot of today is younger than `snapshotMaxAgeMs` is
 * not read again: that snapshot is today's state.
 */
export async function buildComplianceReport(deps: ReportBuilderDeps, input: BuildReportInput): Promise<BuiltReport> {
  const now = deps.clock.now();
  const today = dayOf(now);
  const end = input.period.end ?? today;
  const days = periodDays(end, input.period.days);
  const live = (input.live ?? end === today) && end === today;
  const targets = scopedTargets(deps.targets, input.scope);
  const keep = recordFilter(input.scope);
  const acc = new ComplianceAccumulator({ days, worstOffenders: input.worstOffenders });
  let objectsRead = 0;
  let objectsMissing = 0;

  const maxAge = deps.snapshotMaxAgeMs ?? 3_600_000;
  // Decided before anything is read: a snapshot written during the build is not today's state at its start.
  const sources = live
    ? await Promise.all(
        targets.map(async (ctx) => {
          const info = maxAge > 0 ? await deps.blobs.head(historyKey(ctx, today)) : undefined;
          const fresh = info !== undefined && now.getTime() - info.lastModified.getTime() < maxAge;
          // Settled into a value at once: a rejection waiting behind the history read must not go unobserved.
          const fleet = fresh ? undefined : collectFleet(deps, ctx, now).then((records) => ({ records }), (error: unknown) => ({ error }));
          return { ctx, fresh, fleet };
        }),
      )
    : [];

  const historyDays = live ? days.slice(0, -1) : days;
  const objects = historyDays.length * targets.length + sources.filter((s) => s.fresh).length;
  const workers = objects > 0 ? (deps.historyWorkers ?? 0) : 0;
  const pool = workers > 0 ? startHistoryWorkers({ count: workers, days, ...(input.scope?.patchGroups?.length ? { patchGroups: input.scope.patchGroups } : {}) }) : undefined;
  /** One history object into the report: to the workers, or parsed here. */
  const fold = async (day: string, key: string) => {
    if (pool) await pool.parse(day, key, await deps.blobs.get(key));
    else for await (const batch of readHistoryBatches(deps.blobs, key)) for (const record of batch) if (keep(record)) acc.add(day, record);
  };
  let snapshotsReused = 0;
  try {
    for (const [dayIndex, day] of historyDays.entries()) {
      for (const ctx of targets) {
        const key = historyKey(ctx, day);
        if (!(await deps.blobs.head(key))) {
          objectsMissing++;
          continue;
        }
        objectsRead++;
        await fold(day, key);
      }
      input.onProgress?.({ phase: 'history', day, dayIndex, days: days.length, records: pool ? pool.records : acc.records });
    }
    if (objectsMissing > 0) deps.logger.warn({ objectsMissing, start: days[0], end }, 'report period has days without snapshots');

    for (const { ctx, fresh, fleet } of sources) {
      if (fresh) {
        snapshotsReused++;
        await fold(today, historyKey(ctx, today));
      } else if (fleet) {
        const read = await fleet;
        if ('error' in read) throw read.error;
        // Today comes after every day the workers hold: their parts merge in below whatever the order.
        for (const record of read.records) if (keep(record)) acc.add(today, record);
      }
      input.onProgress?.({ phase: 'live', accountId: ctx.accountId, region: ctx.region, records: acc.records + (pool?.records ?? 0), ...(fresh ? { fromSnapshot: true } : {}) });
    }
    await pool?.finish((part) => acc.merge(part));
  } finally {
    await pool?.close();
  }
  input.onProgress?.({ phase: 'done', records: acc.records, instances: acc.instances });

  return {
    summary: acc.summary({ generatedAt: now.toISOString(), live }),
    rows: () => acc.rows(),
    stats: { records: acc.records, instances: acc.instances, objectsRead, objectsMissing, snapshotsReused },
  };
}

function scopedTargets(targets: ComplianceTargets, scope: ReportScope | undefined): AwsContext[] {
  return targets.filter(
    (t) =>
      (!scope?.accounts?.length || scope.accounts.includes(t.accountId)) && (!scope?.regions?.length || scope.regions.includes(t.region)),
  );
}

function recordFilter(scope: ReportScope | undefined): (r: SnapshotRecord) => boolean {
  if (!scope?.patchGroups?.length) return () => true;
  const groups = new Set(scope.patchGroups);
  return (r) => groups.has(r.patch_group ?? UNMANAGED_GROUP);
}
