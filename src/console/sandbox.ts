import type { Clock } from '../core/index.js';
import type { ChangeFlows } from '../flows/changes/index.js';
import type { AwsSim } from '../sim/aws/index.js';
import type { ServiceNowSim } from '../sim/servicenow/index.js';
import { CHANGE_STATE } from '../servicenow/index.js';

/** Patch groups whose windows the sandbox panel runs, two instances of each made to fail. */
export const SANDBOX_FAILING_GROUPS = ['web-prod', 'db-prod'] as const;
const FAILURES_PER_GROUP = 2;

export interface SandboxStatus {
  readonly change: { readonly number: string; readonly approval: string; readonly state: string };
  readonly accountId: string;
  readonly region: string;
  readonly patchGroups: readonly string[];
  /** ISO time until which the simulated ServiceNow answers 503, if it is down. */
  readonly servicenowDownUntil?: string;
}

/** What the console's sandbox panel can do to the bundled simulators. */
export interface SandboxDriver {
  status(): SandboxStatus;
  /**
   * Gates the windows of `SANDBOX_FAILING_GROUPS` with the sandbox change (as
   * ServiceNow would, through the change-gate flow: refused unless approved), makes
   * two Linux instances of each fail, and runs the windows now.
   */
  runLinuxWindow(): Promise<{ readonly executions: readonly { windowId: string; patchGroup: string; executionId: string }[]; readonly failingInstances: readonly string[] }>;
  setChange(action: 'approve' | 'reject' | 'cancel'): SandboxStatus;
  takeServiceNowDown(ms: number): SandboxStatus;
}

export function createSandboxDriver(deps: {
  aws: AwsSim;
  servicenow: ServiceNowSim;
  changeGates: ChangeFlows['changeGates'];
  change: { sysId: string; number: string };
  clock: Clock;
}): SandboxDriver {
  const { aws, servicenow, change, clock } = deps;
  const fleet = aws.fleet;
  let downUntil: number | undefined;

  const status = (): SandboxStatus => {
    const row = servicenow.state.get('change_request', change.sysId);
    const state = Number(row?.['state'] ?? NaN);
    const stateName = Object.entries(CHANGE_STATE).find(([, v]) => v === state)?.[0]?.toLowerCase() ?? String(row?.['state'] ?? '');
    const down = downUntil !== undefined && downUntil > clock.now().getTime();
    return {
      change: { number: change.number, approval: String(row?.['approval'] ?? ''), state: stateName },
      accountId: fleet.accountId,
      region: fleet.region,
      patchGroups: fleet.patchGroups,
      ...(down ? { servicenowDownUntil: new Date(downUntil ?? 0).toISOString() } : {}),
    };
  };

  return {
    status,
    async runLinuxWindow() {
      const executions: { windowId: string; patchGroup: string; executionId: string }[] = [];
      const failing: string[] = [];
      for (const group of SANDBOX_FAILING_GROUPS) {
        const window = fleet.windows.find((w) => w.targets.some((t) => t.targets.some((x) => x.values.includes(group))));
        if (!window) continue;
        const linux = fleet.instances.filter((i) => i.tags['Patch Group'] === group && i.pingStatus === 'Online' && !i.platform.startsWith('Windows')).slice(0, FAILURES_PER_GROUP);
        for (const i of linux) {
          aws.forceOutcome(i.instanceId, 'Failed');
          failing.push(i.instanceId);
        }
        await deps.changeGates.open({ windowId: window.windowId, accountId: fleet.accountId, region: fleet.region, changeRequest: change.number });
        const executionId = aws.runMaintenanceWindow(window.windowId, { accountId: fleet.accountId, region: fleet.region });
        if (executionId) executions.push({ windowId: window.windowId, patchGroup: group, executionId });
      }
      return { executions, failingInstances: failing };
    },
    setChange(action) {
      const values =
        action === 'approve'
          ? { approval: 'approved', state: String(CHANGE_STATE.SCHEDULED) }
          : action === 'reject'
            ? { approval: 'rejected' }
            : { state: String(CHANGE_STATE.CANCELED), active: 'false' };
      servicenow.state.update('change_request', change.sysId, values);
      return status();
    },
    takeServiceNowDown(ms) {
      const from = clock.now().getTime();
      downUntil = from + ms;
      servicenow.configure({ ...servicenow.knobs, outages: [...(servicenow.knobs.outages ?? []), { from, to: downUntil }] });
      return status();
    },
  };
}
