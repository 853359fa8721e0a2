import pLimit from 'p-limit';
import type { Ids, Logger } from '../../core/index.js';
import { isFailureEvent, type PatchEvent, patchEventKey } from '../../domain/index.js';
import type { ClaimStore } from '../../store/index.js';
import type { IncidentEnricher, KeyedEvent } from './enrich.js';
import { IncidentError } from './errors.js';
import type { DraftPublisher } from './ports.js';

export interface ProcessInput {
  /** The caller's id for this event (SQS `messageId`, outbox item id); failures come back under it. */
  readonly id: string;
  readonly event: PatchEvent;
}

export interface ProcessResult {
  /** Inputs that failed, by id; success otherwise. */
  readonly failures: ReadonlyMap<string, unknown>;
  /** Drafts handed to the monitoring topic. */
  readonly published: number;
  /** Failure events dropped as already processed (redelivery, or the same change by SNS and EventBridge). */
  readonly duplicates: number;
  /** Events that report no failure (success, in progress). */
  readonly ignored: number;
}

export interface FailureProcessorDeps {
  readonly enricher: IncidentEnricher;
  readonly publisher: DraftPublisher;
  readonly store: ClaimStore;
  readonly ids: Ids;
  readonly logger: Logger;
  /**
   * How long a processed event is remembered so a redelivery costs no AWS call.
   * Default 3 600 s: SNS duplicates and SQS redeliveries arrive within minutes.
   * 0 turns it off; the listener never duplicates an incident either way.
   */
  readonly dedupeTtlSeconds?: number;
  /**
   * How long an event is held while it is being processed, before it is known
   * to be published. Default 120 s. A processor that dies mid-batch (a Lambda
   * timeout) cannot release its claims, so this bounds how long the event's
   * redelivery is mistaken for a duplicate: keep it below the queue's visibility
   * timeout. Processing that outlasts it only risks a second, harmless, draft.
   */
  readonly claimLeaseSeconds?: number;
  /** Drafts published at once. Default 8. */
  readonly publishConcurrency?: number;
  /**
   * A stable identity of this node (standalone). Its claims carry it, so after a
   * kill the restarted node takes back the events its predecessor held instead of
   * dropping them as duplicates; published events are re-owned as `published`.
   * Without it (Lambda), each call claims under a fresh id.
   */
  readonly owner?: string;
}

/** Owner of the claim of an event whose draft was published: nobody's work in progress. */
const PUBLISHED = 'published';

export interface FailureProcessor {
  /** Enriches the failures among `inputs` and publishes one draft per incident key. */
  process(inputs: readonly ProcessInput[]): Promise<ProcessResult>;
}

/** How long an event is held while it is processed (the default `claimLeaseSeconds`); `infra/` sizes the queue's visibility timeout from it. */
export const DEFAULT_CLAIM_LEASE_SECONDS = 120;

const claimKey = (key: string) => `pb-event:${key}`;

/**
 * The enrich-and-publish use case shared by the `patch-results` Lambda and the
 * standalone outbox: drop non-failures and duplicates, enrich the batch as a
 * whole, publish drafts. Each failure event is claimed for a short lease while
 * it is processed; once its draft is published the claim is renewed for the
 * de-duplication window, and an event that was not published is released, so
 * its retry is processed again rather than dropped as a duplicate.
 */
export function createFailureProcessor(deps: FailureProcessorDeps): FailureProcessor {
  const ttl = deps.dedupeTtlSeconds ?? 3_600;
  const lease = Math.max(1, Math.min(ttl, deps.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS));
  const concurrency = Math.max(1, deps.publishConcurrency ?? 8);

  /**
   * Turns a published event's short lease into the full de-duplication window,
   * owned by `published`: only a finished event is a duplicate, never one still
   * in someone's hands (see `take`).
   */
  async function remember(key: string, owner: string): Promise<void> {
    await deps.store.release(claimKey(key), owner);
    await deps.store.claim(claimKey(key), PUBLISHED, ttl);
  }

  /**
   * Claims an event for processing; a node also takes back its own claims (its
   * killed predecessor's). An event another processor holds unfinished is
   * `busy`: that processor may still die (a Lambda timeout), so the event is
   * failed for a retry, not dropped. Only a published event is a `duplicate`.
   */
  async function take(key: string, owner: string): Promise<'taken' | 'duplicate' | 'busy'> {
    if (await deps.store.claim(claimKey(key), owner, lease)) return 'taken';
    if (deps.owner !== undefined && (await deps.store.extendClaim(claimKey(key), owner, lease))) return 'taken';
    const holder = await deps.store.claimHolder(claimKey(key));
    if (holder === PUBLISHED) return 'duplicate';
    // Released or lapsed between the two calls: one more try.
    if (holder === undefined && (await deps.store.claim(claimKey(key), owner, lease))) return 'taken';
    return 'busy';
  }

  return {
    async process(inputs) {
      const owner = deps.owner ?? deps.ids.uuid();
      const byKey = new Map<string, { event: PatchEvent; ids: string[] }>();
      let ignored = 0;
      for (const input of inputs) {
        if (!isFailureEvent(input.event)) {
          ignored++;
          continue;
        }
        const key = patchEventKey(input.event);
        const entry = byKey.get(key);
        if (entry) entry.ids.push(input.id);
        else byKey.set(key, { event: input.event, ids: [input.id] });
      }

      const keyFailures = new Map<string, unknown>();
      const claimed: string[] = [];
      /** Claimed keys whose processing finished: published, or nothing to publish. */
      const done = new Set<string>();
      let duplicates = inputs.length - ignored - byKey.size;
      let published = 0;
      try {
        await Promise.all(
          [...byKey.keys()].map(async (key) => {
            if (ttl <= 0) {
              claimed.push(key);
              return;
            }
            try {
              const outcome = await take(key, owner);
              if (outcome === 'taken') claimed.push(key);
              else if (outcome === 'duplicate') duplicates += byKey.get(key)?.ids.length ?? 0;
              else keyFailures.set(key, new IncidentError('EVENT_BUSY', 'another processor is processing this event; retry once it finishes or its lease lapses', { details: { key } }));
            } catch (err) {
              keyFailures.set(key, err);
            }
          }),
        );
        if (claimed.length > 0) {
          const keyed = claimed.flatMap((key) => {
            const entry = byKey.get(key);
            return entry ? [{ key, event: entry.event }] : [];
          });
          published = await enrichAndPublish(keyed, keyFailures);
          for (const key of claimed) if (!keyFailures.has(key)) done.add(key);
        }
      } finally {
        if (ttl > 0) await settleClaims(claimed, done, owner);
      }

      const failures = new Map<string, unknown>();
      for (const [key, err] of keyFailures) for (const id of byKey.get(key)?.ids ?? []) failures.set(id, err);
      if (failures.size > 0) deps.logger.warn({ failed: failures.size, of: inputs.length }, 'some patch events failed and will be retried');
      return { failures, published, duplicates, ignored };
    },
  };

  /** Enriches `keyed` as one batch and publishes its drafts; returns how many were published, failures go into `failed` by key. */
  async function enrichAndPublish(keyed: readonly KeyedEvent[], failed: Map<string, unknown>): Promise<number> {
    let result: Awaited<ReturnType<IncidentEnricher['enrich']>>;
    try {
      result = await deps.enricher.enrich(keyed);
    } catch (err) {
      // The whole batch failed to enrich: every event in it is retried.
      for (const { key } of keyed) failed.set(key, err);
      return 0;
    }
    for (const [k, err] of result.failures) failed.set(k, err);
    const { drafts } = result;
    let count = 0;
    const limit = pLimit(Math.max(1, concurrency));
    await Promise.all(
      drafts.map((item) =>
        limit(async () => {
          try {
            await deps.publisher.publish(item.draft, { complete: item.complete });
            count++;
          } catch (err) {
            deps.logger.warn({ err, correlationId: item.draft.correlationId }, 'publishing an incident draft failed');
            for (const k of item.sources) if (!failed.has(k)) failed.set(k, err);
          }
        }),
      ),
    );
    return count;
  }

  /** Finished keys are remembered for the de-duplication window; every other claimed key is let go so its retry is processed. */
  async function settleClaims(claimed: readonly string[], done: ReadonlySet<string>, owner: string): Promise<void> {
    await Promise.all(
      claimed.map(async (key) => {
        try {
          if (done.has(key)) await remember(key, owner);
          else await deps.store.release(claimKey(key), owner);
        } catch (err) {
          deps.logger.warn({ err, key, finished: done.has(key) }, 'could not settle an event claim; it lapses with its lease');
        }
      }),
    );
  }
}
