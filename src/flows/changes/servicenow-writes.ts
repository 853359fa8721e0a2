import { sha256Hex, ValidationError } from '../../core/index.js';
import { z } from 'zod';
import { formatServiceNowDate, type RecordValues, type ServiceNowClient } from '../../servicenow/index.js';
import type { OutboxWriter, PatchRunRecord, PatchRunStore } from '../../store/index.js';
import { DESCRIPTION_MAX_CHARS, ID_PATTERNS } from '../../domain/index.js';
import { itemHandler, type OutboxHandler } from '../outbox/index.js';

/**
 * Outbox kinds for the ServiceNow writes of the patch-run and change-gate flows.
 * Writes go through the outbox so a ServiceNow outage delays them instead of losing them.
 */
export const SERVICENOW_WRITE_KINDS = {
  /** Create or update the run's `x_pbridge_patch_run` record from the stored run. */
  patchRunRecord: 'pb.patch-run-record',
  /** A work note on a change request. */
  changeNote: 'pb.change-note',
  /** An incident (e.g. a window cancelled because ServiceNow could not confirm its change). */
  incident: 'pb.incident',
  /** The change's `close_code` (and `close_notes`) suggested from a run's outcome, when still empty. */
  changeCloseCode: 'pb.change-close-code',
} as const;

/** The default change model's close codes. */
export const CHANGE_CLOSE_CODES = ['successful', 'successful_issues', 'unsuccessful'] as const;
export type ChangeCloseCode = (typeof CHANGE_CLOSE_CODES)[number];

const changeNotePayload = z.object({ changeSysId: z.string().regex(ID_PATTERNS.sysId), text: z.string().min(1).max(8000) });
const patchRunPayload = z.object({ runId: z.string().min(1) });
const closeCodePayload = z.object({
  changeSysId: z.string().regex(ID_PATTERNS.sysId),
  closeCode: z.enum(CHANGE_CLOSE_CODES),
  closeNotes: z.string().min(1).max(4000),
});
const incidentPayload = z.object({
  correlationId: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/),
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(DESCRIPTION_MAX_CHARS),
  accountId: z.string().regex(ID_PATTERNS.accountId),
  region: z.string().min(1).max(32),
  executionId: z.string().min(1).max(100),
  changeNumber: z.string().regex(ID_PATTERNS.changeNumber).max(40).optional(),
  workNote: z.string().max(8000).optional(),
});

/** A payload that does not parse will never deliver: a permanent failure, parked by the worker. */
function payload<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError('VALIDATION_FAILED', 'outbox payload has the wrong shape');
  return parsed.data;
}

export type IncidentToRaise = z.infer<typeof incidentPayload>;

/** Queues ServiceNow writes. Each id is deterministic, so queueing the same write twice is a no-op. */
export interface ServiceNowWrites {
  /** Brings the run's `x_pbridge_patch_run` record up to date with the store (at delivery time). */
  syncPatchRun(run: PatchRunRecord): Promise<void>;
  /** A work note on the change; `key` identifies the note so it is written once. */
  changeNote(changeSysId: string, text: string, key: string): Promise<void>;
  raiseIncident(incident: IncidentToRaise): Promise<void>;
  /**
   * Suggests the change's `close_code` and `close_notes` from a run's outcome. Delivered
   * only while the change is open and its `close_code` is empty: a person's choice is never overwritten.
   */
  suggestCloseCode(changeSysId: string, closeCode: ChangeCloseCode, closeNotes: string, key: string): Promise<void>;
}

export function createServiceNowWrites(deps: { readonly store: OutboxWriter }): ServiceNowWrites {
  const k = SERVICENOW_WRITE_KINDS;
  return {
    async syncPatchRun(run) {
      const version = `${run.status}:${JSON.stringify(run.counts ?? {})}:${run.executionId ?? ''}`;
      await deps.store.enqueue({ id: `${k.patchRunRecord}:${run.id}:${version}`, kind: k.patchRunRecord, payload: { runId: run.id } });
    },
    async changeNote(changeSysId, text, key) {
      await deps.store.enqueue({ id: `${k.changeNote}:${key}`, kind: k.changeNote, payload: changeNotePayload.parse({ changeSysId, text }) });
    },
    async raiseIncident(incident) {
      await deps.store.enqueue({ id: `${k.incident}:${incident.correlationId}`, kind: k.incident, payload: incidentPayload.parse(incident) });
    },
    async suggestCloseCode(changeSysId, closeCode, closeNotes, key) {
      await deps.store.enqueue({ id: `${k.changeCloseCode}:${key}`, kind: k.changeCloseCode, payload: closeCodePayload.parse({ changeSysId, closeCode, closeNotes }) });
    },
  };
}

export interface ServiceNowDeliveryDeps {
  readonly store: Pick<PatchRunStore, 'getPatchRun' | 'updatePatchRun'>;
  readonly servicenow: Pick<
    ServiceNowClient,
    'getRecord' | 'createRecord' | 'patchRecord' | 'addWorkNote' | 'importRow' | 'findActiveIncidentByCorrelationId' | 'resolveReference'
  >;
  /** `config.servicenow.mode`: incidents through the scoped app's import set, or the Table API. */
  readonly mode: 'import-set' | 'table';
}

const PATCH_RUN_FIELDS = ['sys_id'] as const;
const INCIDENT_FIELDS = ['sys_id'] as const;
const CLOSE_FIELDS = ['sys_id', 'state', 'active', 'close_code', 'close_notes'] as const;

/**
 * The sys_id of the incident raised for a correlation id (Table API mode): fixed,
 * so two deliveries of the same write cannot create two incidents.
 */
export function incidentSysId(correlationId: string): string {
  return sha256Hex(`patchbridge:incident:${correlationId}`).slice(0, 32);
}

/** The `x_pbridge_patch_run` sys_id for a run: fixed by the run id, so a retried create cannot duplicate it. */
export function patchRunRecordSysId(runId: string): string {
  return runId.replace(/-/g, '').toLowerCase();
}

/** The `targets` column's length in the scoped app (`x_pbridge_patch_run.targets`). */
const TARGETS_MAX_CHARS = 4_000;

/** The run's targets as JSON, or, when that would not fit the column, how many there are and where to find them. */
function targetsText(run: PatchRunRecord): string {
  const targets = run.request['targets'] ?? {};
  const json = JSON.stringify(targets);
  if (json.length <= TARGETS_MAX_CHARS) return json;
  const counts = Object.entries(targets as Record<string, unknown>).map(([kind, list]) => `${Array.isArray(list) ? list.length : 1} ${kind}`);
  return `${counts.join(', ')}: too many to list here; see patchbridge run ${run.id}`;
}

function choice<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/**
 * The `x_pbridge_patch_run` fields for a stored run, as the scoped app defines
 * them: status values are patchbridge's run statuses; counts go both as JSON and
 * per outcome. `requestedItem` is the item's sys_id, resolved from the run's RITM
 * number (a reference takes no number).
 */
export function patchRunRecordValues(run: PatchRunRecord, requestedItem: string | undefined): Record<string, string> {
  const finished = ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(run.status);
  const operation = choice(run.request['operation'], ['Scan', 'Install'] as const);
  const reboot = choice(run.request['rebootOption'], ['RebootIfNeeded', 'NoReboot'] as const);
  const counts = run.counts as Readonly<Record<string, number>> | undefined;
  return {
    run_id: run.id,
    change_request: run.changeSysId,
    ...(requestedItem ? { requested_item: requestedItem } : {}),
    status: run.status,
    execution_id: run.executionId ?? '',
    account: run.accountId,
    region: run.region,
    ...(operation ? { operation } : {}),
    ...(reboot ? { reboot_option: reboot } : {}),
    targets: targetsText(run),
    counts: JSON.stringify(counts ?? {}),
    ...(counts
      ? {
          instances_total: String(counts['total'] ?? 0),
          instances_succeeded: String(counts['succeeded'] ?? 0),
          instances_failed: String(counts['failed'] ?? 0),
          instances_timed_out: String(counts['timedOut'] ?? 0),
          instances_cancelled: String(counts['cancelled'] ?? 0),
        }
      : {}),
    started_at: formatServiceNowDate(new Date(run.createdAt)),
    ...(finished ? { completed_at: formatServiceNowDate(new Date(run.updatedAt)) } : {}),
  };
}

/**
 * Outbox handlers (one per kind) that deliver the queued writes to ServiceNow,
 * for the shared outbox worker (`createOutboxWorker({ handlers })`), which retries
 * `ServiceNowError`s that are retryable and parks the rest. Writes to one run or
 * one change go in order.
 */
export function serviceNowWriteHandlers(deps: ServiceNowDeliveryDeps): OutboxHandler[] {
  async function syncRecord(runId: string): Promise<void> {
    const run = await deps.store.getPatchRun(runId);
    if (!run) return;
    const sysId = run.servicenowSysId ?? patchRunRecordSysId(run.id);
    const values = patchRunRecordValues(run, run.requestedItem ? await deps.servicenow.resolveReference('requestedItem', run.requestedItem) : undefined);
    const patch = () => deps.servicenow.patchRecord('x_pbridge_patch_run', sysId, values, PATCH_RUN_FIELDS);
    const existing = await deps.servicenow.getRecord('x_pbridge_patch_run', sysId, PATCH_RUN_FIELDS);
    if (existing) await patch();
    else await createOr('x_pbridge_patch_run', sysId, values, patch);
    if (!run.servicenowSysId) await deps.store.updatePatchRun(run.id, { servicenowSysId: sysId });
  }

  /**
   * Creates a record under a deterministic sys_id. ServiceNow refuses a second
   * insert with the same sys_id (403 Operation Failed), and a create that timed
   * out may have committed: either way the record is read back, and if it is
   * there (ours, by its sys_id) `onExists` runs instead of failing the delivery.
   */
  async function createOr(table: 'incident' | 'x_pbridge_patch_run', sysId: string, values: RecordValues, onExists: () => Promise<unknown>): Promise<void> {
    try {
      await deps.servicenow.createRecord(table, { sys_id: sysId, ...values }, ['sys_id']);
    } catch (err) {
      if (!(await deps.servicenow.getRecord(table, sysId, ['sys_id']))) throw err;
      await onExists();
    }
  }

  async function raiseIncident(i: IncidentToRaise): Promise<void> {
    if (deps.mode === 'import-set') {
      await deps.servicenow.importRow('x_pbridge_failure_import', {
        correlation_id: i.correlationId,
        correlation_display: 'patchbridge',
        short_description: i.shortDescription,
        description: i.description,
        impact: '2',
        urgency: '2',
        account: i.accountId,
        region: i.region,
        execution_id: i.executionId,
        ...(i.changeNumber ? { change_request: i.changeNumber } : {}),
        ...(i.workNote ? { work_note: i.workNote } : {}),
      });
      return;
    }
    // Table API: find the open incident by correlation id first, so a redelivery never duplicates it.
    const open = await deps.servicenow.findActiveIncidentByCorrelationId(i.correlationId);
    if (open) return noteOn(open.sys_id, i);
    // A duplicate delivery (a lease that expired mid-batch) may have created it since, or it may be resolved already:
    // look again right before creating, by the sys_id the create would use.
    const sysId = incidentSysId(i.correlationId);
    if (await deps.servicenow.getRecord('incident', sysId, INCIDENT_FIELDS)) return noteOn(sysId, i);
    // Two deliveries that both got this far: ServiceNow keeps one row per sys_id, so the loser notes the winner's.
    await createOr(
      'incident',
      sysId,
      {
        correlation_id: i.correlationId,
        correlation_display: 'patchbridge',
        short_description: i.shortDescription,
        description: i.description,
        impact: 2,
        urgency: 2,
        ...(i.workNote ? { work_notes: i.workNote } : {}),
      },
      () => noteOn(sysId, i),
    );
  }

  async function noteOn(sysId: string, i: IncidentToRaise): Promise<void> {
    if (i.workNote) await deps.servicenow.addWorkNote('incident', sysId, i.workNote);
  }

  const k = SERVICENOW_WRITE_KINDS;
  return [
    itemHandler(k.patchRunRecord, (item) => syncRecord(payload(patchRunPayload, item.payload).runId), {
      groupKey: (item) => patchRunPayload.safeParse(item.payload).data?.runId ?? item.id,
    }),
    itemHandler(
      k.changeNote,
      async (item) => {
        const p = payload(changeNotePayload, item.payload);
        await deps.servicenow.addWorkNote('change_request', p.changeSysId, p.text);
      },
      { groupKey: (item) => changeNotePayload.safeParse(item.payload).data?.changeSysId ?? item.id },
    ),
    itemHandler(k.incident, (item) => raiseIncident(payload(incidentPayload, item.payload))),
    itemHandler(
      k.changeCloseCode,
      async (item) => {
        const p = payload(closeCodePayload, item.payload);
        const change = await deps.servicenow.getRecord('change_request', p.changeSysId, CLOSE_FIELDS);
        // Closed (3) or cancelled (4), or someone chose a code already: leave it be.
        if (change?.close_code !== '' || change.active === 'false' || ['3', '4'].includes(change.state)) return;
        await deps.servicenow.patchRecord(
          'change_request',
          p.changeSysId,
          { close_code: p.closeCode, ...(change.close_notes === '' ? { close_notes: p.closeNotes } : {}) },
          ['sys_id'],
        );
      },
      { groupKey: (item) => closeCodePayload.safeParse(item.payload).data?.changeSysId ?? item.id },
    ),
  ];
}
