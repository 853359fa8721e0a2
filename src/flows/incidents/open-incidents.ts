import type { CorrelationStore } from '../../store/index.js';

/**
 * The instances an open incident already names, by correlation id: `undefined`
 * when there is no open incident (none yet, pending or resolved). Each record
 * is read once by the returned function, so make one per batch.
 */
export function openIncidentInstances(
  store: Pick<CorrelationStore, 'getCorrelation'>,
): (correlationId: string) => Promise<ReadonlySet<string> | undefined> {
  const reads = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  return (correlationId) => {
    let named = reads.get(correlationId);
    if (!named) {
      named = store.getCorrelation(correlationId).then((r) => (r?.state === 'open' ? new Set(r.reportedInstances) : undefined));
      reads.set(correlationId, named);
    }
    return named;
  };
}
