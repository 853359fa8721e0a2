import type { AwsContext, FleetInventory } from '../../aws/index.js';
import { type Clock, type Logger, raceClock } from '../../core/index.js';
import { complianceStatus, patchCountsOf } from '../../domain/index.js';

/** Compliance counts of a run's instances at one moment. */
export type ComplianceTally = {
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly unreported: number;
};

/** The completion note's compliance line. */
export function complianceLine(before: ComplianceTally | undefined, after: ComplianceTally | undefined): string {
  const text = (t: ComplianceTally | undefined) =>
    t ? `${t.compliant} compliant, ${t.nonCompliant} non-compliant, ${t.unreported} not reported` : 'not read (SSM did not answer in time)';
  return `Patch compliance of the targeted instances: before the run ${text(before)}; after it ${text(after)}.`;
}

export interface ComplianceTallyDeps {
  readonly fleet?: Pick<FleetInventory, 'describePatchStates'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Longest wait for the read; past it the tally is `undefined`. */
  readonly readMs: number;
}

/**
 * Compliance of `instances` now, or `undefined` when it could not be read within
 * `readMs` (never an error: it only feeds a note).
 */
export async function tallyCompliance(deps: ComplianceTallyDeps, ctx: AwsContext, instances: () => Promise<readonly string[]>): Promise<ComplianceTally | undefined> {
  const fleet = deps.fleet;
  if (!fleet) return undefined;
  const read = (async (): Promise<ComplianceTally> => {
    const ids = await instances();
    const states = new Map((ids.length > 0 ? await fleet.describePatchStates(ctx, ids) : []).map((s) => [s.instanceId, s]));
    const tally = { compliant: 0, nonCompliant: 0, unreported: 0 };
    for (const id of ids) {
      const state = states.get(id);
      const status = complianceStatus(state ? patchCountsOf(state) : undefined);
      if (status === 'COMPLIANT') tally.compliant++;
      else if (status === 'NON_COMPLIANT') tally.nonCompliant++;
      else tally.unreported++;
    }
    return tally;
  })();
  try {
    const raced = await raceClock(deps.clock, read, deps.readMs);
    return raced.late ? undefined : raced.value;
  } catch (err) {
    deps.logger.warn({ err }, 'patch compliance of the run targets could not be read');
    return undefined;
  }
}
