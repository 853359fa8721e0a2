import { AppError } from '../../core/errors.js';

export type IncidentErrorCode =
  /** Another listener holds this incident key right now; try again shortly. */
  | 'INCIDENT_BUSY'
  /** A message on the monitoring topic is not a draft this version understands. */
  | 'INVALID_DRAFT'
  /** The execution the event names no longer exists in AWS (expired history). */
  | 'EXECUTION_NOT_FOUND';

/** Failures of the incident flow itself (AWS and ServiceNow failures keep their own types). */
export class IncidentError extends AppError<IncidentErrorCode> {
  constructor(code: IncidentErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, { ...options, retryable: code === 'INCIDENT_BUSY' });
  }
}
