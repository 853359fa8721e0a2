/**
 * Everything the app can be told, read once in `bin/app.ts` from CDK context
 * (`cdk deploy -c patchbridge:reportEmail=ops@example.com …`) and the CDK
 * environment, then passed down as `readonly` props. Stacks and constructs never
 * read context or `process.env` themselves.
 */

import { isId } from '../../src/domain/index.js';

/** The operating systems Patch Manager patches, as `AWS::SSM::PatchBaseline.OperatingSystem` spells them. */
export const LINUX_OPERATING_SYSTEMS = [
  'AMAZON_LINUX_2',
  'AMAZON_LINUX_2023',
  'REDHAT_ENTERPRISE_LINUX',
  'UBUNTU',
  'SUSE',
  'DEBIAN',
  'ORACLE_LINUX',
  'CENTOS',
  'ROCKY_LINUX',
  'ALMA_LINUX',
] as const;
export type LinuxOperatingSystem = (typeof LINUX_OPERATING_SYSTEMS)[number];
export type OperatingSystem = LinuxOperatingSystem | 'WINDOWS';

/** When patches are approved, in days after release. */
export interface ApprovalProps {
  /**
   * Security patches of the highest severities (Critical/Important; on Windows by MSRC severity).
   * @default 7
   */
  readonly criticalAfterDays?: number;
  /**
   * Every other approved patch: lower-severity security patches and bug fixes.
   * @default 14
   */
  readonly otherAfterDays?: number;
}

export interface PatchingProps {
  /**
   * Linux distributions that get a reference baseline.
   * @default every entry of `LINUX_OPERATING_SYSTEMS`
   */
  readonly linuxOperatingSystems?: readonly LinuxOperatingSystem[];
  /** @default criticalAfterDays 7, otherAfterDays 14 */
  readonly approval?: ApprovalProps;
  /**
   * `Patch Group` tag values patched by the Linux window and registered with every Linux baseline.
   * @default ['linux']
   */
  readonly linuxPatchGroups?: readonly string[];
  /**
   * `Patch Group` tag values patched by the Windows window and registered with the Windows baseline.
   * @default ['windows']
   */
  readonly windowsPatchGroups?: readonly string[];
  /**
   * Linux window schedule, an SSM `cron(…)` or `rate(…)` expression.
   * @default 'cron(0 3 ? * SUN *)' (Sundays 03:00)
   */
  readonly linuxSchedule?: string;
  /**
   * Windows window schedule.
   * @default 'cron(0 4 ? * SUN *)' (Sundays 04:00)
   */
  readonly windowsSchedule?: string;
  /**
   * IANA time zone of both window schedules.
   * @default 'Etc/UTC'
   */
  readonly scheduleTimezone?: string;
  /**
   * Window length in hours; no task starts in the last `cutoffHours`.
   * @default 4
   */
  readonly windowHours?: number;
  /** @default 1 */
  readonly cutoffHours?: number;
  /**
   * Also deploy the AWS Config managed rules for patch compliance and the `Patch Group`
   * required tag. They need an AWS Config recorder in the account and region.
   * @default false
   */
  readonly configRules?: boolean;
}

export interface StatefulProps {
  /**
   * Days `history/` snapshot objects are kept (reports read 30 of them).
   * @default 400
   */
  readonly historyRetentionDays?: number;
  /**
   * Days server access logs of the data bucket are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
}

export interface BridgeProps {
  /**
   * Address subscribed (by email) to the Reports topic; none when absent.
   * @default no subscription
   */
  readonly reportEmail?: string;
  /**
   * `PATCHBRIDGE_SNAPSHOT_CRON`: the daily compliance snapshot, 5-field cron, UTC.
   * @default '15 2 * * *'
   */
  readonly snapshotCron?: string;
  /**
   * `PATCHBRIDGE_REPORT_CRON`: the monthly compliance report, 5-field cron, UTC.
   * @default '0 6 1 * *'
   */
  readonly reportCron?: string;
  /**
   * `PATCHBRIDGE_SERVICENOW_URL`, e.g. `https://acme.service-now.com`. The credentials come from the secret.
   * @default unset (the secret's `instanceUrl`)
   */
  readonly serviceNowUrl?: string;
  /**
   * `PATCHBRIDGE_SERVICENOW_MAX_IN_FLIGHT`: requests one container sends ServiceNow at once.
   * The listener's SQS `maximumConcurrency` defaults to it, so the whole listener fleet
   * stays within the same budget per container count (see `queue-timings.ts`).
   * @default 4
   */
  readonly serviceNowMaxInFlight?: number;
  /**
   * `PATCHBRIDGE_SERVICENOW_MODE`.
   * @default 'import-set'
   */
  readonly serviceNowMode?: 'import-set' | 'table';
  /**
   * `PATCHBRIDGE_AWS_ACCOUNTS` for the bridge: the member accounts it manages (see `memberAccountsSetting`).
   * @default the bridge's own account only
   */
  readonly awsAccounts?: string;
  /**
   * `PATCHBRIDGE_AWS_REGIONS`.
   * @default the stack's region
   */
  readonly awsRegions?: string;
  /**
   * Member accounts whose maintenance windows invoke the guard, publish to PatchResults
   * and forward `aws.ssm` events to this account's default bus.
   * @default none
   */
  readonly memberAccountIds?: readonly string[];
  /**
   * API Gateway steady-state requests per second and burst.
   * @default 10 and 20
   */
  readonly apiRateLimit?: number;
  readonly apiBurstLimit?: number;
  /**
   * `PATCHBRIDGE_LOG_LEVEL` and `POWERTOOLS_LOG_LEVEL`.
   * @default 'info'
   */
  readonly logLevel?: string;
}

export interface MemberProps {
  /** The account that runs the bridge (assumes the member role, receives events). */
  readonly centralAccountId: string;
  /**
   * The external id the bridge presents when it assumes the member role. Not a secret,
   * but unique per customer (the confused-deputy guard).
   */
  readonly externalId: string;
  /**
   * The central region whose default bus receives `aws.ssm` events and whose guard runs.
   * @default the member stack's region
   */
  readonly centralRegion?: string;
  /**
   * Name of the role the bridge assumes.
   * @default 'patchbridge-member'
   */
  readonly roleName?: string;
}

export interface AppProps {
  /** Resource name prefix (SSM documents, secrets, role names). @default 'patchbridge' */
  readonly prefix: string;
  readonly env: { readonly account?: string; readonly region?: string };
  readonly stateful: StatefulProps;
  readonly patching: PatchingProps;
  readonly bridge: BridgeProps;
  /** When set, the app also synthesises `MemberAccountStack` (the StackSet template). */
  readonly member?: MemberProps;
}

type ContextReader = (key: string) => unknown;

function text(get: ContextReader, key: string): string | undefined {
  const v = get(`patchbridge:${key}`);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`context patchbridge:${key} must be a string`);
  return String(v);
}

function int(get: ContextReader, key: string, min: number, max: number): number | undefined {
  const v = text(get, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`context patchbridge:${key} must be an integer from ${min} to ${max}`);
  return n;
}

function list(get: ContextReader, key: string): string[] | undefined {
  const v = text(get, key);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function accountIds(get: ContextReader, key: string): string[] | undefined {
  const ids = list(get, key);
  for (const id of ids ?? []) if (!isId('accountId', id)) throw new Error(`context patchbridge:${key}: "${id}" is not a 12-digit account id`);
  return ids;
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * The app's props from context (`patchbridge:*` keys) and the CDK environment
 * (`CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`). Throws with the key's name on a bad value.
 */
export function readAppProps(get: ContextReader, env: Readonly<Record<string, string | undefined>>): AppProps {
  const os = list(get, 'linuxOperatingSystems');
  for (const o of os ?? []) {
    if (!(LINUX_OPERATING_SYSTEMS as readonly string[]).includes(o)) throw new Error(`context patchbridge:linuxOperatingSystems: unknown "${o}"`);
  }
  const central = text(get, 'centralAccountId');
  const externalId = text(get, 'externalId');
  if (central !== undefined && !isId('accountId', central)) throw new Error('context patchbridge:centralAccountId must be a 12-digit account id');
  if ((central === undefined) !== (externalId === undefined)) throw new Error('context patchbridge:centralAccountId and patchbridge:externalId go together');
  const mode = text(get, 'serviceNowMode');
  if (mode !== undefined && mode !== 'import-set' && mode !== 'table') throw new Error('context patchbridge:serviceNowMode must be import-set or table');
  return {
    prefix: text(get, 'prefix') ?? 'patchbridge',
    env: defined({ account: env['CDK_DEFAULT_ACCOUNT'], region: env['CDK_DEFAULT_REGION'] }),
    stateful: defined({ historyRetentionDays: int(get, 'historyRetentionDays', 31, 3650), accessLogRetentionDays: int(get, 'accessLogRetentionDays', 1, 3650) }),
    patching: defined({
      linuxOperatingSystems: os as LinuxOperatingSystem[] | undefined,
      approval: defined({ criticalAfterDays: int(get, 'criticalAfterDays', 0, 360), otherAfterDays: int(get, 'otherAfterDays', 0, 360) }),
      linuxPatchGroups: list(get, 'linuxPatchGroups'),
      windowsPatchGroups: list(get, 'windowsPatchGroups'),
      linuxSchedule: text(get, 'linuxSchedule'),
      windowsSchedule: text(get, 'windowsSchedule'),
      scheduleTimezone: text(get, 'scheduleTimezone'),
      windowHours: int(get, 'windowHours', 1, 24),
      cutoffHours: int(get, 'cutoffHours', 0, 23),
      configRules: text(get, 'configRules') === undefined ? undefined : text(get, 'configRules') === 'true',
    }),
    bridge: defined({
      reportEmail: text(get, 'reportEmail'),
      snapshotCron: text(get, 'snapshotCron'),
      reportCron: text(get, 'reportCron'),
      serviceNowUrl: text(get, 'serviceNowUrl'),
      serviceNowMaxInFlight: int(get, 'serviceNowMaxInFlight', 1, 32),
      serviceNowMode: mode as 'import-set' | 'table' | undefined,
      awsAccounts: text(get, 'awsAccounts'),
      awsRegions: text(get, 'awsRegions'),
      memberAccountIds: accountIds(get, 'memberAccountIds'),
      apiRateLimit: int(get, 'apiRateLimit', 1, 10_000),
      apiBurstLimit: int(get, 'apiBurstLimit', 1, 5_000),
      logLevel: text(get, 'logLevel'),
    }),
    ...(central !== undefined && externalId !== undefined
      ? { member: defined({ centralAccountId: central, externalId, centralRegion: text(get, 'centralRegion'), roleName: text(get, 'memberRoleName') }) }
      : {}),
  };
}
