import type { Clock, Ids } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  failedInstancesCsv,
  failedInstancesFileName,
  INCIDENT_STATE,
  CORRELATION_DISPLAY,
  type IncidentDraft,
  incidentLifecycleAction,
  type InstanceFailure,
  mergeDescription,
  REOPEN_NOTE_PREFIX,
  resolutionCloseNotes,
  resolutionWorkNote,
  describeResolutionSource,
  type ResolveRequest,
  type RenderedWorkNote,
  renderWorkNote,
  shortDescriptionFor,
} from '../../domain/index.js';
import { type FailureImportRow, type IncidentRecord, type RecordValues, type ServiceNowClient, ServiceNowError } from '../../servicenow/index.js';
import type { CorrelationRecord, StateStore } from '../../store/index.js';
import { IncidentError } from './errors.js';

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
  readonly store: Pick<StateStore, 'claim' | 'extendClaim' | 'release' | 'getCorrelation' | 'putCorrelation'>;
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

const STAGING = 'x_pbridge_failure_import' as const;
/** The staging column's length: as many whole ids as fit (the work notes name them all). */
const INSTANCE_IDS_MAX_CHARS = 4_000;

function idList(ids: readonly string[]): string {
  let out = '';
  for (const id of ids) {
    const next = out ? `${out},${id}` : id;
    if (next.length > INSTANCE_IDS_MAX_CHARS) break;
    out = next;
  }
  return out;
}
const INCIDENT_FIELDS = ['sys_id', 'number'] as const;

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

/** A work note and, when it cannot name every instance, the CSV that does (attached to the incident). */
interface NotePlan {
  readonly note: RenderedWorkNote;
  readonly attachment?: { readonly fileName: string; readonly csv: string };
}

function withAttachment(draft: IncidentDraft, instances: readonly InstanceFailure[], render: (fileName: string) => RenderedWorkNote): NotePlan {
  const fileName = failedInstancesFileName(draft.execution, instances.length);
  const note = render(fileName);
  return note.unnamed > 0 ? { note, attachment: { fileName, csv: failedInstancesCsv(instances) } } : { note };
}

function createNote(draft: IncidentDraft, instances: readonly InstanceFailure[]): NotePlan {
  return withAttachment(draft, instances, (fileName) =>
    renderWorkNote(
      `patchbridge: patching failed on ${instances.length} instance(s) of patch group ${draft.patchGroup}.`,
      instances,
      [`Priority basis: ${draft.severityReasons.join('; ')}.`, `Execution: ${draft.executionLink}`],
      fileName,
    ),
  );
}

function lateNote(draft: IncidentDraft, fresh: readonly InstanceFailure[], total: number): NotePlan {
  return withAttachment(draft, fresh, (fileName) =>
    renderWorkNote(`patchbridge: ${fresh.length} more instance(s) failed in the same execution (now ${total} in total).`, fresh, [], fileName),
  );
}

/** Creates the listener's upsert use case over the ServiceNow client and the store. */
export function createIncidentUpserter(deps: IncidentUpserterDeps): IncidentUpserter {
  const { servicenow, store, logger } = deps;
  const lockTtl = deps.lockTtlSeconds ?? MIN_LOCK_TTL_SECONDS;

  /**
   * Attaches the CSV a work note points to. Before the correlation record is
   * written, so a failed upload fails the upsert and its retry attaches again.
   */
  async function attach(sysId: string, plan: NotePlan): Promise<void> {
    if (!plan.attachment) return;
    await servicenow.uploadAttachment({ table: 'incident', sysId, fileName: plan.attachment.fileName, contentType: 'text/csv', body: plan.attachment.csv });
    logger.info({ sysId, fileName: plan.attachment.fileName, unnamed: plan.note.unnamed }, 'failed instances attached as CSV');
  }

  /**
   * The incident's CI: an instance's CI sys_id, or the patch group's service. The
   * import-set transform resolves a service name itself; the Table API needs its sys_id.
   */
  async function resolveCi(draft: IncidentDraft, as: 'name' | 'sys_id' = 'name'): Promise<string | undefined> {
    if (!draft.ci) return undefined;
    if (draft.ci.kind === 'service') return as === 'name' ? draft.ci.name : servicenow.resolveReference('ci', draft.ci.name);
    const cis = await servicenow.findCisByInstanceIds([draft.ci.instanceId]);
    return cis.get(draft.ci.instanceId)?.sys_id;
  }

  function fullRow(draft: IncidentDraft, ci: string | undefined, instanceIds: readonly string[], note: string): FailureImportRow {
    return {
      correlation_id: draft.correlationId,
      correlation_display: draft.correlationDisplay,
      short_description: shortDescriptionFor({ ...draft, instanceCount: instanceIds.length }),
      description: draft.description,
      impact: String(draft.impact),
      urgency: String(draft.urgency),
      assignment_group: draft.assignmentGroup,
      instance_ids: idList(instanceIds),
      account: draft.accountId,
      region: draft.region,
      patch_group: draft.patchGroup,
      execution_id: draft.execution.id,
      ...(draft.changeNumber ? { change_request: draft.changeNumber } : {}),
      work_note: note,
      ...(ci ? { cmdb_ci: ci } : {}),
    };
  }

  /**
   * The description after late failures. A draft that already covers every
   * reported instance carries the whole table; otherwise the rows ServiceNow
   * holds are read back and the new ones merged in.
   */
  async function lateDescription(draft: IncidentDraft, sysId: string | undefined, allIds: readonly string[]): Promise<string> {
    const inDraft = new Set(draft.instances.map((i) => i.instanceId));
    if (allIds.every((id) => inDraft.has(id)) || !sysId) return draft.description;
    const current = await servicenow.getRecord('incident', sysId, ['description']);
    return mergeDescription(current?.description, draft, allIds.length);
  }

  /** Import Set mode: the transform map coalesces on correlation_id among active incidents. */
  async function writeImportSet(draft: IncidentDraft, isNew: boolean, fresh: readonly InstanceFailure[], allIds: readonly string[], sysId: string | undefined) {
    if (isNew) {
      const ci = await resolveCi(draft);
      const plan = createNote(draft, fresh);
      const result = await servicenow.importRow(STAGING, fullRow(draft, ci, allIds, plan.note.text));
      await attach(result.sys_id, plan);
      return { sysId: result.sys_id, number: result.display_value, inserted: result.status === 'inserted' };
    }
    // Impact, urgency, group and CI are left out: the transform does not copy empty fields, so what people changed stays.
    const late = lateNote(draft, fresh, allIds.length);
    const row: FailureImportRow = {
      correlation_id: draft.correlationId,
      correlation_display: draft.correlationDisplay,
      short_description: shortDescriptionFor({ ...draft, instanceCount: allIds.length }),
      description: await lateDescription(draft, sysId, allIds),
      instance_ids: idList(allIds),
      account: draft.accountId,
      region: draft.region,
      patch_group: draft.patchGroup,
      execution_id: draft.execution.id,
      work_note: late.note.text,
    };
    const result = await servicenow.importRow(STAGING, row);
    if (result.status !== 'inserted') {
      await attach(result.sys_id, late);
      return { sysId: result.sys_id, number: result.display_value, inserted: false };
    }
    // The incident was closed in the meantime, so the row opened a new one: give it the full record.
    const ci = await resolveCi(draft);
    const plan = createNote(draft, draft.instances);
    const filled = await servicenow.importRow(STAGING, fullRow(draft, ci, allIds, plan.note.text));
    await attach(filled.sys_id, plan);
    return { sysId: filled.sys_id, number: filled.display_value, inserted: true };
  }

  /** Table API mode: find the active incident by correlation_id, then PATCH it or POST a new one. */
  async function writeTable(draft: IncidentDraft, fresh: readonly InstanceFailure[], allIds: readonly string[]) {
    // `active=true` covers open and Resolved incidents; Closed and Cancelled ones are followed by a new incident.
    const existing = await servicenow.findActiveIncidentByCorrelationId(draft.correlationId);
    if (existing) return updateTable(existing, draft, fresh, allIds);
    const ci = await resolveCi(draft, 'sys_id');
    const change = draft.changeNumber ? await servicenow.getChangeRequest(draft.changeNumber) : undefined;
    // The lookups above may have spent minutes in retries; the Table API has no
    // coalesce, so look again right before the POST rather than trust the lock alone.
    const raced = await servicenow.findActiveIncidentByCorrelationId(draft.correlationId);
    if (raced) {
      logger.warn({ correlationId: draft.correlationId, number: raced.number }, 'the incident appeared while this listener prepared it; updating instead of creating');
      return updateTable(raced, draft, fresh, allIds);
    }
    const plan = createNote(draft, draft.instances);
    // The Table API stores a name in a reference field as given: write sys_ids the client resolved.
    const group = await servicenow.resolveReference('group', draft.assignmentGroup);
    if (!group) logger.warn({ correlationId: draft.correlationId, group: draft.assignmentGroup }, 'assignment group not found in ServiceNow; the incident is created without one');
    const values: RecordValues = {
      short_description: shortDescriptionFor({ ...draft, instanceCount: allIds.length }),
      description: draft.description,
      impact: draft.impact,
      urgency: draft.urgency,
      ...(group ? { assignment_group: group } : {}),
      correlation_id: draft.correlationId,
      correlation_display: draft.correlationDisplay,
      work_notes: plan.note.text,
      ...(ci ? { cmdb_ci: ci } : {}),
      ...(change ? { rfc: change.sys_id } : {}),
    };
    const created = await servicenow.createRecord('incident', values, INCIDENT_FIELDS);
    await attach(created.sys_id, plan);
    return { sysId: created.sys_id, number: created.number, inserted: true };
  }

  /** Updates an open incident, or reopens a Resolved one with a note (the lifecycle the transform map applies too). */
  async function updateTable(existing: IncidentRecord, draft: IncidentDraft, fresh: readonly InstanceFailure[], allIds: readonly string[]) {
    const reopen = incidentLifecycleAction(existing) === 'reopen';
    const late = lateNote(draft, fresh, allIds.length);
    await servicenow.patchRecord(
      'incident',
      existing.sys_id,
      {
        short_description: shortDescriptionFor({ ...draft, instanceCount: allIds.length }),
        description: await lateDescription(draft, existing.sys_id, allIds),
        work_notes: reopen ? `${REOPEN_NOTE_PREFIX}\n${late.note.text}` : late.note.text,
        ...(reopen ? { state: INCIDENT_STATE.IN_PROGRESS } : {}),
      },
      INCIDENT_FIELDS,
    );
    await attach(existing.sys_id, late);
    return { sysId: existing.sys_id, number: existing.number, inserted: false };
  }

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
      deps.mode === 'import-set' ? await writeImportSet(draft, isNew, fresh, allIds, record.sysId) : await writeTable(draft, fresh, allIds);
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

  /** Resolves in ServiceNow; `already-resolved` when the incident is not open there (no note is added). */
  async function writeResolution(record: CorrelationRecord & { sysId: string }, request: ResolveRequest, closeCode: string): Promise<ResolveOutcome> {
    const note = resolutionWorkNote(request);
    const closeNotes = resolutionCloseNotes(request);
    if (deps.mode === 'import-set') {
      try {
        await servicenow.importRow(STAGING, {
          correlation_id: record.correlationId,
          correlation_display: CORRELATION_DISPLAY,
          close_code: closeCode,
          close_notes: closeNotes,
          work_note: note,
        });
        return 'resolved';
      } catch (err) {
        // The app's transform ignores a resolve row with no open incident to resolve (and never creates one).
        if (err instanceof ServiceNowError && err.code === 'IMPORT_NOT_TRANSFORMED' && err.rows?.[0]?.status === 'ignored') {
          logger.info({ correlationId: record.correlationId, message: err.rows[0].status_message }, 'the transform map did not resolve the incident');
          return 'already-resolved';
        }
        throw err;
      }
    }
    const current = await servicenow.getRecord('incident', record.sysId, ['state', 'active', 'number']);
    if (incidentLifecycleAction(current) !== 'update') return 'already-resolved';
    await servicenow.patchRecord(
      'incident',
      record.sysId,
      { state: INCIDENT_STATE.RESOLVED, close_code: closeCode, close_notes: closeNotes, work_notes: note },
      INCIDENT_FIELDS,
    );
    return 'resolved';
  }

  async function resolveHeld(request: ResolveRequest): Promise<ResolveOutcome> {
    const settings = deps.autoResolve;
    const record = await store.getCorrelation(request.correlationId);
    if (!settings?.enabled || record?.state !== 'open' || record.version !== request.version || !record.sysId) {
      logger.info({ correlationId: request.correlationId, state: record?.state, version: record?.version, requested: request.version }, 'auto-resolve skipped: the incident moved on');
      return 'stale';
    }
    const outcome = await writeResolution({ ...record, sysId: record.sysId }, request, settings.closeCode);
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
