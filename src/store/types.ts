/** Records the state store keeps. All timestamps are ISO-8601 UTC strings. */

export type PatchRunStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelling' | 'Cancelled';

export interface PatchRunRecord {
  /** patchbridge run id (UUID). */
  readonly id: string;
  readonly changeNumber: string;
  readonly changeSysId: string;
  readonly requestedItem?: string;
  readonly accountId: string;
  readonly region: string;
  /** SSM Automation execution id once started. */
  readonly executionId?: string;
  readonly clientToken: string;
  /** The canonical request body that started the run. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly status: PatchRunStatus;
  readonly counts?: Readonly<Record<string, number>>;
  /** sys_id of the `x_pbridge_patch_run` record in ServiceNow, once written. */
  readonly servicenowSysId?: string;
  /** When the status, counts and instances were last read from SSM. */
  readonly refreshedAt?: string;
  /** SSM's own execution status at `refreshedAt` (`InProgress`, `Waiting`, …). */
  readonly ssmStatus?: string;
  readonly failureMessage?: string;
  /** Per-instance results at `refreshedAt`, sorted by instance id (see `RUN_INSTANCES_MAX`). */
  readonly instances?: readonly PatchRunInstance[];
  /** Instances left out of `instances` because the run had more than `RUN_INSTANCES_MAX`. */
  readonly instancesOmitted?: number;
  /**
   * Compliance of the targeted instances read just before the run was started
   * (`compliant`, `nonCompliant`, `unreported`); absent when it could not be read in time.
   */
  readonly complianceBefore?: Readonly<Record<string, number>>;
  /** A refresh from SSM is under way until then (set by `beginRunRefresh`). */
  readonly refreshLeaseUntil?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One instance's outcome in a patch run, as SSM last reported it. */
export interface PatchRunInstance {
  readonly instanceId: string;
  readonly instanceName?: string;
  readonly status: string;
  readonly statusDetails: string;
  readonly commandId: string;
}

export interface IdempotencyRecord {
  /** Scope + key, e.g. `POST /v1/patch-runs|client-a|<Idempotency-Key>`. */
  readonly key: string;
  /** SHA-256 of the canonical request; a different hash with the same key is a reuse error. */
  readonly requestHash: string;
  readonly status: 'in-progress' | 'completed';
  /** The stored response once completed (status code + body + headers the caller needs). */
  readonly response?: { readonly statusCode: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> };
  readonly expiresAt: string;
  /** While in progress: the request's owner is presumed dead after this (its process was killed), and the key may be taken over. */
  readonly leaseUntil?: string;
}

export type IncidentState = 'pending' | 'open' | 'resolved';

export interface CorrelationRecord {
  readonly correlationId: string;
  readonly sysId?: string;
  readonly number?: string;
  readonly state: IncidentState;
  /** Instance ids already reported on this incident, so late events note only new ones. */
  readonly reportedInstances: readonly string[];
  /** AWS account and region of the failures (absent on records written before auto-resolve). */
  readonly accountId?: string;
  readonly region?: string;
  /**
   * When failures were last reported on the incident (its latest failure event,
   * or when it was written). Evidence of compliance must be newer than this to
   * resolve it, so an incident reopened by a new failure is not resolved by an older snapshot.
   */
  readonly failedAt?: string;
  /** Set when patchbridge resolved the incident: when every instance was seen compliant, and what showed it. */
  readonly compliantAt?: string;
  readonly resolvedBy?: string;
  readonly updatedAt: string;
  /** Optimistic-concurrency version, starts at 1. */
  readonly version: number;
}

export interface OutboxItem {
  /** Caller-chosen, deterministic id: enqueueing the same id twice is a no-op. */
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
  /** When the item may next be leased. */
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  /** Set while leased; a lease ends at `leaseUntil`, after which others may take it. */
  readonly leaseToken?: string;
  readonly leaseUntil?: string;
  readonly createdAt: string;
}

export interface GateAuthorisation {
  readonly windowId: string;
  readonly accountId: string;
  readonly region: string;
  readonly changeNumber: string;
  readonly changeSysId: string;
  /** The change's planned window. */
  readonly start: string;
  readonly end: string;
  readonly revoked: boolean;
  readonly revokedReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ReportJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ReportJobRecord {
  readonly id: string;
  readonly status: ReportJobStatus;
  readonly request: Readonly<Record<string, unknown>>;
  readonly requestedItem?: string;
  readonly summary?: unknown;
  /** Blob keys of the produced files, by file name. */
  readonly files?: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  readonly nextCursor?: string;
}
