export { type BatchFailures, type BatchMessage, type IncidentMessage, incidentMessageOf, processEventBatch, upsertDraftBatch } from './batch.js';
export { createIncidentFlows, type IncidentFlowDeps, type IncidentFlowOptions, type IncidentFlows, incidentPolicyFromConfig } from './compose.js';
export { incidentDraftSchema, parseIncidentDraft } from './draft-schema.js';
export { createIncidentEnricher, type EnrichedDraft, type EnrichResult, type IncidentEnricher, type IncidentEnricherDeps, type KeyedEvent } from './enrich.js';
export { IncidentError, type IncidentErrorCode } from './errors.js';
export type { DraftPublisher, IncidentAwsPorts } from './ports.js';
export { createFailureProcessor, DEFAULT_CLAIM_LEASE_SECONDS, type FailureProcessor, type FailureProcessorDeps, type ProcessInput, type ProcessResult } from './processor.js';
export { draftOutboxId, INCIDENT_COMPLETE_DRAFT_KIND, INCIDENT_DRAFT_KIND, type IncidentChannel, monitoringTopicChannel, outboxChannel, outboxDraftPublisher, snsDraftPublisher } from './publishers.js';
export { createEventIntake, EVENT_BATCH_WINDOW_MS, EVENT_QUIET_MS, type EventIntake, type IncidentOutboxLanes, type IncidentOutboxOptions, incidentOutboxLanes, PATCH_EVENT_KIND, PATCH_OBSERVATION_KIND } from './standalone.js';
export {
  createIncidentUpserter,
  type IncidentUpserter,
  type IncidentUpserterDeps,
  incidentLockTtlSeconds,
  type ResolveOutcome,
  type UpsertAction,
  type UpsertResult,
} from './upsert.js';
export { createEventReceiver, type DeliveryOutcome, type EventReceiver } from './receiver.js';
export {
  createResolutionPlanner,
  INCIDENT_RESOLVE_KIND,
  isResolveRequestShape,
  outboxResolveQueue,
  parseResolveRequest,
  type ResolutionPlanner,
  type ResolutionPlannerDeps,
  type ResolveQueue,
  type SnapshotEvidence,
  snsResolveQueue,
} from './resolution.js';
