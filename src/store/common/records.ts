import { z } from 'zod';
import { ValidationError } from '../../core/index.js';
import { StoreError } from '../errors.js';
import type {
  CorrelationRecord,
  GateAuthorisation,
  IdempotencyRecord,
  OutboxItem,
  PatchRunRecord,
  ReportJobRecord,
} from '../types.js';
import { normaliseIso } from './time.js';

// Schemas for what comes back out of storage. Both stores narrow every read
// through these, and z.object drops storage-only attributes (keys, index keys, TTL).

const jsonObject = z.record(z.string(), z.unknown());

export const patchRunSchema = z.object({
  id: z.string(),
  changeNumber: z.string(),
  changeSysId: z.string(),
  requestedItem: z.string().exactOptional(),
  accountId: z.string(),
  region: z.string(),
  executionId: z.string().exactOptional(),
  clientToken: z.string(),
  request: jsonObject,
  status: z.enum(['Pending', 'InProgress', 'Success', 'Failed', 'TimedOut', 'Cancelling', 'Cancelled']),
  counts: z.record(z.string(), z.number()).exactOptional(),
  servicenowSysId: z.string().exactOptional(),
  refreshedAt: z.string().exactOptional(),
  ssmStatus: z.string().exactOptional(),
  failureMessage: z.string().exactOptional(),
  instances: z
    .array(
      z.object({
        instanceId: z.string(),
        instanceName: z.string().exactOptional(),
        status: z.string(),
        statusDetails: z.string(),
        commandId: z.string(),
      }),
    )
    .readonly()
    .exactOptional(),
  instancesOmitted: z.number().int().exactOptional(),
  complianceBefore: z.record(z.string(), z.number()).exactOptional(),
  refreshLeaseUntil: z.string().exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<PatchRunRecord>;

export const idempotencySchema = z.object({
  key: z.string(),
  requestHash: z.string(),
  status: z.enum(['in-progress', 'completed']),
  response: z
    .object({
      statusCode: z.number(),
      body: z.unknown(),
      headers: z.record(z.string(), z.string()).exactOptional(),
    })
    .exactOptional(),
  expiresAt: z.string(),
  leaseUntil: z.string().exactOptional(),
}) satisfies z.ZodType<IdempotencyRecord>;

export const correlationSchema = z.object({
  correlationId: z.string(),
  sysId: z.string().exactOptional(),
  number: z.string().exactOptional(),
  state: z.enum(['pending', 'open', 'resolved']),
  reportedInstances: z.array(z.string()),
  accountId: z.string().exactOptional(),
  region: z.string().exactOptional(),
  failedAt: z.string().exactOptional(),
  compliantAt: z.string().exactOptional(),
  resolvedBy: z.string().exactOptional(),
  updatedAt: z.string(),
  version: z.number().int(),
}) satisfies z.ZodType<CorrelationRecord>;

export const outboxSchema = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().exactOptional(),
  leaseToken: z.string().exactOptional(),
  leaseUntil: z.string().exactOptional(),
  createdAt: z.string(),
}) satisfies z.ZodType<OutboxItem>;

export const gateSchema = z.object({
  windowId: z.string(),
  accountId: z.string(),
  region: z.string(),
  changeNumber: z.string(),
  changeSysId: z.string(),
  start: z.string(),
  end: z.string(),
  revoked: z.boolean(),
  revokedReason: z.string().exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<GateAuthorisation>;

export const reportJobSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  request: jsonObject,
  requestedItem: z.string().exactOptional(),
  summary: z.unknown().exactOptional(),
  files: z.record(z.string(), z.string()).exactOptional(),
  error: z.string().exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<ReportJobRecord>;

/** Narrows a stored value; a row that no longer matches its schema is a store fault, not caller input. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new StoreError('CORRUPT', `stored ${what} failed validation`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Makes a value safe to store as JSON: drops `undefined` members, turns Dates
 * into strings. Returns `null` for a value JSON cannot represent at the top level.
 */
export function toJsonValue(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** Removes keys set to `undefined` and keys an update may not change. */
export function cleanPatch(patch: object, immutable: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || immutable.includes(key)) continue;
    out[key] = value;
  }
  return out;
}

/** Drops keys whose value is `undefined`, so both stores return identical shapes. */
export function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** Narrows caller input; a mismatch is the caller's error, not the store's. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError('VALIDATION_FAILED', `${what} is not valid: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Record ids become storage keys; an empty one is always a caller bug. */
export function checkId(value: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError('VALIDATION_FAILED', `${field} must be a non-empty string`, { details: { field } });
  }
  return value;
}

/** Fields an update may never change. */
export const IMMUTABLE_FIELDS = ['id', 'createdAt'] as const;

/**
 * Validates the fields of an update against the record schema. Unknown keys
 * are dropped (so a patch can never write a storage key), as are `undefined`
 * values and the immutable `id`/`createdAt`.
 */
export function preparePatch(schema: z.ZodObject, patch: object, what: string): Record<string, unknown> {
  const value = parseInput(schema.partial(), toJsonValue(cleanPatch(patch, IMMUTABLE_FIELDS)), what);
  return cleanPatch(value, IMMUTABLE_FIELDS);
}

/** Normalises a new patch run: canonical timestamps, JSON-safe values, schema-checked. */
export function preparePatchRun(run: PatchRunRecord): PatchRunRecord {
  checkId(run.id, 'id');
  return parseInput(
    patchRunSchema,
    toJsonValue({ ...run, createdAt: normaliseIso(run.createdAt, 'createdAt'), updatedAt: normaliseIso(run.updatedAt, 'updatedAt') }),
    'patch run',
  );
}

/** Normalises a new report job: canonical timestamps, JSON-safe values, schema-checked. */
export function prepareReportJob(job: ReportJobRecord): ReportJobRecord {
  checkId(job.id, 'id');
  return parseInput(
    reportJobSchema,
    toJsonValue({ ...job, createdAt: normaliseIso(job.createdAt, 'createdAt'), updatedAt: normaliseIso(job.updatedAt, 'updatedAt') }),
    'report job',
  );
}

export function prepareIdempotency(record: IdempotencyRecord): IdempotencyRecord {
  checkId(record.key, 'key');
  return parseInput(
    idempotencySchema,
    toJsonValue({ ...record, expiresAt: normaliseIso(record.expiresAt, 'expiresAt') }),
    'idempotency record',
  );
}

/** The record `putCorrelation` writes: one version past `expectedVersion` (version 1 for a new record). */
export function prepareCorrelation(
  record: Omit<CorrelationRecord, 'version'>,
  expectedVersion: number | undefined,
): CorrelationRecord {
  checkId(record.correlationId, 'correlationId');
  if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) {
    throw new ValidationError('VALIDATION_FAILED', 'expectedVersion must be a positive integer', {
      details: { expectedVersion },
    });
  }
  return parseInput(correlationSchema, toJsonValue({ ...record, version: (expectedVersion ?? 0) + 1 }), 'correlation record');
}

export function prepareGate(gate: GateAuthorisation): GateAuthorisation {
  checkId(gate.windowId, 'windowId');
  return parseInput(gateSchema, toJsonValue(gate), 'gate authorisation');
}

/** Longest `lastError` kept on an outbox item; enough to diagnose, small enough for a DynamoDB item. */
export const MAX_ERROR_LENGTH = 2000;

export function truncateError(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

/** A freshness mark's times, normalised so stored ISO strings compare in order. */
export function prepareRefreshMark(mark: { staleBefore: string; leaseUntil: string }): { staleBefore: string; leaseUntil: string } {
  return { staleBefore: normaliseIso(mark.staleBefore, 'staleBefore'), leaseUntil: normaliseIso(mark.leaseUntil, 'leaseUntil') };
}

/** `beginRunRefresh`'s condition: stale (or never read) and no refresh lease running at `now`. */
export function refreshDue(run: PatchRunRecord, mark: { staleBefore: string }, now: string): boolean {
  const stale = run.refreshedAt === undefined || run.refreshedAt < mark.staleBefore;
  const free = run.refreshLeaseUntil === undefined || run.refreshLeaseUntil < now;
  return stale && free;
}
