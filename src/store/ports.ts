import type { Awaitable } from '../core/index.js';
import type {
  CorrelationRecord,
  GateAuthorisation,
  IdempotencyRecord,
  OutboxItem,
  Page,
  PatchRunRecord,
  ReportJobRecord,
} from './types.js';

// One port per aggregate. Flows depend on the ports they use (or an
// intersection of them); `StateStore` is all of them, what a runtime opens.
// Two implementations (SQLite, DynamoDB) pass one contract suite (`contract/`).
// All writes that can race are conditional: they fail with
// `StoreError('CONFLICT')` rather than overwrite.

/** Claims and leases on keys: incident keys, HMAC nonces, singleton jobs. */
export interface ClaimStore {
  /**
   * Create-if-absent. Exactly one of N concurrent callers for the same key gets
   * `true`. A claim with `ttlSeconds` may be re-claimed after it expires.
   */
  claim(key: string, owner: string, ttlSeconds?: number): Promise<boolean>;
  /**
   * Sets a claim `owner` still holds (not expired) to expire `ttlSeconds` from now,
   * or never when omitted — in one conditional write, so a short lease can become
   * a long marker without a gap another owner could slip into. `false` if not held.
   */
  extendClaim(key: string, owner: string, ttlSeconds?: number): Promise<boolean>;
  /** Releases a claim held by `owner`; a no-op otherwise. */
  release(key: string, owner: string): Promise<void>;
  /** Who holds `key` now: the owner of an unexpired claim, `undefined` when nobody does. */
  claimHolder(key: string): Promise<string | undefined>;
  /**
   * Spends a one-time token (a signed request's nonce): `true` the first time,
   * `false` every later time until `expiresAt` (epoch seconds) has passed, for
   * every process on the store; exactly one of N concurrent callers gets `true`.
   * A replayed token comes with the same `expiresAt` (the authenticator derives
   * it from the signed timestamp a replay must repeat): SQLite files tokens by
   * expiry, so a second's tokens are written side by side and the expired are
   * swept as one range, and one index does both. A token spent again with
   * another `expiresAt` may be taken as new (SQLite) or refused (DynamoDB).
   * Tokens the previous version claimed as `claim('nonce:' + token)` are refused
   * too until they expire, so an upgrade opens no replay window.
   * SQLite answers at once, and fails by throwing (invalid input, a closed or
   * failing store), while requests come one at a time; while they come together
   * (a turn of the event loop spent more than one), the next turns' spends are
   * written in one transaction at the turn's end and answered with a promise, which
   * rejects for the whole group if the write fails. DynamoDB answers with a promise.
   */
  spendNonce(nonce: string, expiresAt: number): Awaitable<boolean>;
}

/** The claim key prefix under which versions before `spendNonce` kept HMAC nonces (`claim('nonce:' + token, client, ttl)`). */
export const LEGACY_NONCE_PREFIX = 'nonce:';
/** The owner a spent nonce's claim item names in the DynamoDB store. */
export const NONCE_OWNER = 'hmac-nonce';

/** Patch runs started from approved changes, with their last SSM snapshot. */
export interface PatchRunStore {
  /** Fails with CONFLICT if the id exists. */
  createPatchRun(run: PatchRunRecord): Promise<void>;
  getPatchRun(id: string): Promise<PatchRunRecord | undefined>;
  /** Merges `patch` and bumps `updatedAt`; NOT_FOUND if absent. */
  updatePatchRun(id: string, patch: Partial<Omit<PatchRunRecord, 'id' | 'createdAt'>>): Promise<PatchRunRecord>;
  findPatchRunByExecution(executionId: string): Promise<PatchRunRecord | undefined>;
  /**
   * The freshness mark, in one conditional write: takes the right to refresh run
   * `id` from SSM until `leaseUntil` only if its `refreshedAt` is absent or before
   * `staleBefore` and no other lease is running (`refreshLeaseUntil` absent or
   * past). Exactly one of N concurrent callers — in any process — gets `true`.
   * NOT_FOUND if the run does not exist.
   */
  beginRunRefresh(id: string, mark: { staleBefore: string; leaseUntil: string }): Promise<boolean>;
  /** Newest first. */
  listPatchRuns(query: { changeNumber?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<PatchRunRecord>>;
}

/** Idempotency records of API operations (`Idempotency-Key`). */
export interface IdempotencyStore {
  /**
   * Starts an idempotent operation. Returns `{ created: true }` when this caller
   * owns it, or the existing record (expired records are replaced).
   */
  beginIdempotent(record: IdempotencyRecord): Promise<{ created: true } | { created: false; existing: IdempotencyRecord }>;
  completeIdempotent(key: string, response: NonNullable<IdempotencyRecord['response']>): Promise<void>;
  /** Drops an in-progress record after a failure so the caller may retry. */
  abandonIdempotent(key: string): Promise<void>;
}

/** The incident correlation map: which ServiceNow incident a failure key became. */
export interface CorrelationStore {
  getCorrelation(correlationId: string): Promise<CorrelationRecord | undefined>;
  /**
   * Writes a correlation record. With `expectedVersion` undefined it must not exist;
   * otherwise the stored version must equal it. The stored version becomes +1.
   * CONFLICT otherwise.
   */
  putCorrelation(record: Omit<CorrelationRecord, 'version'>, expectedVersion?: number): Promise<CorrelationRecord>;
  /**
   * Correlation records in state `open`, least recently updated first (by
   * `updatedAt`, then id): what a compliance snapshot or a successful run may
   * resolve. Served by an index of open records only (SQLite partial index,
   * DynamoDB sparse GSI), so resolved history costs nothing.
   */
  listOpenCorrelations(query: { limit: number; cursor?: string | undefined }): Promise<Page<CorrelationRecord>>;
}

/** The producer's side of the outbox: what flows that only hand work on need. */
export interface OutboxWriter {
  /** Idempotent on `id`: enqueueing an existing id leaves it untouched and returns false. */
  enqueue(item: { id: string; kind: string; payload: unknown; nextAttemptAt?: string | undefined }): Promise<boolean>;
}

/** The transactional outbox: deliveries leased by workers, retried, dead-lettered. */
export interface OutboxStore extends OutboxWriter {
  /**
   * Leases up to `limit` due items (optionally of one kind) for `leaseMs`. With
   * `owner`, lease tokens start with `owner:`, so `releaseLeases(owner)` can find them.
   */
  lease(options: { limit: number; leaseMs: number; kind?: string | undefined; owner?: string | undefined }): Promise<OutboxItem[]>;
  /**
   * Releases every lease whose token `owner` took (a restarted node reclaiming
   * what its killed predecessor held, instead of waiting the leases out).
   * Returns how many. Stores that cannot list leases by owner omit it; their
   * leases then expire on their own.
   */
  releaseLeases?(owner: string): Promise<number>;
  /**
   * Extends a held lease to `leaseMs` from now, so a long batch keeps its items
   * (a heartbeat, like SQS visibility extension). `false` if the token no longer holds it.
   */
  renewLease(id: string, leaseToken: string, leaseMs: number): Promise<boolean>;
  /** Deletes a delivered item; ignored if the lease token no longer matches. */
  ack(id: string, leaseToken: string): Promise<void>;
  /** Records a failed attempt and schedules the next one; releases the lease. */
  fail(id: string, leaseToken: string, error: string, nextAttemptAt: string): Promise<void>;
  /** Items not yet delivered (for readiness, metrics and tests). */
  outboxDepth(kind?: string): Promise<number>;
  /**
   * Items of one kind, leased or not, oldest first (by `createdAt`, then `id`).
   * For operators (e.g. dead letters); the cursor only continues the same kind's listing.
   * On DynamoDB a page reads the kind's whole partition, so keep it to small kinds.
   */
  listOutbox(query: { kind: string; limit: number; cursor?: string | undefined }): Promise<Page<OutboxItem>>;
  /** One item by id, leased or not; `undefined` if absent. */
  getOutboxItem(id: string): Promise<OutboxItem | undefined>;
  /** Deletes an item whatever its lease (operator action); `true` if it existed. */
  deleteOutboxItem(id: string): Promise<boolean>;
}

/** Change-gate authorisations: one current authorisation per maintenance window. */
export interface GateStore {
  putGate(gate: GateAuthorisation): Promise<void>;
  getGate(windowId: string): Promise<GateAuthorisation | undefined>;
  listGates(query: { accountId?: string | undefined; region?: string | undefined }): Promise<GateAuthorisation[]>;
}

/** Compliance report jobs requested through the API or on a schedule. */
export interface ReportJobStore {
  createReportJob(job: ReportJobRecord): Promise<void>;
  getReportJob(id: string): Promise<ReportJobRecord | undefined>;
  updateReportJob(id: string, patch: Partial<Omit<ReportJobRecord, 'id' | 'createdAt'>>): Promise<ReportJobRecord>;
  /** Newest first. */
  listReportJobs(query: { limit: number; cursor?: string | undefined }): Promise<Page<ReportJobRecord>>;
}

/**
 * Durable state for every flow: every aggregate's port over one connection or
 * table, plus the store's own lifecycle. What a runtime opens (`createStore`).
 */
export interface StateStore
  extends ClaimStore,
    PatchRunStore,
    IdempotencyStore,
    CorrelationStore,
    OutboxStore,
    GateStore,
    ReportJobStore {
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
