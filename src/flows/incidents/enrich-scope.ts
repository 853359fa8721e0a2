import pLimit from 'p-limit';
import { type AwsContext, AwsError, type ComplianceItem, type InstancePatchState, type ManagedInstance } from '../../aws/index.js';
import type { Logger } from '../../core/index.js';
import { boundExcerpt, consoleLinks, correlationIdFor, type InstanceFailure, NO_PATCH_GROUP, type PatchFinding, TOP_PATCHES } from '../../domain/index.js';
import type { FailedUnit } from './expand.js';
import type { RecentFindings } from './recent-findings.js';
import type { IncidentAwsPorts } from './ports.js';

export interface EnrichedUnit {
  readonly unit: FailedUnit;
  readonly failure: InstanceFailure;
}

export interface ScopeEnrichDeps {
  readonly aws: Pick<IncidentAwsPorts, 'inventory'>;
  readonly logger: Logger;
  /** Characters of command output fetched per instance before the excerpt is cut. */
  readonly outputChars: number;
  /**
   * The instances an open incident already names, by correlation id (`undefined`
   * when there is none). Failures of an incident that are all named already are left
   * out before the per-instance reads: the listener would write nothing for them.
   */
  readonly reported?: (correlationId: string) => Promise<ReadonlySet<string> | undefined>;
  /** Findings of instances enriched lately, reused instead of another `ListComplianceItems`. */
  readonly recent?: RecentFindings;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFORMATIONAL: 4, UNSPECIFIED: 5 };
const STATE_RANK: Readonly<Record<string, number>> = { Failed: 0, Missing: 1, InstalledPendingReboot: 2 };
const KEPT_TAGS = ['Environment', 'Application', 'Owner', 'Patch Group'] as const;

function topPatches(items: readonly ComplianceItem[] | undefined): PatchFinding[] {
  return (items ?? [])
    .filter((i) => i.status === 'NON_COMPLIANT' && i.patchState !== undefined && i.patchState in STATE_RANK)
    .sort(
      (a, b) =>
        (STATE_RANK[a.patchState ?? ''] ?? 9) - (STATE_RANK[b.patchState ?? ''] ?? 9) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, TOP_PATCHES)
    .map((i) => {
      const kb = /^KB\d+$/i.test(i.id) ? i.id.toUpperCase() : i.details['KBId'] || i.details['KbId'] || undefined;
      return {
        id: i.id,
        title: i.title,
        severity: i.severity,
        ...(i.patchSeverity ? { vendorSeverity: i.patchSeverity } : {}),
        state: i.patchState ?? 'Missing',
        ...(i.classification ? { classification: i.classification } : {}),
        ...(kb ? { kb } : {}),
        cves: [...(i.cveIds ?? [])].slice(0, 5),
      };
    });
}

/** Whether a failure of an optional enrichment read should fail the batch (retry) or be tolerated. */
function mustRetry(err: unknown): boolean {
  return !(err instanceof AwsError) || err.retryable;
}

/**
 * Phase 2 of enrichment: the failed instances of one account+region, every read
 * shared by them (the adapters batch 50 / 50 / 100 ids a call). Optional reads
 * that fail permanently leave their piece out; anything else fails the scope.
 */
export async function enrichScope(deps: ScopeEnrichDeps, ctx: AwsContext, scopeUnits: readonly FailedUnit[]): Promise<EnrichedUnit[]> {
  const { aws, logger } = deps;
  async function optional<T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (mustRetry(err)) throw err;
      logger.warn({ err, what, accountId: ctx.accountId, region: ctx.region }, 'enrichment read failed permanently; incident goes out without it');
      return fallback;
    }
  }
  const ids = [...new Set(scopeUnits.map((u) => u.instanceId))];
  const [infos, states, tags] = await Promise.all([
    optional('DescribeInstanceInformation', () => aws.inventory.describeInstances(ctx, { instanceIds: ids }), [] as ManagedInstance[]),
    optional('DescribeInstancePatchStates', () => aws.inventory.describePatchStates(ctx, ids), [] as InstancePatchState[]),
    optional('GetResources', () => aws.inventory.tags(ctx, ids), new Map() as ReadonlyMap<string, Readonly<Record<string, string>>>),
  ]);
  const infoById = new Map(infos.map((i) => [i.instanceId, i]));
  const stateById = new Map(states.map((s) => [s.instanceId, s]));
  const patchGroupOf = (instanceId: string) => {
    const allTags = tags.get(instanceId) ?? {};
    return stateById.get(instanceId)?.patchGroup || allTags['Patch Group'] || allTags['PatchGroup'] || NO_PATCH_GROUP;
  };
  const units = deps.reported ? await withoutReported(ctx, scopeUnits, patchGroupOf, deps.reported) : scopeUnits;
  if (units.length === 0) return [];
  const unitIds = new Set(units.map((u) => u.instanceId));
  // Only instances with something non-compliant (or no state at all) are worth a per-instance ListComplianceItems.
  const needPatches = ids.filter((id) => {
    if (!unitIds.has(id)) return false;
    const s = stateById.get(id);
    return !s || s.failedCount + s.missingCount + s.installedPendingRebootCount > 0;
  });
  const findings = new Map<string, readonly PatchFinding[]>();
  const toRead = needPatches.filter((id) => {
    const seen = deps.recent?.get(ctx, id);
    if (seen) findings.set(id, seen);
    return !seen;
  });
  const compliance =
    toRead.length > 0
      ? await optional('ListComplianceItems', () => aws.inventory.complianceItems(ctx, toRead, { statuses: ['NON_COMPLIANT'] }), new Map() as ReadonlyMap<string, readonly ComplianceItem[]>)
      : new Map<string, readonly ComplianceItem[]>();
  for (const [id, items] of compliance) {
    const top = topPatches(items);
    findings.set(id, top);
    deps.recent?.set(ctx, id, top);
  }
  // GetCommandInvocation only where the listing carried no output.
  const outputs = new Map<FailedUnit, string>();
  const limit = pLimit(4);
  await Promise.all(
    units
      .filter((u) => !u.output && u.commandId)
      .map((u) =>
        limit(async () => {
          const commandId = u.commandId;
          if (!commandId) return;
          const out = await optional('GetCommandInvocation', () => aws.inventory.commandOutput(ctx, commandId, u.instanceId, { maxChars: deps.outputChars }), undefined);
          const text = out ? [out.stderrExcerpt, out.stdoutExcerpt].filter(Boolean).join('\n') : '';
          if (text) outputs.set(u, text);
        }),
      ),
  );

  return units.map((unit) => {
    const info = infoById.get(unit.instanceId);
    const state = stateById.get(unit.instanceId);
    const allTags = tags.get(unit.instanceId) ?? {};
    const kept: Record<string, string> = {};
    for (const k of KEPT_TAGS) {
      const v = allTags[k];
      if (v) kept[k] = v;
    }
    const patchGroup = patchGroupOf(unit.instanceId);
    const platform = info?.platformName ? `${info.platformName}${info.platformVersion ? ` ${info.platformVersion}` : ''}` : info?.platformType;
    const name = allTags['Name'] || info?.computerName || info?.name;
    const excerpt = boundExcerpt(unit.output ?? outputs.get(unit));
    const failure: InstanceFailure = {
      instanceId: unit.instanceId,
      ...(name ? { name } : {}),
      ...(platform ? { platform } : {}),
      ...(info?.ipAddress ? { ipAddress: info.ipAddress } : {}),
      ...(info?.pingStatus ? { pingStatus: info.pingStatus } : {}),
      patchGroup,
      ...(state?.baselineId ? { baselineId: state.baselineId } : {}),
      status: unit.status,
      ...(unit.statusDetails ? { statusDetails: unit.statusDetails } : {}),
      ...(unit.commandId ? { commandId: unit.commandId } : {}),
      ...(state
        ? {
            counts: {
              failed: state.failedCount,
              missing: state.missingCount,
              installedPendingReboot: state.installedPendingRebootCount,
              criticalNonCompliant: state.criticalNonCompliantCount,
              securityNonCompliant: state.securityNonCompliantCount,
            },
          }
        : {}),
      topPatches: [...(findings.get(unit.instanceId) ?? [])],
      ...(excerpt ? { errorExcerpt: excerpt } : {}),
      tags: kept,
      links: {
        instance: consoleLinks.instance(ctx.region, unit.instanceId),
        ...(unit.commandId ? { command: consoleLinks.command(ctx.region, unit.commandId) } : {}),
      },
      failedAt: unit.time,
    };
    return { unit, failure };
  });
}

/**
 * The units left once every incident whose failures in this batch an open
 * incident already names in full is dropped: a late or repeated event about
 * them would change nothing. An incident with any new failure keeps all its
 * units, so its draft still carries the whole table it knows.
 */
async function withoutReported(
  ctx: AwsContext,
  units: readonly FailedUnit[],
  patchGroupOf: (instanceId: string) => string,
  reported: (correlationId: string) => Promise<ReadonlySet<string> | undefined>,
): Promise<readonly FailedUnit[]> {
  const byIncident = new Map<string, FailedUnit[]>();
  for (const u of units) {
    const id = correlationIdFor({ accountId: ctx.accountId, region: ctx.region, executionId: u.execution.id, patchGroup: patchGroupOf(u.instanceId) });
    byIncident.set(id, [...(byIncident.get(id) ?? []), u]);
  }
  const kept: FailedUnit[] = [];
  await Promise.all(
    [...byIncident].map(async ([id, members]) => {
      const named = await reported(id);
      if (!named || !members.every((u) => named.has(u.instanceId))) kept.push(...members);
    }),
  );
  return kept;
}

