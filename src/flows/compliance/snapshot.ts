import type { Clock, Logger } from '../../core/index.js';
import { dayOf, type SnapshotRecord } from '../../domain/index.js';
import { collectFleet } from './fleet-collector.js';
import { historyKey } from './history-layout.js';
import { writeHistoryObject } from './history-io.js';
import type { ComplianceInventory, ComplianceTargets, ReportBlobs } from './ports.js';

export interface SnapshotDeps {
  readonly inventory: ComplianceInventory;
  readonly blobs: Pick<ReportBlobs, 'put' | 'head'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly targets: ComplianceTargets;
  readonly staleDays: number;
  /** Calls in flight per API during collection. Default 4. */
  readonly concurrency?: number;
  /**
   * Sees each account and region's fleet once collected, before it is written
   * (auto-resolve queues its requests here). If it fails, the target fails and
   * is not written, so the retry collects and shows it again.
   */
  readonly onCollected?: (snapshot: CollectedSnapshot) => Promise<unknown>;
}

/** One account and region's collected fleet, as `onCollected` sees it. */
export interface CollectedSnapshot {
  readonly accountId: string;
  readonly region: string;
  readonly key: string;
  readonly capturedAt: string;
  readonly records: Iterable<SnapshotRecord>;
}

export interface SnapshotObjectResult {
  readonly accountId: string;
  readonly region: string;
  readonly key: string;
  /** `written`, or `exists` when today's object was already there (re-run). */
  readonly outcome: 'written' | 'exists';
  /** Instances written; undefined when the object already existed. */
  readonly instances?: number;
  readonly bytes?: number;
}

export interface SnapshotResult {
  readonly day: string;
  readonly objects: readonly SnapshotObjectResult[];
}

export interface ComplianceSnapshot {
  /**
   * Records every managed instance of every target for today (UTC) under
   * `history/account=…/region=…/dt=…/`. Idempotent: a target whose object for
   * today exists is skipped unless `overwrite`. Targets are done one after
   * another so memory holds one fleet at a time; a failing target does not stop
   * the others, and the first failure is rethrown at the end so the scheduler
   * (or Lambda) retries, and the retry only redoes what is missing.
   */
  run(options?: { overwrite?: boolean }): Promise<SnapshotResult>;
}

export function createComplianceSnapshot(deps: SnapshotDeps): ComplianceSnapshot {
  return {
    async run(options = {}) {
      const at = deps.clock.now();
      const day = dayOf(at);
      const objects: SnapshotObjectResult[] = [];
      let failure: { error: unknown } | undefined;
      for (const ctx of deps.targets) {
        const key = historyKey(ctx, day);
        const log = deps.logger.child({ accountId: ctx.accountId, region: ctx.region, day });
        try {
          if (!options.overwrite && (await deps.blobs.head(key))) {
            objects.push({ accountId: ctx.accountId, region: ctx.region, key, outcome: 'exists' });
            log.info('snapshot already taken today');
            continue;
          }
          const records = await collectFleet(deps, ctx, at);
          await deps.onCollected?.({ accountId: ctx.accountId, region: ctx.region, key, capturedAt: at.toISOString(), records });
          const bytes = await writeHistoryObject(deps.blobs, key, records);
          objects.push({ accountId: ctx.accountId, region: ctx.region, key, outcome: 'written', instances: records.size, bytes });
          log.info({ instances: records.size, bytes }, 'compliance snapshot written');
        } catch (error) {
          log.error({ err: error }, 'compliance snapshot failed');
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
      return { day, objects };
    },
  };
}
