import { CHANGE_STATE } from '../../servicenow/index.js';
import { type SimRecord, type SimState, snDate } from './state.js';

type ChangeStateName = Lowercase<keyof typeof CHANGE_STATE>;

export interface ChangeSeed {
  /** Numeric state or its name; default `scheduled` (-2). */
  readonly state?: number | ChangeStateName;
  /** Default `approved`. */
  readonly approval?: string;
  /** Planned start/end; written as `YYYY-MM-DD HH:mm:ss` UTC. */
  readonly start?: Date;
  readonly end?: Date;
  readonly short_description?: string;
  readonly type?: string;
  /** Group sys_id or name. */
  readonly assignment_group?: string;
  readonly [field: string]: unknown;
}

/** Seeding helpers for tests and the sandbox; they write straight into state (no HTTP, not counted). */
export class SimSeeder {
  constructor(private readonly state: SimState) {}

  record(table: string, values: Readonly<Record<string, unknown>>): SimRecord {
    return this.state.insert(table, values);
  }

  user(values: { user_name: string; name?: string; email?: string; [field: string]: unknown }): SimRecord {
    return this.state.insert('sys_user', { name: values.user_name, ...values });
  }

  group(values: { name: string; description?: string; [field: string]: unknown }): SimRecord {
    return this.state.insert('sys_user_group', values);
  }

  /** A `cmdb_ci_vm_instance` CI; `name` defaults to the instance id. */
  ci(values: { object_id: string; name?: string; support_group?: string; [field: string]: unknown }): SimRecord {
    return this.state.insert('cmdb_ci_vm_instance', { name: values.object_id, ...values });
  }

  /** One CI per instance id, optionally all supported by one group (sys_id or name). */
  cisForInstances(instanceIds: readonly string[], options: { support_group?: string } = {}): SimRecord[] {
    return instanceIds.map((id) => this.ci({ object_id: id, ...(options.support_group ? { support_group: options.support_group } : {}) }));
  }

  /** A change request in any state/approval with a planned window. Defaults: Scheduled, approved. */
  changeRequest(seed: ChangeSeed = {}): SimRecord {
    const { state, approval, start, end, ...rest } = seed;
    const numeric =
      typeof state === 'number' ? state : CHANGE_STATE[(state ?? 'scheduled').toUpperCase() as keyof typeof CHANGE_STATE];
    return this.state.insert('change_request', {
      short_description: 'Patch window',
      ...rest,
      state: String(numeric),
      approval: approval ?? 'approved',
      ...(start ? { start_date: snDate(start) } : {}),
      ...(end ? { end_date: snDate(end) } : {}),
    });
  }

  incident(values: Readonly<Record<string, unknown>> = {}): SimRecord {
    return this.state.insert('incident', { short_description: 'Incident', ...values });
  }

  requestedItem(values: Readonly<Record<string, unknown>> = {}): SimRecord {
    return this.state.insert('sc_req_item', { short_description: 'Requested item', ...values });
  }
}
