import { type Clock, sha256Hex } from '../../core/index.js';
import { z } from 'zod';
import { isFailureEvent, type PatchEvent, patchEventKey } from '../../domain/index.js';
import { InvalidEventError } from '../../events/index.js';
import type { CorrelationStore, OutboxItem, OutboxStore, OutboxWriter } from '../../store/index.js';
import { type ArrivalBatching, createArrivalBatching, type OutboxHandler } from '../outbox/index.js';
import { type BatchFailures, processEventBatch, upsertDraftBatch } from './batch.js';
import { parseIncidentDraft } from './draft-schema.js';
import { openIncidentInstances } from './open-incidents.js';
import type { FailureProcessor } from './processor.js';
import { INCIDENT_COMPLETE_DRAFT_KIND, INCIDENT_DRAFT_KIND } from './publishers.js';
import { INCIDENT_RESOLVE_KIND, parseResolveRequest } from './resolution.js';
import type { IncidentUpserter } from './upsert.js';

/** Outbox kind of normalised failure events waiting for enrichment (standalone). */
export const PATCH_EVENT_KIND = 'patch-event';

/**
 * Outbox kind of normalised events that report no failure (progress, success):
 * only the observer acts on them. A kind of their own keeps them out of the
 * failures' enrichment batches, which a storm of successes would otherwise split.
 */
export const PATCH_OBSERVATION_KIND = 'patch-observation';

/**
 * Outbox kind of window-execution starts: the guard's lane. A worker of its own
 * handles them (`guardLaneHandlers`), so the guard never waits behind
 * enrichment or ServiceNow deliveries while the window's tasks may already run.
 */
export const WINDOW_START_KIND = 'window-start';

export interface EventIntake {
  /**
   * Durably accepts normalised events, successes and progress included: the
   * `patch-event` handler shows each to the flows' observer (patch-run
   * write-back, window results, the window guard) and enriches the failures.
   * Idempotent per event: the same status change delivered twice while still
   * queued is stored once. Resolves once stored, so an HTTP caller may be
   * answered 202.
   */
  accept(events: readonly PatchEvent[]): Promise<{ accepted: number; duplicates: number }>;
}

/** Default batching window of the standalone intake: the longest an event waits for more while a storm goes on. */
export const EVENT_BATCH_WINDOW_MS = 2_000;

/** Default quiet time that ends a burst of events: a storm's last batch waits this long after its last event, not a whole window. */
export const EVENT_QUIET_MS = 200;

/**
 * Default events that make a full batch: one page of the batched reads
 * (`DescribeInstancePatchStates` and `DescribeInstanceInformation` take 50 ids),
 * so waiting for more would not make the batch cheaper, only the storm's tail longer.
 */
export const EVENT_BATCH_FULL_AT = 50;

/** Default events one `patch-event` or `patch-observation` handler call takes (`IncidentOutboxOptions.eventBatchSize`). */
export const EVENT_BATCH_SIZE = 500;

/** A maintenance window starting: the event guard must decide before the window's tasks run. */
function isWindowStart(event: PatchEvent): boolean {
  return event.kind === 'window-execution' && (event.phase === 'pending' || event.phase === 'running');
}

/**
 * Standalone intake: every event becomes an outbox item, a failure of kind
 * `patch-event`, anything else of kind `patch-observation`. Events arriving
 * together are enriched together, as SQS's batching window does for the Lambda
 * runtime: with `batching` (shared with the handlers' `ready`), a kind's queued
 * events are handed over once 50 have gathered (one page of the batched AWS
 * reads), once its stream has been quiet for `quietMs`, or once the burst's
 * first event has waited `batchWindowMs`. So a storm delivered over seconds is
 * enriched in batches while it still arrives, and its last batch goes `quietMs`
 * after the last event rather than at the end of a window. Without `batching`
 * an event is due `quietMs` after its arrival. A window-execution start is due
 * at once, and wakes the worker, because the guard it triggers races the
 * window's first task.
 */
export function createEventIntake(deps: {
  store: OutboxWriter;
  clock: Clock;
  batchWindowMs?: number;
  quietMs?: number;
  batching?: ArrivalBatching;
  wake?: () => void;
}): EventIntake {
  const quiet = eventQuietMs(deps);
  return {
    async accept(events) {
      let accepted = 0;
      let urgent = false;
      const arrivals = new Map<string, number>();
      const now = deps.clock.now().getTime();
      // With the batching the worker's `ready` decides when a batch goes; without it, an event lingers the quiet time.
      const due = new Date(deps.batching ? now : now + quiet).toISOString();
      for (const event of events) {
        const id = `event:${sha256Hex(patchEventKey(event)).slice(0, 32)}`;
        const start = isWindowStart(event);
        const kind = start ? WINDOW_START_KIND : isFailureEvent(event) ? PATCH_EVENT_KIND : PATCH_OBSERVATION_KIND;
        const nextAttemptAt = start ? new Date(now).toISOString() : due;
        if (await deps.store.enqueue({ id, kind, payload: event, nextAttemptAt })) {
          accepted++;
          urgent ||= start;
          if (!start) arrivals.set(kind, (arrivals.get(kind) ?? 0) + 1);
        }
      }
      for (const [kind, count] of arrivals) deps.batching?.arrived(kind, count);
      // Batched items wait for the batching, which nudges the worker when they are ready.
      if (accepted > 0 && (quiet === 0 || urgent)) deps.wake?.();
      return { accepted, duplicates: events.length - accepted };
    },
  };
}

/** The quiet time in effect: never longer than the window, 0 with a window of 0 (due at once). */
function eventQuietMs(options: { batchWindowMs?: number; quietMs?: number }): number {
  const window = Math.max(0, options.batchWindowMs ?? EVENT_BATCH_WINDOW_MS);
  return Math.min(window, Math.max(0, options.quietMs ?? EVENT_QUIET_MS));
}

/** The batching `createEventIntake` and `incidentOutboxHandlers` share: quiet time and window as the intake applies them. */
export function eventBatching(options: {
  clock: Clock;
  batchWindowMs?: number;
  quietMs?: number;
  fullAt?: number;
  eventBatchSize?: number;
  wake?: () => void;
}): ArrivalBatching {
  const failures = Math.max(1, options.fullAt ?? EVENT_BATCH_FULL_AT);
  // Successes cost the observer little each: they fill the handler's own batch before they go.
  const observations = Math.max(1, options.eventBatchSize ?? EVENT_BATCH_SIZE);
  return createArrivalBatching({
    clock: options.clock,
    quietMs: eventQuietMs(options),
    maxWaitMs: Math.max(0, options.batchWindowMs ?? EVENT_BATCH_WINDOW_MS),
    fullAt: (kind) => (kind === PATCH_EVENT_KIND ? failures : observations),
    ...(options.wake ? { wake: options.wake } : {}),
  });
}

// Events in the outbox were written by `accept`; this guards against a payload from an older version.
const storedEvent = z.looseObject({
  kind: z.enum(['command', 'invocation', 'window-execution', 'window-task', 'window-target-invocation', 'automation']),
  accountId: z.string(),
  region: z.string(),
  phase: z.string(),
  status: z.string(),
  time: z.string(),
});

function storedPatchEvent(item: OutboxItem): PatchEvent {
  if (!storedEvent.safeParse(item.payload).success) throw new InvalidEventError('stored patch event has an unexpected shape');
  return item.payload as PatchEvent;
}

export interface IncidentOutboxOptions {
  /** Events enriched together; a storm costs one batched read per this many. Default 500. */
  readonly eventBatchSize?: number;
  /** Incidents written to ServiceNow at once (bounded again by the client). Default 4. */
  readonly upsertConcurrency?: number;
  /**
   * How long drafts may wait for failure events still queued for enrichment,
   * counted from the oldest draft. Default 30 000 ms; 0 writes drafts at once.
   */
  readonly draftHoldMs?: number;
}

/** Default of `IncidentOutboxOptions.draftHoldMs`. */
export const DRAFT_HOLD_MS = 30_000;

/**
 * Whether queued drafts may be written now. While failure events are still
 * queued for enrichment (a storm still arriving, a batch still in its window),
 * they may carry more failures of the same incidents: writing then would cost a
 * create now and an update per later batch. So drafts wait until no failure
 * event is queued and none has arrived for a whole batching window (a storm's
 * failures are sparse among its successes: one may follow an instant with none
 * queued, or a pause that was only this process being busy, so the quiet time
 * alone is not enough), and all that was accepted goes into one create. A
 * trickle of failures seconds apart is therefore held until it pauses, or the cap. Drafts that would write nothing (an open incident names
 * all their instances, typically after its complete draft) need not wait. The
 * oldest draft waits `holdMs` at most, so a steady stream of events never
 * starves them. Complete drafts do not wait at all (`incident-draft-complete`).
 */
function draftsReady(
  store: OutboxStore & Pick<CorrelationStore, 'getCorrelation'>,
  clock: Clock,
  holdMs: number,
  batching: ArrivalBatching | undefined,
): () => Promise<boolean> {
  return async () => {
    if (holdMs <= 0) return true;
    if ((batching?.quiet(PATCH_EVENT_KIND, batching.maxWaitMs) ?? true) && (await store.outboxDepth(PATCH_EVENT_KIND)) === 0) return true;
    const { items, nextCursor } = await store.listOutbox({ kind: INCIDENT_DRAFT_KIND, limit: 100 });
    const [oldest] = items;
    if (oldest === undefined || clock.now().getTime() - Date.parse(oldest.createdAt) >= holdMs) return true;
    return nextCursor === undefined && (await allReported(store, items));
  };
}

/** What `allReported` reads of a queued draft: its incident and instances, not the whole draft. */
const draftInstances = z.looseObject({ correlationId: z.string(), instances: z.array(z.looseObject({ instanceId: z.string() })) });

/** Whether every queued draft names only instances its open incident already names: writing them costs no ServiceNow call. */
async function allReported(store: Pick<CorrelationStore, 'getCorrelation'>, items: readonly OutboxItem[]): Promise<boolean> {
  const named = openIncidentInstances(store);
  for (const item of items) {
    const draft = draftInstances.safeParse(item.payload);
    if (!draft.success) return false;
    const reported = await named(draft.data.correlationId);
    if (!reported || !draft.data.instances.every((i) => reported.has(i.instanceId))) return false;
  }
  return true;
}

/** Stored events, each read back as one message; the processor observes every event and drops non-failures after that. */
function processStoredEvents(processor: FailureProcessor, items: readonly OutboxItem[]): Promise<BatchFailures> {
  return processEventBatch(
    processor,
    items.map((item) => ({ id: item.id, read: () => [storedPatchEvent(item)] })),
  );
}

/**
 * The guard lane's handler: window-execution starts, shown to the observer
 * (which runs the window guard). Register it with a worker of its own.
 */
export function guardLaneHandlers(deps: { processor: FailureProcessor }): OutboxHandler[] {
  return [{ kind: WINDOW_START_KIND, batchSize: 10, handle: (items) => processStoredEvents(deps.processor, items) }];
}

/**
 * The outbox handlers of the standalone incident flow in two lanes. `enrichment`:
 * `patch-observation` (show progress and successes to the observer) and
 * `patch-event` (observe the failures, enrich them as a batch, publish drafts
 * back into the outbox). `servicenow`: `incident-draft-complete` and
 * `incident-draft` (upsert into ServiceNow, one write per incident), then
 * `incident-resolve` (apply queued resolve requests). `patchbridge serve` runs
 * each lane on a worker of its own, so ServiceNow's latency never holds up
 * enrichment and a storm's incidents are written while its later events are
 * still enriched; one worker may also run both, in this order.
 */
export interface IncidentOutboxLanes {
  readonly enrichment: readonly OutboxHandler[];
  readonly servicenow: readonly OutboxHandler[];
}

export function incidentOutboxLanes(
  deps: { processor: FailureProcessor; upserter: IncidentUpserter; store: OutboxStore & Pick<CorrelationStore, 'getCorrelation'>; clock: Clock; batching?: ArrivalBatching },
  options: IncidentOutboxOptions = {},
): IncidentOutboxLanes {
  const processStored = (items: readonly OutboxItem[]) => processStoredEvents(deps.processor, items);
  const batched = (kind: string): OutboxHandler => ({
    kind,
    batchSize: options.eventBatchSize ?? EVENT_BATCH_SIZE,
    handle: processStored,
    ...(deps.batching ? { ready: async () => deps.batching?.ready(kind) ?? true } : {}),
  });
  const observations = batched(PATCH_OBSERVATION_KIND);
  const events = batched(PATCH_EVENT_KIND);
  const upsertDrafts = (items: readonly OutboxItem[]) =>
    upsertDraftBatch(
      deps.upserter,
      items.map((item) => ({ id: item.id, read: () => ({ kind: 'draft', draft: parseIncidentDraft(item.payload) }) })),
      { concurrency: options.upsertConcurrency ?? 4 },
    );
  // Complete drafts know every failure of their execution: nothing queued can add to them, so they need no hold.
  // Held drafts of the same incident written later add nothing new and cost no ServiceNow call.
  const completeDrafts: OutboxHandler = { kind: INCIDENT_COMPLETE_DRAFT_KIND, batchSize: 100, handle: upsertDrafts };
  const drafts: OutboxHandler = {
    kind: INCIDENT_DRAFT_KIND,
    batchSize: 100,
    ready: draftsReady(deps.store, deps.clock, options.draftHoldMs ?? DRAFT_HOLD_MS, deps.batching),
    handle: upsertDrafts,
  };
  const resolves: OutboxHandler = {
    kind: INCIDENT_RESOLVE_KIND,
    batchSize: 20,
    handle: (items) =>
      upsertDraftBatch(
        deps.upserter,
        items.map((item) => ({ id: item.id, read: () => ({ kind: 'resolve', request: parseResolveRequest(item.payload) }) })),
      ),
  };
  return { enrichment: [observations, events], servicenow: [completeDrafts, drafts, resolves] };
}
