import type { Clock, Logger } from '../../core/index.js';
import { ComplianceAccumulator, dayOf, type SegmentSummary } from '../../domain/index.js';
import { collectFleet } from './fleet-collector.js';
import type { ComplianceInventory, ComplianceTargets } from './ports.js';

export interface LiveSummary {
  readonly generatedAt: string;
  readonly fleet: Omit<SegmentSummary, 'trend'>;
  readonly byPatchGroup: readonly Omit<SegmentSummary, 'trend'>[];
}

export interface LiveSummaryDeps {
  readonly inventory: ComplianceInventory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly targets: ComplianceTargets;
  readonly staleDays: number;
  /** How long one answer is served before the fleet is read again. Default 60 s. */
  readonly ttlMs?: number;
  readonly concurrency?: number;
}

/**
 * The live fleet summary per patch group, cached for `ttlMs`: reading a large
 * fleet takes many throttled pages, so concurrent callers share one read
 * (single flight) and later callers reuse it until it ages out.
 */
export function createLiveSummary(deps: LiveSummaryDeps): () => Promise<LiveSummary> {
  const ttl = deps.ttlMs ?? 60_000;
  let cached: { at: number; value: LiveSummary } | undefined;
  let inFlight: Promise<LiveSummary> | undefined;

  async function read(): Promise<LiveSummary> {
    const now = deps.clock.now();
    const today = dayOf(now);
    const acc = new ComplianceAccumulator({ days: [today] });
    for (const ctx of deps.targets) for (const r of await collectFleet(deps, ctx, now)) acc.add(today, r);
    const { fleet, byPatchGroup } = acc.summary({ generatedAt: now.toISOString(), live: true });
    const strip = ({ trend: _trend, ...rest }: SegmentSummary) => rest;
    return { generatedAt: now.toISOString(), fleet: strip(fleet), byPatchGroup: byPatchGroup.map(strip) };
  }

  return async () => {
    const now = deps.clock.now().getTime();
    if (cached && now - cached.at < ttl) return cached.value;
    inFlight ??= read().then(
      (value) => {
        cached = { at: deps.clock.now().getTime(), value };
        inFlight = undefined;
        return value;
      },
      (err: unknown) => {
        inFlight = undefined;
        throw err;
      },
    );
    return inFlight;
  };
}
