/**
 * The AWS ports the flows depend on. Plain camelCase records, never SDK types,
 * so flows and their fakes do not import the AWS SDK.
 *
 * Every method takes an `AwsContext` first: it selects the account (and so the
 * assumed role) and the region the call goes to.
 *
 * Every method rejects only with `AwsError` (see `errors.ts`).
 */

import type { InstancePatchCounts } from '../domain/index.js';

/** Which account (and so which role) and which region a call is for. */
export interface AwsContext {
  readonly accountId: string;
  readonly region: string;
}

// ---------------------------------------------------------------------------
// Shared record types
// ---------------------------------------------------------------------------

/**
 * An SSM target, exactly as SSM spells it: `{ key: 'InstanceIds', values: [...] }`,
 * `{ key: 'tag:Patch Group', values: ['web'] }`, `{ key: 'resource-groups:Name', values: [...] }`.
 * SSM allows at most 5 targets and 50 instance ids per `InstanceIds` target.
 */
export interface PatchTarget {
  readonly key: string;
  readonly values: readonly string[];
}

/** Run Command statuses (command and invocation level). */
export type CommandStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'Cancelling'
  | 'TimedOut'
  | 'Failed';

/** Automation execution statuses. */
export type AutomationStatus =
  | 'Pending'
  | 'InProgress'
  | 'Waiting'
  | 'Success'
  | 'TimedOut'
  | 'Cancelling'
  | 'Cancelled'
  | 'Failed'
  | 'PendingApproval'
  | 'Approved'
  | 'Rejected'
  | 'Scheduled'
  | 'RunbookInProgress'
  | 'PendingChangeCalendarOverride'
  | 'ChangeCalendarOverrideApproved'
  | 'ChangeCalendarOverrideRejected'
  | 'CompletedWithSuccess'
  | 'CompletedWithFailure'
  | 'Exited';

/** A status folded to what flows decide on. */
export type RunPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled';

export type SnsNotificationEvent = 'All' | 'InProgress' | 'Success' | 'TimedOut' | 'Cancelled' | 'Failed';

export interface CommandNotification {
  readonly topicArn: string;
  /** The role SSM assumes to publish; required by SendCommand when a topic is set. */
  readonly serviceRoleArn: string;
  /** Default `['All']`. */
  readonly events?: readonly SnsNotificationEvent[];
  /** `Command` = one message per command status change; `Invocation` (default) = one per instance. */
  readonly type?: 'Command' | 'Invocation';
}

// ---------------------------------------------------------------------------
// Patch execution
// ---------------------------------------------------------------------------

export interface StartPatchRunInput {
  /**
   * Idempotency token (a UUID; SSM requires the 36-character UUID form).
   * Same token + same parameters returns the first execution's id; same token with
   * different parameters fails with `AwsError('IDEMPOTENCY_MISMATCH')`.
   */
  readonly clientToken: string;
  /** Runbook name or ARN; defaults to the adapter's configured runbook. */
  readonly documentName?: string;
  readonly documentVersion?: string;
  readonly parameters?: Readonly<Record<string, readonly string[]>>;
  /** Rate-control targets; with them set `targetParameterName` (usually `InstanceId`). */
  readonly targets?: readonly PatchTarget[];
  readonly targetParameterName?: string;
  readonly maxConcurrency?: string;
  readonly maxErrors?: string;
  /** At most 50 tags (AWS limit), e.g. `{ ChangeRequest: 'CHG0012345' }`. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface StartPatchRunOptions {
  /**
   * `StartAutomationExecution` is never called after this instant (the end of the
   * change that authorised the run, or what the caller can wait). When the 1 TPS
   * queue would only reach the call later, or it is already later, `startPatchRun`
   * throws `AwsError('THROTTLED')` at once, without calling SSM.
   */
  readonly notAfter?: Date;
}

export interface SendPatchCommandInput {
  readonly targets: readonly PatchTarget[];
  readonly operation: 'Scan' | 'Install';
  readonly rebootOption?: 'RebootIfNeeded' | 'NoReboot';
  /** Pins the baseline snapshot so every instance installs the same patch set. */
  readonly snapshotId?: string;
  readonly installOverrideList?: string;
  /** E.g. `'10%'` or `'5'`. */
  readonly maxConcurrency: string;
  /** E.g. `'5%'` or `'0'`. */
  readonly maxErrors: string;
  /** Names the change; SSM caps a Comment at 100 characters, so it is truncated. */
  readonly comment: string;
  readonly notification?: CommandNotification;
  readonly timeoutSeconds?: number;
  readonly outputS3?: { readonly bucketName: string; readonly keyPrefix?: string };
  readonly cloudWatchOutput?: { readonly logGroupName?: string };
}

export type RunRef =
  | { readonly kind: 'automation'; readonly executionId: string }
  | { readonly kind: 'command'; readonly commandId: string };

/**
 * The values `ListCommandInvocations` takes in its `Status` filter (API reference,
 * `CommandFilter`). `TimedOut` covers delivery and execution time-outs.
 */
export const INVOCATION_FILTER_STATUSES = [
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'Failed',
  'TimedOut',
  'AccessDenied',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
  'Undeliverable',
  'InvalidPlatform',
  'Terminated',
] as const;

export type InvocationFilterStatus = (typeof INVOCATION_FILTER_STATUSES)[number];

export interface CommandInvocation {
  readonly commandId: string;
  readonly instanceId: string;
  readonly instanceName?: string;
  readonly status: CommandStatus;
  /** Finer status, e.g. `DeliveryTimedOut`, `ExecutionTimedOut`, `Undeliverable`, `Failed`. */
  readonly statusDetails: string;
  readonly documentName: string;
  readonly comment?: string;
  readonly requestedAt?: Date;
  /** Plugin-level detail, present when invocations were listed with details. */
  readonly plugins?: readonly {
    readonly name: string;
    readonly status: CommandStatus;
    readonly statusDetails: string;
    readonly responseCode?: number;
    readonly startedAt?: Date;
    readonly endedAt?: Date;
    /** The first 2,500 characters of stdout, as SSM returns them. */
    readonly output?: string;
  }[];
  readonly stdoutUrl?: string;
  readonly stderrUrl?: string;
}

export interface RunStatus {
  readonly ref: RunRef;
  readonly phase: RunPhase;
  /** The raw SSM status (`AutomationStatus` or `CommandStatus`). */
  readonly status: string;
  readonly statusDetails?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly failureMessage?: string;
  readonly documentName?: string;
  /** Commands the run issued (for an automation: those of its `aws:runCommand` steps). */
  readonly commandIds: readonly string[];
  /** Every invocation of those commands, all pages. */
  readonly invocations: readonly CommandInvocation[];
  /** Command-level counts where SSM reports them. */
  readonly counts?: {
    readonly targets: number;
    readonly completed: number;
    readonly errors: number;
    readonly deliveryTimedOut: number;
  };
}

/** Drives patching: ad hoc runbook runs and Run Command `AWS-RunPatchBaseline`. */
export interface PatchExecution {
  /**
   * `StartAutomationExecution` of the patch runbook. Throttled to 1 call per second
   * per account+region (the AWS limit for this API) by a token bucket shared by all
   * callers of this adapter instance.
   */
  startPatchRun(ctx: AwsContext, input: StartPatchRunInput, options?: StartPatchRunOptions): Promise<{ executionId: string }>;
  /** `SendCommand` of `AWS-RunPatchBaseline`. */
  sendPatchCommand(ctx: AwsContext, input: SendPatchCommandInput): Promise<{ commandId: string }>;
  /**
   * `GetAutomationExecution` / `ListCommands`, plus every page of `ListCommandInvocations`.
   * `maxWaitMs`: the longest the first call waits for its slot in the process's SSM quota
   * (`GetAutomationExecution` 3 TPS); past it the read fails `THROTTLED` without reaching SSM.
   */
  getRunStatus(ctx: AwsContext, ref: RunRef, options?: { withDetails?: boolean; maxWaitMs?: number }): Promise<RunStatus>;
  /** `StopAutomationExecution` (type Cancel) or `CancelCommand`. Cancelling a finished run is a no-op. */
  cancelRun(ctx: AwsContext, ref: RunRef): Promise<void>;
}

// ---------------------------------------------------------------------------
// Fleet inventory / enrichment / compliance
// ---------------------------------------------------------------------------

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';
export type PlatformType = 'Windows' | 'Linux' | 'MacOS';

export interface ManagedInstance {
  readonly instanceId: string;
  readonly pingStatus: PingStatus;
  readonly lastPingAt?: Date;
  readonly platformType?: PlatformType;
  readonly platformName?: string;
  readonly platformVersion?: string;
  readonly agentVersion?: string;
  readonly isLatestVersion?: boolean;
  /** `EC2Instance` or `ManagedInstance` (hybrid, `mi-…`). */
  readonly resourceType?: string;
  readonly computerName?: string;
  readonly ipAddress?: string;
  /** Hybrid activation name. */
  readonly name?: string;
  readonly iamRole?: string;
  readonly registeredAt?: Date;
  readonly associationStatus?: string;
  readonly lastAssociationExecutionAt?: Date;
}

/** Filters for `DescribeInstanceInformation` (`Filters`, not the deprecated `InstanceInformationFilterList`). */
export interface InstanceFilter {
  readonly instanceIds?: readonly string[];
  readonly pingStatus?: readonly PingStatus[];
  readonly platformTypes?: readonly PlatformType[];
  readonly resourceTypes?: readonly string[];
  /** Tag filters, `{ 'Patch Group': ['web'] }`. */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
}

/** SSM's `InstancePatchState`; the counters are the domain's (`InstancePatchCounts`). */
export interface InstancePatchState extends InstancePatchCounts {
  readonly instanceId: string;
  readonly patchGroup: string;
  readonly baselineId: string;
  readonly snapshotId?: string;
  readonly installOverrideList?: string;
  readonly ownerInformation?: string;
  readonly operation: 'Scan' | 'Install';
  readonly operationStartAt: Date;
  readonly operationEndAt: Date;
  readonly rebootOption?: 'RebootIfNeeded' | 'NoReboot';
  readonly lastNoRebootInstallOperationAt?: Date;
  readonly unreportedNotApplicableCount: number;
  /** Security updates available but not approved by the baseline. */
  readonly availableSecurityUpdateCount?: number;
}

export interface PatchGroupInfo {
  readonly patchGroup: string;
  readonly baselineId: string;
  readonly baselineName?: string;
  readonly operatingSystem?: string;
  readonly baselineDescription?: string;
  readonly defaultBaseline?: boolean;
}

export type ComplianceSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNSPECIFIED';

/** Patch compliance states as SSM reports them in `Details.PatchState`. */
export type PatchState =
  | 'Installed'
  | 'InstalledOther'
  | 'InstalledPendingReboot'
  | 'InstalledRejected'
  | 'Missing'
  | 'Failed'
  | 'NotApplicable';

export interface ComplianceItem {
  readonly resourceId: string;
  readonly complianceType: string;
  /** For patches: the patch id, e.g. `KB5031356` or `openssl.x86_64:0:3.0.8-1.amzn2023`. */
  readonly id: string;
  readonly title: string;
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT';
  readonly severity: ComplianceSeverity;
  readonly executionAt?: Date;
  readonly executionId?: string;
  readonly executionType?: string;
  /** `Details.Classification`, e.g. `SecurityUpdates`, `Security`, `Bugfix`. */
  readonly classification?: string;
  /** `Details.PatchSeverity`, vendor severity, e.g. `Critical`, `Important`. */
  readonly patchSeverity?: string;
  readonly patchState?: PatchState;
  readonly installedAt?: Date;
  readonly cveIds?: readonly string[];
  /** Every `Details` entry, untouched. */
  readonly details: Readonly<Record<string, string>>;
}

export interface CommandOutput {
  readonly commandId: string;
  readonly instanceId: string;
  readonly status: CommandStatus;
  readonly statusDetails: string;
  readonly responseCode: number;
  readonly executionStartedAt?: Date;
  readonly executionEndedAt?: Date;
  /** The tail of stdout/stderr, trimmed to `maxChars` (SSM itself returns at most 24,000 / 8,000). */
  readonly stdoutExcerpt: string;
  readonly stderrExcerpt: string;
  readonly stdoutUrl?: string;
  readonly stderrUrl?: string;
}

/** Instance tags: instanceId → (key → value). Instances with no tags map to `{}`. */
export type InstanceTags = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** Reads the fleet for enrichment, snapshots and reports. */
export interface FleetInventory {
  /** Every page of `DescribeInstanceInformation`, collected. For large fleets prefer `instancePages`. */
  describeInstances(ctx: AwsContext, filter?: InstanceFilter): Promise<ManagedInstance[]>;
  /** Pages of `DescribeInstanceInformation` (up to 50 each) as they arrive. */
  instancePages(ctx: AwsContext, filter?: InstanceFilter): AsyncIterable<readonly ManagedInstance[]>;
  /**
   * `DescribeInstancePatchStates`, batched 50 ids per call (the AWS limit).
   * Instances SSM has no state for are absent from the result.
   */
  describePatchStates(ctx: AwsContext, instanceIds: readonly string[]): Promise<InstancePatchState[]>;
  /** Every page of `DescribeInstancePatchStatesForPatchGroup`. */
  patchStatesForGroup(ctx: AwsContext, patchGroup: string): Promise<InstancePatchState[]>;
  /** Every page of `DescribePatchGroups`. */
  patchGroups(ctx: AwsContext): Promise<PatchGroupInfo[]>;
  /**
   * `ListComplianceItems` of type `Patch`, one resource per call (an API constraint),
   * run with bounded parallelism. Every id in `instanceIds` is a key of the result.
   */
  complianceItems(
    ctx: AwsContext,
    instanceIds: readonly string[],
    options?: { statuses?: readonly ('COMPLIANT' | 'NON_COMPLIANT')[]; complianceType?: string },
  ): Promise<ReadonlyMap<string, readonly ComplianceItem[]>>;
  /** `GetCommandInvocation` with stdout/stderr trimmed to an excerpt (default 4,000 chars each, keeping the tail). */
  commandOutput(
    ctx: AwsContext,
    commandId: string,
    instanceId: string,
    options?: { pluginName?: string; maxChars?: number },
  ): Promise<CommandOutput>;
  /**
   * Every page of `ListCommandInvocations` for one command; with `status`, only
   * the invocations SSM's `Status` filter matches (`TimedOut` covers delivery and
   * execution time-outs).
   */
  listCommandInvocations(
    ctx: AwsContext,
    commandId: string,
    options?: { instanceId?: string; withDetails?: boolean; status?: InvocationFilterStatus },
  ): Promise<CommandInvocation[]>;
  /**
   * One `ListCommandInvocations` call: the first page (up to 50) of a command's
   * invocations, and whether that was all of them (no `NextToken`).
   */
  firstCommandInvocations(ctx: AwsContext, commandId: string, options?: { withDetails?: boolean }): Promise<{ invocations: CommandInvocation[]; complete: boolean }>;
  /**
   * Tags through the Resource Groups Tagging API `GetResources` (100 ARNs per call),
   * never one call per instance. Handles `i-…` (EC2) and `mi-…` (SSM managed instance).
   */
  tags(ctx: AwsContext, instanceIds: readonly string[]): Promise<InstanceTags>;
}

// ---------------------------------------------------------------------------
// Maintenance windows
// ---------------------------------------------------------------------------

export interface MaintenanceWindow {
  readonly windowId: string;
  readonly name: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly schedule: string;
  readonly scheduleTimezone?: string;
  readonly scheduleOffset?: number;
  readonly durationHours: number;
  readonly cutoffHours: number;
  readonly allowUnassociatedTargets?: boolean;
  /** ISO-8601 as SSM keeps them (strings, not timestamps). */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly nextExecutionTime?: string;
  readonly createdAt?: Date;
  readonly modifiedAt?: Date;
}

export type WindowExecutionStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESS'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'CANCELLING'
  | 'CANCELLED'
  | 'SKIPPED_OVERLAPPING';

export interface WindowExecution {
  readonly windowExecutionId: string;
  /** Empty from `getExecution`: `GetMaintenanceWindowExecution` does not return it. */
  readonly windowId: string;
  readonly status: WindowExecutionStatus;
  readonly statusDetails?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly taskIds: readonly string[];
}

export interface WindowExecutionTask {
  readonly windowExecutionId: string;
  readonly taskExecutionId: string;
  readonly taskArn: string;
  readonly taskType: 'RUN_COMMAND' | 'AUTOMATION' | 'STEP_FUNCTIONS' | 'LAMBDA';
  readonly status: WindowExecutionStatus;
  readonly statusDetails?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
}

export interface WindowTaskInvocation {
  readonly windowExecutionId: string;
  readonly taskExecutionId: string;
  readonly invocationId: string;
  /** The Run Command id or automation execution id this invocation started. */
  readonly executionId?: string;
  readonly taskType: string;
  readonly status: WindowExecutionStatus;
  readonly statusDetails?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly ownerInformation?: string;
  readonly windowTargetId?: string;
}

export interface CalendarState {
  readonly state: 'OPEN' | 'CLOSED';
  readonly atTime: string;
  readonly nextTransitionTime?: string;
}

/** Reads and gates maintenance windows. */
export interface MaintenanceWindows {
  /** `GetMaintenanceWindow`; `AwsError('NOT_FOUND')` if absent. */
  get(ctx: AwsContext, windowId: string): Promise<MaintenanceWindow>;
  /** Every page of `DescribeMaintenanceWindows`. */
  list(ctx: AwsContext, filter?: { name?: string; enabled?: boolean }): Promise<MaintenanceWindow[]>;
  /**
   * `UpdateMaintenanceWindow` with `Enabled` and optionally a start/end date
   * (ISO-8601; `null` clears it). Returns the window after the update.
   */
  setEnabled(
    ctx: AwsContext,
    windowId: string,
    enabled: boolean,
    options?: { startDate?: string | null; endDate?: string | null },
  ): Promise<MaintenanceWindow>;
  /** `GetMaintenanceWindowExecution` (its `windowId` is empty: SSM does not return it). */
  getExecution(ctx: AwsContext, windowExecutionId: string): Promise<WindowExecution>;
  /** Every page of `DescribeMaintenanceWindowExecutions` for a window, newest first. */
  listExecutions(ctx: AwsContext, windowId: string): Promise<WindowExecution[]>;
  /** `DescribeMaintenanceWindowExecutionTasks`. */
  executionTasks(ctx: AwsContext, windowExecutionId: string): Promise<WindowExecutionTask[]>;
  /** Every page of `DescribeMaintenanceWindowExecutionTaskInvocations`, for one task or (without `taskExecutionId`) all of them. */
  taskInvocations(ctx: AwsContext, windowExecutionId: string, taskExecutionId?: string): Promise<WindowTaskInvocation[]>;
  /** `CancelMaintenanceWindowExecution`. */
  cancelExecution(ctx: AwsContext, windowExecutionId: string): Promise<void>;
  /** Change Calendar `GetCalendarState` (OPEN only if every calendar is open). */
  calendarState(ctx: AwsContext, calendarNames: readonly string[], atTime?: Date): Promise<CalendarState>;
}

// ---------------------------------------------------------------------------
// SNS, Secrets Manager, STS
// ---------------------------------------------------------------------------

export type MessageAttributeValue = string | number | readonly string[];

export interface Publisher {
  /**
   * SNS `Publish`. The topic ARN must belong to `ctx`'s account and region.
   * `subject` is cut to SNS's 100-character limit; a message over 256 KiB is rejected
   * with `AwsError('INVALID_INPUT')` before any call.
   */
  publish(
    ctx: AwsContext,
    topicArn: string,
    subject: string,
    message: string,
    attributes?: Readonly<Record<string, MessageAttributeValue>>,
  ): Promise<{ messageId: string }>;
}

export interface SecretReader {
  /**
   * The secret's `SecretString` parsed as JSON, cached for `maxAgeSeconds`
   * (default 300). Validate the result with a schema; it is `unknown` on purpose.
   * The secret value never appears in an error or log.
   */
  getJson(ctx: AwsContext, secretId: string, options?: { maxAgeSeconds?: number; forceFetch?: boolean }): Promise<unknown>;
  /** The raw `SecretString`, cached like `getJson`. */
  getString(ctx: AwsContext, secretId: string, options?: { maxAgeSeconds?: number; forceFetch?: boolean }): Promise<string>;
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** STS `GetCallerIdentity` through the same credentials every other call for `ctx` uses. */
export interface IdentityProbe {
  whoAmI(ctx: AwsContext): Promise<CallerIdentity>;
}

/** Every AWS port, as `createAwsAdapters` returns them. */
export interface AwsPorts {
  readonly patchExecution: PatchExecution;
  readonly inventory: FleetInventory;
  readonly windows: MaintenanceWindows;
  readonly publisher: Publisher;
  readonly secrets: SecretReader;
  readonly identity: IdentityProbe;
}
