/** Incident `state` values of a stock instance (the Table API returns them as strings). */
export const INCIDENT_STATE = {
  NEW: 1,
  IN_PROGRESS: 2,
  ON_HOLD: 3,
  RESOLVED: 6,
  CLOSED: 7,
  CANCELED: 8,
} as const;

/**
 * What a new failure for a correlation key does to the incident found for it:
 * an open incident is updated, a Resolved one is reopened (state In Progress)
 * with a note, and a Closed or Cancelled one (or none) is followed by a new one.
 * ServiceNow keeps a Resolved incident `active=true` until it is closed, so
 * `active` alone cannot tell "open" from "resolved".
 */
export type IncidentLifecycleAction = 'update' | 'reopen' | 'create';

/** The lifecycle rule of DESIGN.md "Correlation", shared by Table mode and the simulated transform map. */
export function incidentLifecycleAction(found: { readonly state: string | number; readonly active: boolean | string } | undefined): IncidentLifecycleAction {
  if (!found) return 'create';
  const state = Number(found.state);
  const active = found.active === true || found.active === 'true';
  if (!active || state === INCIDENT_STATE.CLOSED || state === INCIDENT_STATE.CANCELED) return 'create';
  return state === INCIDENT_STATE.RESOLVED ? 'reopen' : 'update';
}

/** The first line of the work note that reopens a Resolved incident. */
export const REOPEN_NOTE_PREFIX = 'patchbridge: reopened, because patching failed again after the incident was resolved.';
