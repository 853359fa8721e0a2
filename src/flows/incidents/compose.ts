import type { AwsPorts } from '../../aws/index.js';
import type { Clock, Ids, Logger } from '../../core/index.js';
import type { Config } from '../../config/index.js';
import type { IncidentPolicy, PatchEvent } from '../../domain/index.js';
import { createSnsVerifier, httpsFetcher, type SnsFetcher } from '../../events/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/index.js';
import { type DeadLetterSink, type OutboxHandler, storeDeadLetters } from '../outbox/index.js';
import { createIncidentEnricher, type IncidentEnricher } from './enrich.js';
import type { IncidentAwsPorts } from './ports.js';
import { createFailureProcessor, type FailureProcessor, type ProcessInput } from './processor.js';
import { createEventReceiver, type EventReceiver } from './receiver.js';
import { type IncidentChannel, outboxChannel } from './publishers.js';
import { createEventIntake, type EventIntake, eventBatching, guardLaneHandlers, type IncidentOutboxLanes, type IncidentOutboxOptions, incidentOutboxLanes } from './standalone.js';
import { createIncidentUpserter, type IncidentUpserter, incidentLockTtlSeconds } from './upsert.js';
import {
  createResolutionPlanner,
  type ResolutionPlanner,
} from './resolution.js';

/** The incident policy from `config.incidents` (see docs/incidents.md). */
export function incidentPolicyFromConfig(incidents: Config['incidents']): IncidentPolicy {
  return {
    prodEnvironments: incidents.prodEnvironments,
    groupMap: incidents.groupMap,
    defaultGroup: incidents.defaultGroup,
    serviceMap: incidents.serviceMap,
  };
}

export interface IncidentFlowDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly store: StateStore;
  readonly aws: IncidentAwsPorts & Pick<AwsPorts, 'publisher'>;
  readonly servicenow: ServiceNowClient;
}

export interface IncidentFlowOptions extends IncidentOutboxOptions {
  /**
   * Where drafts and resolve requests go: `monitoringTopicChannel` (the AWS
   * deployment's listener queue) or, by default, `outboxChannel` over the store.
   */
  readonly channel?: IncidentChannel;
  /** Wakes the outbox worker after an enqueue (the default channel and the intake). */
  readonly wake?: () => void;
  readonly dedupeTtlSeconds?: number;
  readonly maxInstancesPerDraft?: number;
  /** Standalone: the longest accepted events wait to be enriched together while more keep arriving. Default 2 000 ms. */
  readonly eventBatchWindowMs?: number;
  /** Standalone: how long the event stream must be quiet before what arrived is enriched. Default 200 ms, at most the window. */
  readonly eventQuietMs?: number;
  /** Standalone: events that make a batch worth enriching without waiting for more. Default 50. */
  readonly eventBatchFullAt?: number;
  /**
   * Fetches SNS signing certificates and `SubscribeURL`s. Default HTTPS GET;
   * tests substitute one serving the AWS simulator's certificate.
   */
  readonly snsFetcher?: SnsFetcher;
  /**
   * Sees every normalised event, successes included, before failure processing
   * (patch-run write-back and window results live there). An event whose observer
   * throws fails like a processing failure, so it is redelivered.
   */
  readonly observe?: (event: PatchEvent) => Promise<void>;
  /** Standalone: this node's stable identity (see `FailureProcessorDeps.owner`). */
  readonly nodeId?: string;
}

export interface IncidentFlows {
  readonly enricher: IncidentEnricher;
  /** Enrich + publish; used by the `patch-results` Lambda and the `patch-event` outbox handler. */
  readonly processor: FailureProcessor;
  /** Upsert into ServiceNow; used by the `servicenow-listener` Lambda and the `incident-draft` outbox handler. */
  readonly upserter: IncidentUpserter;
  /** Standalone: where `/v1/events` puts normalised events. */
  readonly intake: EventIntake;
  /** Standalone: both lanes in order, for one outbox worker to run. */
  readonly outboxHandlers: readonly OutboxHandler[];
  /** Standalone: the same handlers as two lanes, each for a worker of its own (`patchbridge serve`). */
  readonly outboxLanes: IncidentOutboxLanes;
  /** Standalone: register these with the guard lane, a worker of their own (window-execution starts). */
  readonly guardLaneHandlers: readonly OutboxHandler[];
  /** Standalone: what `POST /v1/events` hands SNS and EventBridge deliveries to. */
  readonly receiver: EventReceiver;
  /** Where permanently failed messages and rejected deliveries from authenticated senders are kept. */
  readonly deadLetters: DeadLetterSink;
  /**
   * Auto-resolve: turns compliance snapshots (`fromSnapshot`, wired into the
   * snapshot flow by the composition root) and successful runs (wired into the
   * processor here) into resolve requests for the listener.
   */
  readonly resolutions: ResolutionPlanner;
}

/** Wires the whole incident flow over injected ports; one call per composition root. */
export function createIncidentFlows(deps: IncidentFlowDeps, options: IncidentFlowOptions): IncidentFlows {
  const logger = deps.logger.child({ component: 'incidents' });
  const enricher = createIncidentEnricher({
    aws: deps.aws,
    store: deps.store,
    policy: incidentPolicyFromConfig(deps.config.incidents),
    clock: deps.clock,
    logger,
    ...(options.maxInstancesPerDraft !== undefined ? { maxInstancesPerDraft: options.maxInstancesPerDraft } : {}),
  });
  const channel = options.channel ?? outboxChannel({ store: deps.store, ...(options.wake ? { wake: options.wake } : {}) });
  const failureProcessor = createFailureProcessor({
    enricher,
    publisher: channel.drafts,
    store: deps.store,
    ids: deps.ids,
    logger,
    ...(options.dedupeTtlSeconds !== undefined ? { dedupeTtlSeconds: options.dedupeTtlSeconds } : {}),
    ...(options.nodeId !== undefined ? { owner: `${options.nodeId}/events` } : {}),
  });
  const resolutions = createResolutionPlanner({
    store: deps.store,
    queue: channel.resolves,
    inventory: deps.aws.inventory,
    clock: deps.clock,
    logger,
    enabled: deps.config.incidents.autoResolve,
  });
  const processor = resolvingAfterRuns(options.observe ? observed(failureProcessor, options.observe) : failureProcessor, resolutions);
  const upserter = createIncidentUpserter({
    servicenow: deps.servicenow,
    store: deps.store,
    mode: deps.config.servicenow.mode,
    lockTtlSeconds: incidentLockTtlSeconds(deps.config.servicenow),
    ...(options.nodeId !== undefined ? { owner: `${options.nodeId}/incidents` } : {}),
    clock: deps.clock,
    ids: deps.ids,
    logger,
    autoResolve: { enabled: deps.config.incidents.autoResolve, closeCode: deps.config.incidents.resolveCloseCode },
  });
  const batchingOptions = {
    clock: deps.clock,
    ...(options.eventBatchWindowMs !== undefined ? { batchWindowMs: options.eventBatchWindowMs } : {}),
    ...(options.eventQuietMs !== undefined ? { quietMs: options.eventQuietMs } : {}),
    ...(options.eventBatchFullAt !== undefined ? { fullAt: options.eventBatchFullAt } : {}),
    ...(options.eventBatchSize !== undefined ? { eventBatchSize: options.eventBatchSize } : {}),
    ...(options.wake ? { wake: options.wake } : {}),
  };
  const batching = eventBatching(batchingOptions);
  const intake = createEventIntake({ ...batchingOptions, store: deps.store, batching });
  const lanes = incidentOutboxLanes({ processor, upserter, store: deps.store, clock: deps.clock, batching }, options);
  const deadLetters = storeDeadLetters(deps.store, deps.clock);
  const sns = createSnsVerifier({ fetch: options.snsFetcher ?? httpsFetcher, allowedTopicArns: deps.config.events.snsTopicArns });
  return {
    enricher,
    processor,
    upserter,
    intake,
    outboxHandlers: [...lanes.enrichment, ...lanes.servicenow],
    outboxLanes: lanes,
    guardLaneHandlers: guardLaneHandlers({ processor }),
    receiver: createEventReceiver({ intake, sns, deadLetters, logger }),
    deadLetters,
    resolutions,
  };
}

/**
 * After the batch is processed, checks whether its successful runs made open
 * incidents compliant. A failed check fails those events, so their redelivery checks again.
 */
function resolvingAfterRuns(processor: FailureProcessor, resolutions: ResolutionPlanner): FailureProcessor {
  return {
    async process(inputs) {
      const result = await processor.process(inputs);
      const succeeded = inputs.filter((i) => i.event.phase === 'succeeded' && !result.failures.has(i.id));
      if (succeeded.length === 0) return result;
      try {
        await resolutions.afterRuns(succeeded.map((i) => i.event));
        return result;
      } catch (err) {
        const failures = new Map(result.failures);
        for (const { id } of succeeded) failures.set(id, err);
        return { ...result, failures };
      }
    },
  };
}

/** Runs `observe` on every input first; inputs it rejects fail and skip processing. */
function observed(processor: FailureProcessor, observe: (event: PatchEvent) => Promise<void>): FailureProcessor {
  return {
    async process(inputs) {
      const failures = new Map<string, unknown>();
      const passed: ProcessInput[] = [];
      for (const input of inputs) {
        try {
          await observe(input.event);
          passed.push(input);
        } catch (err) {
          failures.set(input.id, err);
        }
      }
      const result = await processor.process(passed);
      for (const [id, err] of result.failures) failures.set(id, err);
      return { ...result, failures };
    },
  };
}
