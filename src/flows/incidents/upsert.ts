import type { Clock, Ids, Logger } from '../../core/index.js';
import {
  type IncidentDraft,
  describeResolutionSource,
  type ResolveRequest,
} from '../../domain/index.js';
import type { ServiceNowClient, } from '../../servicenow/index.js';
import type { ClaimStore, CorrelationRecord, CorrelationStore } from '../../store/index.js';
import { IncidentError } from './errors.js';
import { createIncidentWriter } from './incident-writes.js';

export type UpsertAction = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
  readonly action: UpsertAction;
  readonly correlationId: string;
  readonly number?: string;
  readonly sysId?: string;
  /** Instances this call reported for the first time. */
  readonly newInstances: readonly string[];
}

export interface IncidentUpserterDeps {
  readonly servicenow: ServiceNowClient;
  readonly store: ClaimStore & CorrelationStore;
  /** `import-set` with the scoped app installed, `table` without it (`PATCHBRIDGE_SERVICENOW_MODE`). */
  readonly mode: 'import-set' | 'table';
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
  /**
   * How long one listener holds an incident key; a crashed holder's lock
   * expires after this. It must outlast the slowest write chain, or a second
   * listener could create the incident again: pass `incidentLockTtlSeconds` of
   * the client's limits. Default 900 s (enough for the default limits).
   */
  readonly lockTtlSeconds?: number;
  /**
   * A stable identity of this node (standalone): its incident locks carry it, so
   * after a kill the restarted node takes back a lock its predecessor held
   * instead of waiting out the TTL. One node writes one incident at a time.
   */
  readonly owner?: string;
  /**
   * Auto-resolve (`PATCHBRIDGE_INCIDENT_AUTO_RESOLVE`, `…_RESOLVE_CLOSE_CODE`).
   * Off: `resolve` leaves every incident as it is, even for requests queued before.
   */
  readonly autoResolve?: { readonly enabled: boolean; readonly closeCode: string };
}

/** What `resolve` did. */
export type ResolveOutcome =
  /** patchbridge resolved the incident with a note. */
  | 'resolved'
  /** The incident was already Resolved, Closed or Cancelled in ServiceNow (by people, or by an earlier delivery): no note. */
  | 'already-resolved'
  /** Nothing to do: the record is not open, or new failures arrived after the evidence (`version` moved on), or auto-resolve is off. */
  | 'stale';

export interface IncidentUpserter {
  /**
   * Creates or updates the incident for `draft.correlationId` so that each
   * failing instance is reported exactly once. Holds the key in the store while
   * writing, so concurrent listeners cannot both create; a listener that finds
   * the key held fails with retryable `INCIDENT_BUSY`. ServiceNow errors are
   * thrown as they come from the client (already retried per its budget).
   */
  upsert(draft: IncidentDraft): Promise<UpsertResult>;
  /**
   * Resolves the incident of `request.correlationId` (state Resolved, the close
   * code, close notes and a work note saying what showed it compliant), under the
   * same key lock as `upsert`. Replay-safe: only a record still open at
   * `request.version` is resolved, and an incident ServiceNow already shows
   * Resolved or Closed gets no second note. Import Set mode writes a resolve row
   * that the scoped app's transform applies; Table mode PATCHes the incident.
   */
  resolve(request: ResolveRequest): Promise<ResolveOutcome>;
}


/**
 * The most ServiceNow calls one upsert makes in a row: Table API create =
 * find, CI lookup, change lookup, find again, create.
 */
const MAX_CALLS_PER_UPSERT = 5;
/** Floor of the incident lock, and the default when the client's limits are not known. */
const MIN_LOCK_TTL_SECONDS = 900;

/**
 * An incident lock TTL that outlasts the slowest upsert the ServiceNow client
 * allows: each call may spend its whole retry budget and then a last attempt
 * up to its timeout. Never less than 15 minutes, which is also the Lambda
 * ceiling, so a live listener's lock cannot lapse under it.
 */
export function incidentLockTtlSeconds(limits: { readonly retryBudgetMs: number; readonly timeoutMs: number }): number {
  const worstMs = MAX_CALLS_PER_UPSERT * (limits.retryBudgetMs + limits.timeoutMs);
  return Math.max(MIN_LOCK_TTL_SECONDS, Math.ceil(worstMs / 1000) + 60);
}

/** Creates the listener's upsert use case over the ServiceNow client and the store. */
export function createIncidentUpserter(deps: IncidentUpserterDeps): IncidentUpserter {
  const { servicenow, store, logger } = deps;
  const lockTtl = deps.lockTtlSeconds ?? MIN_LOCK_TTL_SECONDS;
  const writer = createIncidentWriter({ servicenow, logger, mode: deps.mode });

  async function upsertHeld(draft: IncidentDraft): Promise<UpsertResult> {
    const now = () => deps.clock.now().toISOString();
    let record: CorrelationRecord | undefined = await store.getCorrelation(draft.correlationId);
    record ??= await store.putCorrelation({ correlationId: draft.correlationId, state: 'pending', reportedInstances: [], updatedAt: now() });
    const reported = new Set(record.reportedInstances);
    const fresh = draft.instances.filter((i) => !reported.has(i.instanceId));
    const isNew = record.state !== 'open';
    if ((!isNew || staleAfterResolve(record, draft)) && fresh.length === 0) {
      return { action: 'unchanged', correlationId: draft.correlationId, ...(record.number ? { number: record.number } : {}), newInstances: [] };
    }
    const allIds = [...new Set([...record.reportedInstances, ...draft.instances.map((i) => i.instanceId)])].sort();
    const written =
      deps.mode === 'import-set' ? await writer.writeImportSet(draft, isNew, fresh, allIds, record.sysId) : await writer.writeTable(draft, fresh, allIds);
    await store.putCorrelation(
      {
        correlationId: draft.correlationId,
        sysId: written.sysId,
        number: written.number,
        state: 'open',
        reportedInstances: allIds,
        accountId: draft.accountId,
        region: draft.region,
        failedAt: latestFailure(record.state === 'open' ? record.failedAt : undefined, draft, now()),
        updatedAt: now(),
      },
      record.version,
    );
    const action: UpsertAction = written.inserted ? 'created' : 'updated';
    logger.info(
      { correlationId: draft.correlationId, number: written.number, action, newInstances: fresh.length, total: allIds.length },
      action === 'created' ? 'incident created' : 'incident updated with new failures',
    );
    return { action, correlationId: draft.correlationId, number: written.number, sysId: written.sysId, newInstances: fresh.map((i) => i.instanceId) };
  }

  async function resolveHeld(request: ResolveRequest): Promise<ResolveOutcome> {
    const settings = deps.autoResolve;
    const record = await store.getCorrelation(request.correlationId);
    if (!settings?.enabled || record?.state !== 'open' || record.version !== request.version || !record.sysId) {
      logger.info({ correlationId: request.correlationId, state: record?.state, version: record?.version, requested: request.version }, 'auto-resolve skipped: the incident moved on');
      return 'stale';
    }
    const outcome = await writer.resolve({ ...record, sysId: record.sysId }, request, settings.closeCode);
    await store.putCorrelation(
      {
        ...withoutVersion(record),
        state: 'resolved',
        compliantAt: request.compliantAt,
        resolvedBy: outcome === 'resolved' ? describeResolutionSource(request.source, request.seenAt) : 'already resolved or closed in ServiceNow',
        updatedAt: deps.clock.now().toISOString(),
      },
      record.version,
    );
    logger.info({ correlationId: request.correlationId, number: record.number, outcome, instances: request.total }, 'incident auto-resolve');
    return outcome;
  }

  /** Runs `fn` holding the incident key, so upserts and resolves of one incident never interleave. */
  async function withLock<T>(correlationId: string, fn: () => Promise<T>): Promise<T> {
    const lock = `pb-incident:${correlationId}`;
    const owner = deps.owner ?? deps.ids.uuid();
    const held = (await store.claim(lock, owner, lockTtl)) || (deps.owner !== undefined && (await store.extendClaim(lock, owner, lockTtl)));
    if (!held) {
      throw new IncidentError('INCIDENT_BUSY', 'another listener is writing this incident', { details: { correlationId } });
    }
    try {
      return await fn();
    } finally {
      await store.release(lock, owner).catch((err: unknown) => {
        logger.warn({ err, correlationId }, 'could not release the incident lock; it expires on its own');
      });
    }
  }

  return {
    upsert: (draft) => withLock(draft.correlationId, () => upsertHeld(draft)),
    resolve: (request) => withLock(request.correlationId, () => resolveHeld(request)),
  };
}

function withoutVersion(record: CorrelationRecord): Omit<CorrelationRecord, 'version'> {
  const { version: _version, ...rest } = record;
  return rest;
}

/** The newest failure time: of the record so far, of the draft's instances, or now when neither says. */
function latestFailure(previous: string | undefined, draft: IncidentDraft, now: string): string {
  const times = [previous, ...draft.instances.map((i) => i.failedAt)].filter((t): t is string => t !== undefined && !Number.isNaN(Date.parse(t)));
  if (times.length === 0) return now;
  return new Date(Math.max(...times.map((t) => Date.parse(t)))).toISOString();
}

/**
 * A late delivery of failures patchbridge already resolved: every instance was
 * reported before, and none failed after the evidence that resolved it. It must
 * not reopen the incident.
 */
function staleAfterResolve(record: CorrelationRecord, draft: IncidentDraft): boolean {
  if (record.state !== 'resolved' || record.compliantAt === undefined) return false;
  const compliantAt = Date.parse(record.compliantAt);
  return draft.instances.every((i) => Date.parse(i.failedAt) <= compliantAt);
}
