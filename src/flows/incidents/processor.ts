import type { Ids } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { isFailureEvent, type PatchEvent, patchEventKey } from '../../domain/index.js';
import type { StateStore } from '../../store/index.js';
import type { IncidentEnricher } from './enrich.js';
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
  readonly store: Pick<StateStore, 'claim' | 'release'>;
  readonly ids: Ids;
  readonly logger: Logger;
  /**
   * How long a processed event is remembered so a redelivery costs no AWS call.
   * Default 3 600 s: SNS duplicates and SQS redeliveries arrive within minutes,
   * and a claim that could not be released after a failure blocks that event's
   * retry for at most this long. 0 turns it off; the listener never duplicates
   * an incident either way.
   */
  readonly dedupeTtlSeconds?: number;
  /** Drafts published at once. Default 8. */
  readonly publishConcurrency?: number;
}

export interface FailureProcessor {
  /** Enriches the failures among `inputs` and publishes one draft per incident key. */
  process(inputs: readonly ProcessInput[]): Promise<ProcessResult>;
}

/**
 * The enrich-and-publish use case shared by the `patch-results` Lambda and the
 * standalone outbox: drop non-failures and duplicates, enrich the batch as a
 * whole, publish drafts. An event that fails is released so its retry is
 * processed again.
 */
export function createFailureProcessor(deps: FailureProcessorDeps): FailureProcessor {
  const ttl = deps.dedupeTtlSeconds ?? 3_600;
  const concurrency = Math.max(1, deps.publishConcurrency ?? 8);

  return {
    async process(inputs) {
      const owner = deps.ids.uuid();
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
      let duplicates = inputs.length - ignored - byKey.size;
      await Promise.all(
        [...byKey.keys()].map(async (key) => {
          if (ttl <= 0) {
            claimed.push(key);
            return;
          }
          try {
            if (await deps.store.claim(`pb-event:${key}`, owner, ttl)) claimed.push(key);
            else duplicates += byKey.get(key)?.ids.length ?? 0;
          } catch (err) {
            keyFailures.set(key, err);
          }
        }),
      );

      let published = 0;
      if (claimed.length > 0) {
        const keyed = claimed.flatMap((key) => {
          const entry = byKey.get(key);
          return entry ? [{ key, event: entry.event }] : [];
        });
        const { drafts, failures } = await deps.enricher.enrich(keyed);
        for (const [k, err] of failures) keyFailures.set(k, err);
        let next = 0;
        const worker = async () => {
          for (;;) {
            const item = drafts[next++];
            if (!item) return;
            try {
              await deps.publisher.publish(item.draft);
              published++;
            } catch (err) {
              deps.logger.warn({ err, correlationId: item.draft.correlationId }, 'publishing an incident draft failed');
              for (const k of item.sources) if (!keyFailures.has(k)) keyFailures.set(k, err);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, drafts.length) }, worker));
      }

      const failures = new Map<string, unknown>();
      await Promise.all(
        [...keyFailures].map(async ([key, err]) => {
          for (const id of byKey.get(key)?.ids ?? []) failures.set(id, err);
          // Let the retry of this event be processed rather than dropped as a duplicate.
          if (ttl > 0 && claimed.includes(key)) {
            await deps.store.release(`pb-event:${key}`, owner).catch((releaseErr: unknown) => {
              deps.logger.warn({ err: releaseErr, key }, 'could not release an event claim; its retry waits for the claim to expire');
            });
          }
        }),
      );
      if (failures.size > 0) deps.logger.warn({ failed: failures.size, of: inputs.length }, 'some patch events failed and will be retried');
      return { failures, published, duplicates, ignored };
    },
  };
}
