import pLimit from 'p-limit';
import type { InstancePatchState, ManagedInstance } from '../../aws/index.js';
import type { Logger } from '../../core/index.js';
import {
  complianceStatus,
  isStale,
  type PatchCounts,
  patchCountsOf,
  patchGroupFromTags,
  type SnapshotRecord,
} from '../../domain/index.js';
import type { AwsContext, ComplianceInventory } from './ports.js';

export interface FleetCollectorDeps {
  readonly inventory: ComplianceInventory;
  readonly logger: Logger;
  /** An instance silent for longer than this is stale. */
  readonly staleDays: number;
  /** Tagging API calls in flight. Default 4. */
  readonly concurrency?: number;
  /**
   * Patch groups read at once. Default 1: their pages share SSM's throttle (and
   * the SDK client's adaptive rate limiter) with `DescribeInstanceInformation`,
   * which sets the pace of the whole read; more only earns throttling.
   */
  readonly groupConcurrency?: number;
}

/** Resource Groups Tagging API `GetResources` takes at most 100 ARNs per call. */
const TAG_BATCH = 100;
/** `DescribeInstancePatchStates` takes at most 50 instance ids per call. */
const PATCH_STATE_BATCH = 50;

interface InstanceFacts {
  readonly instanceId: string;
  readonly pingStatus: string;
  readonly lastPingAt: Date | undefined;
  readonly platformType: string | null;
  readonly platformName: string | null;
  readonly resourceType: string | null;
  readonly computerName: string | null;
}

interface StateFacts extends PatchCounts {
  readonly baselineId: string;
  readonly operation: 'Scan' | 'Install';
  readonly operationEndAt: Date;
}

/** The fleet of one account and region as read: records are built as they are iterated, sorted by instance id. */
export interface FleetRecords extends Iterable<SnapshotRecord> {
  readonly size: number;
}

/**
 * Reads the live state of every managed instance in one account and region
 * with bulk calls only: pages of `DescribeInstanceInformation` (tags fetched
 * 100 at a time while pages still arrive), `DescribeInstancePatchStatesForPatchGroup`
 * per patch group alongside, and `DescribeInstancePatchStates` (50 ids a call)
 * only for instances no group covers (untagged ones, which use the default
 * baseline, asked for as soon as their tags are known).
 *
 * Returns one record per instance, sorted by instance id, built lazily as the
 * result is iterated (so a snapshot streams them into gzip and a report into its
 * accumulator without an array of them all). Memory is a few hundred bytes per
 * instance; the raw API objects are dropped as they arrive.
 */
export async function collectFleet(deps: FleetCollectorDeps, ctx: AwsContext, at: Date): Promise<FleetRecords> {
  const tagLimit = pLimit(deps.concurrency ?? 4);
  const stateLimit = pLimit(deps.groupConcurrency ?? 1);
  const instances = new Map<string, InstanceFacts>();
  const groupOf = new Map<string, string>();
  const states = new Map<string, StateFacts>();
  // Ping status, platform, baseline repeat across the fleet: keep one copy of each string.
  const strings = new Map<string, string>();
  const shared = <T extends string | undefined>(value: T): T => {
    if (value === undefined) return value;
    const known = strings.get(value);
    if (known !== undefined) return known as T;
    strings.set(value, value);
    return value;
  };
  const tasks: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  // Attach the handler at once: a rejection left unobserved while pages still
  // arrive would be an unhandled rejection.
  const track = (p: Promise<void>) => {
    tasks.push(
      p.catch((error: unknown) => {
        failure ??= { error };
      }),
    );
  };

  // Untagged instances are covered by no group's states: ask for theirs as soon as
  // their tags say so, while pages still arrive, rather than after the last page.
  const untaggedLimit = pLimit(1);
  let untagged: string[] = [];
  const fetchUntaggedStates = (ids: string[]) =>
    track(
      untaggedLimit(async () => {
        for (const s of await deps.inventory.describePatchStates(ctx, ids)) states.set(s.instanceId, stateFacts(s, shared));
      }),
    );

  const fetchTags = (ids: string[]) =>
    track(
      tagLimit(async () => {
        const tags = await deps.inventory.tags(ctx, ids);
        for (const id of ids) {
          const group = patchGroupFromTags(tags.get(id));
          if (group !== undefined) groupOf.set(id, shared(group));
          else untagged.push(id);
        }
        while (untagged.length >= PATCH_STATE_BATCH) fetchUntaggedStates(untagged.splice(0, PATCH_STATE_BATCH));
      }),
    );

  track(
    (async () => {
      // A group registered with one baseline per operating system appears once per baseline.
      const groups = new Set((await deps.inventory.patchGroups(ctx)).map((g) => g.patchGroup));
      await Promise.all(
        [...groups].map((group) =>
          stateLimit(async () => {
            for (const s of await deps.inventory.patchStatesForGroup(ctx, group)) states.set(s.instanceId, stateFacts(s, shared));
          }),
        ),
      );
    })(),
  );

  /** Waits for every task, including those started by tasks that finished meanwhile. */
  const settle = async () => {
    for (let seen = -1; seen !== tasks.length; ) {
      seen = tasks.length;
      await Promise.all(tasks);
    }
  };

  let pending: string[] = [];
  for await (const page of deps.inventory.instancePages(ctx)) {
    if (failure) break;
    for (const i of page) {
      if (instances.has(i.instanceId)) continue;
      instances.set(i.instanceId, instanceFacts(i, shared));
      pending.push(i.instanceId);
    }
    while (pending.length >= TAG_BATCH) fetchTags(pending.splice(0, TAG_BATCH));
  }
  if (pending.length > 0 && !failure) fetchTags(pending);
  pending = [];
  await settle();
  if (untagged.length > 0 && !failure) fetchUntaggedStates(untagged);
  untagged = [];
  await settle();
  if (failure) throw failure.error;

  // Tagged with a group the group read did not cover (a group with no baseline registered, a tag added since).
  const uncovered = [...instances.keys()].filter((id) => !states.has(id) && groupOf.has(id));
  if (uncovered.length > 0) {
    for (const s of await deps.inventory.describePatchStates(ctx, uncovered)) states.set(s.instanceId, stateFacts(s, shared));
  }

  const capturedAt = at.toISOString();
  const ids = [...instances.keys()].sort();
  deps.logger.debug({ accountId: ctx.accountId, region: ctx.region, instances: ids.length, uncovered: uncovered.length }, 'fleet collected');
  return {
    size: ids.length,
    *[Symbol.iterator]() {
      for (const id of ids) {
        const facts = instances.get(id);
        if (facts) yield toRecord(ctx, capturedAt, at, facts, groupOf.get(id), states.get(id), deps.staleDays);
      }
    },
  };
}

type Share = <T extends string | undefined>(value: T) => T;

function instanceFacts(i: ManagedInstance, shared: Share): InstanceFacts {
  return {
    instanceId: i.instanceId,
    pingStatus: shared(i.pingStatus),
    lastPingAt: i.lastPingAt,
    platformType: shared(i.platformType) ?? null,
    platformName: shared(i.platformName) ?? null,
    resourceType: shared(i.resourceType) ?? null,
    computerName: i.computerName ?? null,
  };
}

function stateFacts(s: InstancePatchState, shared: Share): StateFacts {
  return { baselineId: shared(s.baselineId), operation: s.operation, operationEndAt: s.operationEndAt, ...patchCountsOf(s) };
}

function toRecord(
  ctx: AwsContext,
  capturedAt: string,
  at: Date,
  i: InstanceFacts,
  patchGroup: string | undefined,
  state: StateFacts | undefined,
  staleDays: number,
): SnapshotRecord {
  return {
    captured_at: capturedAt,
    account_id: ctx.accountId,
    aws_region: ctx.region,
    instance_id: i.instanceId,
    computer_name: i.computerName,
    platform_type: i.platformType,
    platform_name: i.platformName,
    resource_type: i.resourceType,
    patch_group: patchGroup ?? null,
    baseline_id: state?.baselineId ?? null,
    status: complianceStatus(state),
    last_operation: state?.operation ?? null,
    last_operation_at: state?.operationEndAt.toISOString() ?? null,
    ping_status: i.pingStatus,
    last_ping_at: i.lastPingAt?.toISOString() ?? null,
    unmanaged: patchGroup === undefined,
    stale: isStale(i.lastPingAt, at, staleDays),
    installed_count: state?.installed_count ?? 0,
    installed_other_count: state?.installed_other_count ?? 0,
    installed_pending_reboot_count: state?.installed_pending_reboot_count ?? 0,
    installed_rejected_count: state?.installed_rejected_count ?? 0,
    missing_count: state?.missing_count ?? 0,
    failed_count: state?.failed_count ?? 0,
    not_applicable_count: state?.not_applicable_count ?? 0,
    critical_non_compliant_count: state?.critical_non_compliant_count ?? 0,
    security_non_compliant_count: state?.security_non_compliant_count ?? 0,
    other_non_compliant_count: state?.other_non_compliant_count ?? 0,
  };
}
