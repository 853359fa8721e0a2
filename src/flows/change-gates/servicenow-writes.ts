import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { isAppError, toError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { formatServiceNowDate, type ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/ports.js';
import type { OutboxItem, PatchRunRecord } from '../../store/types.js';

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
} as const;

const changeNotePayload = z.object({ changeSysId: z.string().regex(/^[0-9a-f]{32}$/), text: z.string().min(1).max(8000) });
const patchRunPayload = z.object({ runId: z.string().min(1) });
const incidentPayload = z.object({
  correlationId: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/),
  shortDescription: z.string().min(1).max(160),
  description: z.string().max(8000),
  accountId: z.string(),
  region: z.string(),
  executionId: z.string(),
  changeNumber: z.string().optional(),
  workNote: z.string().max(8000).optional(),
});

export type IncidentToRaise = z.infer<typeof incidentPayload>;

/** Queues ServiceNow writes. Each id is deterministic, so queueing the same write twice is a no-op. */
export interface ServiceNowWrites {
  /** Brings the run's `x_pbridge_patch_run` record up to date with the store (at delivery time). */
  syncPatchRun(run: PatchRunRecord): Promise<void>;
  /** A work note on the change; `key` identifies the note so it is written once. */
  changeNote(changeSysId: string, text: string, key: string): Promise<void>;
  raiseIncident(incident: IncidentToRaise): Promise<void>;
}

export function createServiceNowWrites(deps: { readonly store: Pick<StateStore, 'enqueue'> }): ServiceNowWrites {
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
  };
}

export interface ServiceNowDeliveryDeps {
  readonly store: Pick<StateStore, 'lease' | 'ack' | 'fail' | 'getPatchRun' | 'updatePatchRun'>;
  readonly servicenow: Pick<
    ServiceNowClient,
    'getRecord' | 'createRecord' | 'patchRecord' | 'addWorkNote' | 'importRow' | 'findActiveIncidentByCorrelationId'
  >;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `config.servicenow.mode`: incidents through the scoped app's import set, or the Table API. */
  readonly mode: 'import-set' | 'table';
  /** Attempts before a write is dropped (logged at error). Default 40 (about 9 hours with the capped backoff). */
  readonly maxAttempts?: number;
}

export interface ServiceNowDelivery {
  readonly kinds: readonly string[];
  /** For a shared outbox worker: delivers one leased item of these kinds, then acks or reschedules it. */
  handleOutboxItem(item: OutboxItem): Promise<void>;
  /** Leases and delivers due items of these kinds until none is due (or `max`). Returns how many were handled. */
  drain(options?: { max?: number }): Promise<number>;
}

const LEASE_MS = 60_000;
const RETRY_BASE_MS = 15_000;
const RETRY_CAP_MS = 15 * 60_000;
const PATCH_RUN_FIELDS = ['sys_id'] as const;

/** The `x_pbridge_patch_run` sys_id for a run: fixed by the run id, so a retried create cannot duplicate it. */
export function patchRunRecordSysId(runId: string): string {
  return runId.replace(/-/g, '').toLowerCase();
}

function recordValues(run: PatchRunRecord): Record<string, string> {
  const finished = ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(run.status);
  return {
    run_id: run.id,
    change_request: run.changeSysId,
    ...(run.requestedItem ? { requested_item: run.requestedItem } : {}),
    status: run.status,
    execution_id: run.executionId ?? '',
    account: run.accountId,
    region: run.region,
    targets: JSON.stringify(run.request['targets'] ?? {}),
    counts: JSON.stringify(run.counts ?? {}),
    started_at: formatServiceNowDate(new Date(run.createdAt)),
    ...(finished ? { completed_at: formatServiceNowDate(new Date(run.updatedAt)) } : {}),
  };
}

/**
 * Delivers the queued writes to ServiceNow. Retryable failures (outage, 429,
 * timeouts) are rescheduled with capped exponential backoff; anything else is
 * logged and dropped, since repeating it cannot succeed.
 */
export function createServiceNowDelivery(deps: ServiceNowDeliveryDeps): ServiceNowDelivery {
  const log = deps.logger.child({ flow: 'servicenow-writes' });
  const maxAttempts = deps.maxAttempts ?? 40;
  const kinds = Object.values(SERVICENOW_WRITE_KINDS);

  async function syncRecord(runId: string): Promise<void> {
    const run = await deps.store.getPatchRun(runId);
    if (!run) return;
    const sysId = run.servicenowSysId ?? patchRunRecordSysId(run.id);
    const values = recordValues(run);
    const existing = await deps.servicenow.getRecord('x_pbridge_patch_run', sysId, PATCH_RUN_FIELDS);
    if (existing) await deps.servicenow.patchRecord('x_pbridge_patch_run', sysId, values, PATCH_RUN_FIELDS);
    else await deps.servicenow.createRecord('x_pbridge_patch_run', { sys_id: sysId, ...values }, PATCH_RUN_FIELDS);
    if (!run.servicenowSysId) await deps.store.updatePatchRun(run.id, { servicenowSysId: sysId });
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
    if (open) {
      if (i.workNote) await deps.servicenow.addWorkNote('incident', open.sys_id, i.workNote);
      return;
    }
    await deps.servicenow.createRecord(
      'incident',
      {
        correlation_id: i.correlationId,
        correlation_display: 'patchbridge',
        short_description: i.shortDescription,
        description: i.description,
        impact: 2,
        urgency: 2,
        ...(i.workNote ? { work_notes: i.workNote } : {}),
      },
      ['sys_id'],
    );
  }

  async function deliver(item: OutboxItem): Promise<void> {
    switch (item.kind) {
      case SERVICENOW_WRITE_KINDS.patchRunRecord:
        return syncRecord(patchRunPayload.parse(item.payload).runId);
      case SERVICENOW_WRITE_KINDS.changeNote: {
        const p = changeNotePayload.parse(item.payload);
        return deps.servicenow.addWorkNote('change_request', p.changeSysId, p.text);
      }
      case SERVICENOW_WRITE_KINDS.incident:
        return raiseIncident(incidentPayload.parse(item.payload));
      default:
        throw new Error(`not a ServiceNow write: ${item.kind}`);
    }
  }

  async function handleOutboxItem(item: OutboxItem): Promise<void> {
    if (!item.leaseToken) throw new Error('handleOutboxItem: the item is not leased');
    try {
      await deliver(item);
      await deps.store.ack(item.id, item.leaseToken);
      log.debug({ id: item.id, kind: item.kind }, 'delivered');
    } catch (err) {
      const attempts = item.attempts + 1;
      const retryable = isAppError(err) ? err.retryable : true;
      const message = toError(err).message.slice(0, 500);
      if (retryable && attempts < maxAttempts) {
        const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
        await deps.store.fail(item.id, item.leaseToken, message, new Date(deps.clock.now().getTime() + delay).toISOString());
        log.warn({ err, id: item.id, kind: item.kind, attempts }, 'ServiceNow write failed; will retry');
      } else {
        await deps.store.ack(item.id, item.leaseToken);
        log.error({ err, id: item.id, kind: item.kind, attempts }, 'ServiceNow write dropped');
      }
    }
  }

  return {
    kinds,
    handleOutboxItem,
    async drain(options = {}) {
      const max = options.max ?? 100;
      let handled = 0;
      for (const kind of kinds) {
        while (handled < max) {
          const [item] = await deps.store.lease({ limit: 1, leaseMs: LEASE_MS, kind });
          if (!item) break;
          await handleOutboxItem(item);
          handled++;
        }
      }
      return handled;
    },
  };
}
