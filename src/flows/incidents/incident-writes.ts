import type { Logger } from '../../core/index.js';
import {
  CORRELATION_DISPLAY,
  failedInstancesCsv,
  failedInstancesFileName,
  INCIDENT_STATE,
  type IncidentDraft,
  incidentLifecycleAction,
  type InstanceFailure,
  mergeDescription,
  REOPEN_NOTE_PREFIX,
  type RenderedWorkNote,
  type ResolveRequest,
  renderWorkNote,
  resolutionCloseNotes,
  resolutionWorkNote,
  shortDescriptionFor,
} from '../../domain/index.js';
import { type FailureImportRow, type IncidentRecord, type RecordValues, type ServiceNowClient, ServiceNowError } from '../../servicenow/index.js';
import type { CorrelationRecord } from '../../store/index.js';
import type { ResolveOutcome } from './upsert.js';

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

/** Where a write left the incident. */
export interface WrittenIncident {
  readonly sysId: string;
  readonly number: string;
  /** Whether the write opened a new incident. */
  readonly inserted: boolean;
}

export interface IncidentWriterDeps {
  readonly servicenow: ServiceNowClient;
  readonly logger: Logger;
  /** `import-set`: rows into the app's staging table, its transform map coalesces; `table`: the Table API. */
  readonly mode: 'import-set' | 'table';
}

/**
 * The ServiceNow writes of an incident, in either mode: create, late failures,
 * reopen and resolve, each with its work note and, when the note cannot name
 * every instance, the CSV attachment. Callers hold the incident's lock.
 */
export function createIncidentWriter(deps: IncidentWriterDeps) {
  const { servicenow, logger } = deps;

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

  return { writeImportSet, writeTable, resolve: writeResolution };
}
