import type { Clock, Logger } from '../../core/index.js';
import type { IncidentPolicy } from '../../domain/index.js';
import type { CorrelationStore } from '../../store/index.js';
import { collateDrafts, type EnrichedDraft } from './collate.js';
import { type EnrichedUnit, enrichScope } from './enrich-scope.js';
import { type ExpandDeps, expandEvents, type FailedUnit, type KeyedEvent, scopeKey } from './expand.js';
import type { IncidentAwsPorts } from './ports.js';
import { openIncidentInstances } from './open-incidents.js';
import { recentFindings } from './recent-findings.js';

export type { EnrichedDraft } from './collate.js';
export type { KeyedEvent } from './expand.js';

export interface EnrichResult {
  readonly drafts: readonly EnrichedDraft[];
  /** Events that could not be enriched, by key; retryable unless the error says otherwise. */
  readonly failures: ReadonlyMap<string, unknown>;
}

export interface IncidentEnricherDeps {
  readonly aws: IncidentAwsPorts;
  /**
   * For the change number of automation executions started by `/v1/patch-runs`,
   * and the correlation records: failures an open incident already names are not enriched again.
   */
  readonly store: ExpandDeps['store'] & Pick<CorrelationStore, 'getCorrelation'>;
  readonly policy: IncidentPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Characters of command output fetched per instance before the excerpt is cut. Default 4 000. */
  readonly outputChars?: number;
  /** Instances per draft; larger groups are split into drafts with the same correlation id. Default 100. */
  readonly maxInstancesPerDraft?: number;
}

export interface IncidentEnricher {
  /**
   * Expands, enriches and collates a batch of failure events into drafts, one per
   * (account, region, execution, patch group). Every AWS read is shared by the
   * whole batch: patch states, instance information and tags are fetched once per
   * account+region for all failed instances (the adapters batch 50 / 50 / 100 ids
   * a call), and each command's invocations are listed once.
   */
  enrich(events: readonly KeyedEvent[]): Promise<EnrichResult>;
}

/** Creates the enricher over the AWS ports: expand (`expand.ts`), enrich per account+region (`enrich-scope.ts`), collate (`collate.ts`). */
export function createIncidentEnricher(deps: IncidentEnricherDeps): IncidentEnricher {
  const recent = recentFindings({ clock: deps.clock });
  return {
    async enrich(events) {
      // One read per incident per batch; a record that is not open (pending, resolved) names nothing, so its failures go on to the listener.
      const reported = openIncidentInstances(deps.store);
      const scopeDeps = { aws: deps.aws, logger: deps.logger, outputChars: deps.outputChars ?? 4_000, reported, recent };
      // 1. Expand every event to its failed instances.
      const { units, failures, automationChanges, complete } = await expandEvents(deps, events);
      const fail = (keys: Iterable<string>, err: unknown) => {
        for (const k of keys) if (!failures.has(k)) failures.set(k, err);
      };
      // 2. Enrich per account+region; a scope that cannot be read fails its events.
      const byScope = new Map<string, FailedUnit[]>();
      for (const u of units) {
        if ([...u.keys].every((k) => failures.has(k))) continue;
        const list = byScope.get(scopeKey(u.ctx)) ?? [];
        list.push(u);
        byScope.set(scopeKey(u.ctx), list);
      }
      const enriched: EnrichedUnit[] = [];
      await Promise.all(
        [...byScope.values()].map(async (scopeUnits) => {
          const first = scopeUnits[0];
          if (!first) return;
          try {
            enriched.push(...(await enrichScope(scopeDeps, first.ctx, scopeUnits)));
          } catch (err) {
            fail(scopeUnits.flatMap((u) => [...u.keys]), err);
          }
        }),
      );
      // 3. Collate: one draft per (account, region, execution, patch group).
      const drafts = collateDrafts(enriched, {
        policy: deps.policy,
        now: deps.clock.now(),
        perDraft: deps.maxInstancesPerDraft ?? 100,
        failed: (key) => failures.has(key),
        automationChanges,
        complete,
      });
      return { drafts, failures };
    },
  };
}
