export { createIncidentFlows, type IncidentFlowDeps, type IncidentFlowOptions, type IncidentFlows, incidentPolicyFromConfig } from './compose.js';
export { incidentDraftSchema, parseIncidentDraft } from './draft-schema.js';
export { createIncidentEnricher, type EnrichedDraft, type EnrichResult, type IncidentEnricher, type IncidentEnricherDeps, type KeyedEvent } from './enrich.js';
export { IncidentError, type IncidentErrorCode } from './errors.js';
export type { DraftPublisher, IncidentAwsPorts } from './ports.js';
export { createFailureProcessor, type FailureProcessor, type FailureProcessorDeps, type ProcessInput, type ProcessResult } from './processor.js';
export { draftOutboxId, INCIDENT_DRAFT_KIND, outboxDraftPublisher, snsDraftPublisher } from './publishers.js';
export { createEventIntake, type EventIntake, type IncidentOutboxOptions, incidentOutboxHandlers, PATCH_EVENT_KIND } from './standalone.js';
export { createIncidentUpserter, type IncidentUpserter, type IncidentUpserterDeps, type UpsertAction, type UpsertResult } from './upsert.js';
