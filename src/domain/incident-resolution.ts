/**
 * Auto-resolve: when compliance evidence newer than an incident's last failure
 * shows every instance it names compliant, patchbridge resolves the incident
 * with a note saying what showed it. Pure: no I/O, no clock.
 */

/** What one source says about one instance. */
export interface InstanceCompliance {
  readonly instanceId: string;
  readonly compliant: boolean;
  /** `Scan` or `Install`: the patch operation the state comes from. */
  readonly operation: string | null;
  /** When that operation ended (ISO-8601); evidence must be newer than the failure. */
  readonly operationAt: string | null;
}

/** Where the evidence came from. */
export type ResolutionSource =
  | { readonly kind: 'snapshot'; readonly key: string }
  | { readonly kind: 'run'; readonly ref: string };

/** Instances listed one per line in a resolution note; the rest are counted. */
export const RESOLUTION_LISTED_MAX = 50;

/** A request to resolve one incident: durable (outbox, SNS) and replay-safe. */
export interface ResolveRequest {
  readonly schema: 'patchbridge.incident-resolve/1';
  readonly correlationId: string;
  /** The correlation record's version the evidence was checked against: a newer version (a new failure) voids the request. */
  readonly version: number;
  readonly source: ResolutionSource;
  /** When the source saw the instances (the snapshot's capture time, or when the patch states were read). */
  readonly seenAt: string;
  /** Every instance of the incident. */
  readonly total: number;
  /** The newest operation end among them: the record's `compliantAt` once resolved. */
  readonly compliantAt: string;
  /** Up to `RESOLUTION_LISTED_MAX` instances with their evidence, by instance id. */
  readonly listed: readonly InstanceCompliance[];
}

/** The part of a correlation record the rule reads. */
export interface OpenIncident {
  readonly correlationId: string;
  readonly version: number;
  readonly reportedInstances: readonly string[];
  /** When failures were last reported on the incident; the record's `updatedAt` stands in for older records. */
  readonly failedAt?: string;
  readonly updatedAt: string;
}

/**
 * The resolve request for `incident`, or `undefined` when the evidence does not
 * show **every** instance compliant after the incident's last failure: an
 * instance missing from the evidence, non-compliant, or whose last patch
 * operation ended at or before the failure (a state older than the failure
 * says nothing about it) keeps the incident open.
 */
export function resolutionFor(
  incident: OpenIncident,
  evidence: (instanceId: string) => InstanceCompliance | undefined,
  source: ResolutionSource,
  seenAt: string,
): ResolveRequest | undefined {
  const failedAt = Date.parse(incident.failedAt ?? incident.updatedAt);
  if (incident.reportedInstances.length === 0 || !(Date.parse(seenAt) > failedAt)) return undefined;
  const seen: InstanceCompliance[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  for (const id of [...incident.reportedInstances].sort()) {
    const e = evidence(id);
    const at = e?.operationAt ? Date.parse(e.operationAt) : Number.NaN;
    if (!e?.compliant || !(at > failedAt)) return undefined;
    newest = Math.max(newest, at);
    if (seen.length < RESOLUTION_LISTED_MAX) seen.push(e);
  }
  return {
    schema: 'patchbridge.incident-resolve/1',
    correlationId: incident.correlationId,
    version: incident.version,
    source,
    seenAt,
    total: incident.reportedInstances.length,
    compliantAt: new Date(newest).toISOString(),
    listed: seen,
  };
}

/** One line naming the source, for the note and the record's `resolvedBy`. */
export function describeResolutionSource(source: ResolutionSource, seenAt: string): string {
  return source.kind === 'snapshot'
    ? `the compliance snapshot taken ${seenAt} (${source.key})`
    : `patch states read ${seenAt} after ${source.ref} succeeded`;
}

/** First line of the work note that resolves an incident. */
export const RESOLVE_NOTE_PREFIX = 'patchbridge: resolved, because every instance of this incident is compliant again.';

/** `close_notes` holds 4,000 characters; this text stays far below. */
export function resolutionCloseNotes(request: ResolveRequest): string {
  return `All ${request.total} instance(s) of this incident reported no missing or failed patches in ${describeResolutionSource(request.source, request.seenAt)}. Resolved by patchbridge; a new failure reopens it.`;
}

/**
 * The work note: what changed (which instances, which snapshot or run showed
 * them compliant, when). Lists up to `RESOLUTION_LISTED_MAX` instances whole
 * and says how many more there are; never cut mid-line.
 */
export function resolutionWorkNote(request: ResolveRequest): string {
  const lines = [
    RESOLVE_NOTE_PREFIX,
    `Seen in ${describeResolutionSource(request.source, request.seenAt)}; the latest patch operation ended ${request.compliantAt}.`,
    `Instances (${request.total}), each compliant after its last failure:`,
    ...request.listed.map((i) => `- ${i.instanceId}: ${i.operation ?? 'patch operation'} ended ${i.operationAt ?? 'unknown'}, no missing or failed patches`),
  ];
  const more = request.total - request.listed.length;
  if (more > 0) lines.push(`- and ${more} more instance(s), all compliant after their last failure.`);
  return lines.join('\n');
}
