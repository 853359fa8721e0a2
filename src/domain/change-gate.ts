/** Rules for a maintenance window's change authorisation. Pure. */

/** The part of a stored authorisation the rules read. */
export interface GateFacts {
  /** The change's planned window, ISO-8601, both ends inclusive. */
  readonly start: string;
  readonly end: string;
  readonly revoked: boolean;
}

export type GateState = 'open' | 'scheduled' | 'expired' | 'revoked' | 'none';

/** Where an authorisation stands at `now`; `none` when there is none. */
export function gateStateAt(gate: GateFacts | undefined, now: Date): GateState {
  if (!gate) return 'none';
  if (gate.revoked) return 'revoked';
  const t = now.getTime();
  if (t < Date.parse(gate.start)) return 'scheduled';
  if (t > Date.parse(gate.end)) return 'expired';
  return 'open';
}

/** Whether an unrevoked authorisation covers `now` (what the guard requires before ServiceNow is asked). */
export function gateCovers(gate: GateFacts | undefined, now: Date): boolean {
  return gateStateAt(gate, now) === 'open';
}
