import { DEFAULT_CLAIM_LEASE_SECONDS, incidentLockTtlSeconds } from '../../src/flows/incidents/index.js';

/** Lambda's hard ceiling on a function timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/**
 * AWS's advice for SQS event sources: a `maxReceiveCount` of at least 5, so a
 * message is not dead-lettered by a burst of throttling.
 */
export const SQS_MIN_RECEIVE_COUNT = 5;

export interface QueueTiming {
  readonly functionTimeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  /** Why these numbers, for the docs and the template's description. */
  readonly why: string;
}

export interface ServiceNowLimits {
  readonly retryBudgetMs: number;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
}

/** `PATCHBRIDGE_SERVICENOW_RETRY_BUDGET_MS`, `_TIMEOUT_MS`, `_MAX_IN_FLIGHT` defaults (src/config). */
export const DEFAULT_SERVICENOW_LIMITS: ServiceNowLimits = { retryBudgetMs: 120_000, timeoutMs: 30_000, maxInFlight: 4 };

/**
 * The `patch-results` queue. The processor holds each event under a claim lease
 * (`DEFAULT_CLAIM_LEASE_SECONDS`, 120 s) and its doc asks that the lease stay below
 * the visibility timeout: a redelivery after a crash must find the lease lapsed, or it
 * is mistaken for a duplicate. The function gets 300 s (enrichment of a batch of ten
 * pages SSM at its own throttle); AWS requires the visibility timeout to be at least
 * the function timeout; 30 s on top covers the poller's hand-off.
 */
export function patchResultsTiming(): QueueTiming {
  const functionTimeoutSeconds = 300;
  const visibilityTimeoutSeconds = Math.max(functionTimeoutSeconds, DEFAULT_CLAIM_LEASE_SECONDS) + 30;
  return {
    functionTimeoutSeconds,
    visibilityTimeoutSeconds,
    maxReceiveCount: SQS_MIN_RECEIVE_COUNT,
    batchSize: 10,
    why: `visibility ${visibilityTimeoutSeconds}s = max(function timeout ${functionTimeoutSeconds}s, claim lease ${DEFAULT_CLAIM_LEASE_SECONDS}s) + 30s; ${SQS_MIN_RECEIVE_COUNT} receives (AWS minimum advice)`,
  };
}

/**
 * The `servicenow-listener` queue.
 * - A listener holds an incident key for `incidentLockTtlSeconds(limits)` (900 s with
 *   the default limits: five ServiceNow calls, each its retry budget plus a timeout,
 *   never under 15 minutes). The function timeout is that, capped by Lambda's 900 s,
 *   so a live listener's lock never lapses under it.
 * - A record whose key is held fails with `INCIDENT_BUSY` and comes back after the
 *   visibility timeout. Making that longer than the lock (lock + 60 s) means its next
 *   receive finds the key released or lapsed: one receive is enough for any busy key.
 * - Batch size = the client's in-flight limit, so every incident key of a batch gets a
 *   worker at once and the slowest upsert (5 calls × (budget + timeout) = 750 s by
 *   default) still ends inside the function timeout.
 * - `maxReceiveCount` = the first attempt + one busy retry + enough retries to ride out
 *   a ServiceNow outage of `outageToleranceHours` (each receive already retries inside
 *   the client's budget). After that the DLQ keeps the message 14 days for a redrive.
 */
export function listenerTiming(limits: ServiceNowLimits = DEFAULT_SERVICENOW_LIMITS, outageToleranceHours = 4): QueueTiming {
  const lockSeconds = incidentLockTtlSeconds(limits);
  const functionTimeoutSeconds = Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, lockSeconds);
  const visibilityTimeoutSeconds = lockSeconds + 60;
  const outageReceives = Math.ceil((outageToleranceHours * 3600) / visibilityTimeoutSeconds);
  const maxReceiveCount = Math.max(SQS_MIN_RECEIVE_COUNT, 1 + 1 + outageReceives);
  return {
    functionTimeoutSeconds,
    visibilityTimeoutSeconds,
    maxReceiveCount,
    batchSize: limits.maxInFlight,
    why: `lock ${lockSeconds}s (incidentLockTtlSeconds); visibility ${visibilityTimeoutSeconds}s = lock + 60s so one INCIDENT_BUSY retry finds the key free; ${maxReceiveCount} receives = 1 + 1 busy retry + ${outageReceives} over a ${outageToleranceHours} h ServiceNow outage`,
  };
}
