import type { AwsContext } from '../../aws/index.js';
import type { Clock } from '../../core/index.js';
import type { PatchFinding } from '../../domain/index.js';
import { scopeKey } from './expand.js';

/** The top patch findings of instances enriched lately, by account, region and instance. */
export interface RecentFindings {
  get(ctx: AwsContext, instanceId: string): readonly PatchFinding[] | undefined;
  set(ctx: AwsContext, instanceId: string, findings: readonly PatchFinding[]): void;
}

export interface RecentFindingsOptions {
  readonly clock: Clock;
  /** How long an instance's findings are reused. Default 60 s. */
  readonly ttlMs?: number;
  /** Instances remembered at most; the oldest go first. Default 20 000 (five findings each). */
  readonly maxEntries?: number;
}

/**
 * What `ListComplianceItems` (one call per instance: the API takes one resource
 * id) showed for an instance, reused for a minute. A storm reaches the same
 * failed instance more than once within seconds, by its invocation event and
 * again through its command's listing in a later batch, and its compliance does
 * not change before its next patch operation, which takes minutes.
 */
export function recentFindings(options: RecentFindingsOptions): RecentFindings {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = Math.max(1, options.maxEntries ?? 20_000);
  const entries = new Map<string, { at: number; findings: readonly PatchFinding[] }>();
  const keyOf = (ctx: AwsContext, instanceId: string) => `${scopeKey(ctx)}/${instanceId}`;
  return {
    get(ctx, instanceId) {
      const hit = entries.get(keyOf(ctx, instanceId));
      return hit && options.clock.now().getTime() - hit.at < ttlMs ? hit.findings : undefined;
    },
    set(ctx, instanceId, findings) {
      const key = keyOf(ctx, instanceId);
      // Re-inserted at the end, so the Map's order stays oldest first.
      entries.delete(key);
      entries.set(key, { at: options.clock.now().getTime(), findings });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
  };
}
