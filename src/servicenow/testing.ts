import type { Clock } from '../core/index.js';
import { parseServiceNowSecret } from './credentials.js';
import { CHANGE_STATE, type ChangeRequest, type CredentialSource, type ServiceNowCredentialsResolved } from './ports.js';

/**
 * A fake at the `CredentialSource` port standing in for a Secrets Manager secret
 * that gets rotated: `rotate()` changes what the *store* holds, while the source
 * keeps serving its cached copy until the client calls `refresh()` (after a 401).
 */
export interface RotatingCredentials {
  readonly source: CredentialSource;
  rotate(next: ServiceNowCredentialsResolved | Record<string, unknown>): void;
  /** How many times the store was read (initial read + refreshes). */
  readonly reads: number;
}

export function rotatingCredentials(initial: ServiceNowCredentialsResolved | Record<string, unknown>): RotatingCredentials {
  let stored = parseServiceNowSecret(initial);
  let cached: ServiceNowCredentialsResolved | undefined;
  let reads = 0;
  const read = async () => {
    reads++;
    cached = stored;
    return cached;
  };
  const get = async () => cached ?? read();
  const source: CredentialSource = Object.assign(get, { refresh: read });
  return {
    source,
    rotate(next) {
      stored = parseServiceNowSecret(next);
    },
    get reads() {
      return reads;
    },
  };
}

/**
 * A clock whose `sleep` returns at once after moving time forward, so retry
 * waits of seconds cost nothing in tests while still being measured. Share one
 * between the client and the simulator and the simulator sees the waits.
 */
export class SteppingClock implements Clock {
  #now: number;
  readonly sleeps: number[] = [];

  constructor(start: Date | string | number = '2026-01-01T00:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

/**
 * A change request as `getChangeRequest` returns one that patching may run under:
 * approved, active, in Implement, planned over `start_date`..`end_date`. A test fixture;
 * `values` override any field (a rejected approval, a closed state, another window).
 */
export function approvedChange(values: Partial<ChangeRequest> & Pick<ChangeRequest, 'start_date' | 'end_date'>): ChangeRequest {
  return {
    sys_id: 'c'.repeat(32),
    number: 'CHG0030001',
    state: CHANGE_STATE.IMPLEMENT,
    approval: 'approved',
    active: true,
    type: 'normal',
    short_description: 'patch',
    description: '',
    assignment_group: '',
    cmdb_ci: '',
    sys_updated_on: undefined,
    ...values,
  };
}
