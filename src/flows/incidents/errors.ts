import { DeclaredError, type ErrorSpecs, spec } from '../../core/index.js';

export type IncidentErrorCode =
  /** Another listener holds this incident key right now; try again shortly. */
  | 'INCIDENT_BUSY'
  /** Another processor holds this patch event unfinished; retry once it publishes it or its lease lapses. */
  | 'EVENT_BUSY'
  /** A message on the monitoring topic is not a draft this version understands. */
  | 'INVALID_DRAFT'
  /** The execution the event names no longer exists in AWS (expired history). */
  | 'EXECUTION_NOT_FOUND';

export const INCIDENT_ERRORS: ErrorSpecs<IncidentErrorCode> = {
  INCIDENT_BUSY: spec(503, 'now'),
  EVENT_BUSY: spec(503, 'now'),
  INVALID_DRAFT: spec(400, 'never'),
  EXECUTION_NOT_FOUND: spec(404, 'never'),
};

/** Failures of the incident flow itself (AWS and ServiceNow failures keep their own types). */
export class IncidentError extends DeclaredError(INCIDENT_ERRORS) {}
