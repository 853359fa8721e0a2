import { buildIncidentDraft, type ExecutionRef, type IncidentDraft, type IncidentPolicy, type InstanceFailure } from '../../domain/index.js';
import type { EnrichedUnit } from './enrich-scope.js';
import { executionKey } from './expand.js';

export interface EnrichedDraft {
  readonly draft: IncidentDraft;
  /** Keys of the events this draft reports. */
  readonly sources: readonly string[];
  /**
   * Every failure of the draft's execution is in it (`Expansion.complete`): no
   * later event can add an instance, so the listener need not wait for more.
   */
  readonly complete: boolean;
}

export interface CollateOptions {
  readonly policy: IncidentPolicy;
  readonly now: Date;
  /** Instances per draft; larger groups are split into drafts with the same correlation id. */
  readonly perDraft: number;
  /** Whether an event already failed: its units are left out, so it is retried whole. */
  readonly failed: (key: string) => boolean;
  /** Change numbers of automation executions, for units whose markers named none. */
  readonly automationChanges: ReadonlyMap<string, string | undefined>;
  /** Executions listed whole by this batch, with the keys of the events that listed them (`Expansion.complete`). */
  readonly complete?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Phase 3 of enrichment, pure: one draft per (account, region, execution, patch
 * group). An instance reached twice (an invocation event and its command's
 * listing) is reported once, with the richer record; a window id or change
 * number known to any member is kept for the group.
 */
export function collateDrafts(enriched: readonly EnrichedUnit[], options: CollateOptions): EnrichedDraft[] {
  const perDraft = Math.max(1, options.perDraft);
  const groups = new Map<string, { unit: EnrichedUnit['unit']; failure: InstanceFailure; change?: string }[]>();
  for (const { unit, failure } of enriched) {
    if ([...unit.keys].some(options.failed)) continue;
    const gk = [unit.ctx.accountId, unit.ctx.region, unit.execution.kind, unit.execution.id, failure.patchGroup].join('\u0000');
    const list = groups.get(gk) ?? [];
    const change = unit.changeNumber ?? options.automationChanges.get(unit.execution.id);
    list.push({ unit, failure, ...(change ? { change } : {}) });
    groups.set(gk, list);
  }
  const drafts: EnrichedDraft[] = [];
  for (const members of groups.values()) {
    const head = members[0];
    if (!head) continue;
    const byInstance = new Map<string, InstanceFailure>();
    const sources = new Set<string>();
    let windowId: string | undefined;
    for (const m of members) {
      for (const k of m.unit.keys) sources.add(k);
      if (m.unit.execution.windowId) windowId = m.unit.execution.windowId;
      const seen = byInstance.get(m.failure.instanceId);
      if (!seen || (!seen.errorExcerpt && m.failure.errorExcerpt)) byInstance.set(m.failure.instanceId, m.failure);
    }
    const execution: ExecutionRef = { ...head.unit.execution, ...(windowId ? { windowId } : {}) };
    const listedBy = options.complete?.get(executionKey(head.unit.ctx, execution)) ?? [];
    // An event that listed the execution whole but failed (and will be retried) proves nothing yet.
    const complete = listedBy.length > 0 && listedBy.every((k) => !options.failed(k));
    const change = members.find((m) => m.change)?.change;
    const all = [...byInstance.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    for (let i = 0; i < all.length; i += perDraft) {
      const draft = buildIncidentDraft(
        {
          accountId: head.unit.ctx.accountId,
          region: head.unit.ctx.region,
          execution,
          patchGroup: head.failure.patchGroup,
          ...(change ? { changeNumber: change } : {}),
          instances: all.slice(i, i + perDraft),
          now: options.now,
        },
        options.policy,
      );
      drafts.push({ draft, sources: [...sources], complete });
    }
  }
  return drafts;
}
