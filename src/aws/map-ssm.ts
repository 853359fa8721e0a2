import type {
  AutomationExecution,
  Command,
  CommandInvocation as SdkCommandInvocation,
  ComplianceItem as SdkComplianceItem,
  InstanceInformation,
  InstancePatchState as SdkInstancePatchState,
  MaintenanceWindowExecutionTaskIdentity,
  MaintenanceWindowExecutionTaskInvocationIdentity,
  MaintenanceWindowIdentity,
  PatchGroupPatchBaselineMapping,
} from '@aws-sdk/client-ssm';
import type {
  CommandInvocation,
  CommandStatus,
  ComplianceItem,
  ComplianceSeverity,
  InstancePatchState,
  MaintenanceWindow,
  ManagedInstance,
  PatchGroupInfo,
  PatchState,
  PingStatus,
  PlatformType,
  RunPhase,
  WindowExecutionStatus,
  WindowExecutionTask,
  WindowTaskInvocation,
} from './ports.js';

/** The keys of `T` that are optional. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** `T` as the mappers build it: each optional property may also be present as `undefined` (an absent AWS field). */
export type Loose<T> = Omit<T, OptionalKeys<T>> & { [K in OptionalKeys<T>]?: T[K] | undefined };

/**
 * Copies only defined values, so a record never carries `key: undefined`: an
 * absent AWS field stays absent, as `exactOptionalPropertyTypes` holds `T` to.
 */
export function defined<T extends object>(value: Loose<T>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

const PHASES: Record<string, RunPhase> = {
  Pending: 'pending',
  Delayed: 'pending',
  Scheduled: 'pending',
  PendingApproval: 'pending',
  Approved: 'pending',
  PendingChangeCalendarOverride: 'pending',
  ChangeCalendarOverrideApproved: 'pending',
  InProgress: 'running',
  Waiting: 'running',
  RunbookInProgress: 'running',
  Cancelling: 'running',
  Success: 'succeeded',
  CompletedWithSuccess: 'succeeded',
  Failed: 'failed',
  CompletedWithFailure: 'failed',
  Rejected: 'failed',
  ChangeCalendarOverrideRejected: 'failed',
  Exited: 'failed',
  TimedOut: 'timed-out',
  Cancelled: 'cancelled',
};

/** Folds an SSM automation or command status into what flows decide on. Unknown statuses count as running. */
export function phaseOf(status: string | undefined): RunPhase {
  return (status !== undefined ? PHASES[status] : undefined) ?? 'running';
}

export function toManagedInstance(i: InstanceInformation): ManagedInstance {
  return defined({
    instanceId: i.InstanceId ?? '',
    pingStatus: (i.PingStatus ?? 'Inactive') as PingStatus,
    lastPingAt: i.LastPingDateTime,
    platformType: i.PlatformType as PlatformType | undefined,
    platformName: i.PlatformName,
    platformVersion: i.PlatformVersion,
    agentVersion: i.AgentVersion,
    isLatestVersion: i.IsLatestVersion,
    resourceType: i.ResourceType,
    computerName: i.ComputerName,
    ipAddress: i.IPAddress,
    name: i.Name,
    iamRole: i.IamRole,
    registeredAt: i.RegistrationDate,
    associationStatus: i.AssociationStatus,
    lastAssociationExecutionAt: i.LastAssociationExecutionDate,
  });
}

export function toPatchState(s: SdkInstancePatchState): InstancePatchState {
  return defined({
    instanceId: s.InstanceId ?? '',
    patchGroup: s.PatchGroup ?? '',
    baselineId: s.BaselineId ?? '',
    snapshotId: s.SnapshotId,
    installOverrideList: s.InstallOverrideList,
    ownerInformation: s.OwnerInformation,
    operation: s.Operation === 'Install' ? 'Install' : 'Scan',
    operationStartAt: s.OperationStartTime ?? new Date(0),
    operationEndAt: s.OperationEndTime ?? new Date(0),
    rebootOption: s.RebootOption,
    lastNoRebootInstallOperationAt: s.LastNoRebootInstallOperationTime,
    installedCount: s.InstalledCount ?? 0,
    installedOtherCount: s.InstalledOtherCount ?? 0,
    installedPendingRebootCount: s.InstalledPendingRebootCount ?? 0,
    installedRejectedCount: s.InstalledRejectedCount ?? 0,
    missingCount: s.MissingCount ?? 0,
    failedCount: s.FailedCount ?? 0,
    unreportedNotApplicableCount: s.UnreportedNotApplicableCount ?? 0,
    notApplicableCount: s.NotApplicableCount ?? 0,
    criticalNonCompliantCount: s.CriticalNonCompliantCount ?? 0,
    securityNonCompliantCount: s.SecurityNonCompliantCount ?? 0,
    otherNonCompliantCount: s.OtherNonCompliantCount ?? 0,
    availableSecurityUpdateCount: s.AvailableSecurityUpdateCount,
  });
}

export function toPatchGroup(m: PatchGroupPatchBaselineMapping): PatchGroupInfo {
  const b = m.BaselineIdentity;
  return defined({
    patchGroup: m.PatchGroup ?? '',
    baselineId: b?.BaselineId ?? '',
    baselineName: b?.BaselineName,
    operatingSystem: b?.OperatingSystem,
    baselineDescription: b?.BaselineDescription,
    defaultBaseline: b?.DefaultBaseline,
  });
}

const SEVERITIES = new Set<string>(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED']);
const PATCH_STATES = new Set<string>([
  'Installed',
  'InstalledOther',
  'InstalledPendingReboot',
  'InstalledRejected',
  'Missing',
  'Failed',
  'NotApplicable',
]);

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toComplianceItem(c: SdkComplianceItem): ComplianceItem {
  const details = c.Details ?? {};
  const state = details['PatchState'];
  const cves = details['CVEIds'];
  return defined({
    resourceId: c.ResourceId ?? '',
    complianceType: c.ComplianceType ?? '',
    id: c.Id ?? '',
    title: c.Title ?? '',
    status: c.Status === 'COMPLIANT' ? 'COMPLIANT' : 'NON_COMPLIANT',
    severity: (c.Severity !== undefined && SEVERITIES.has(c.Severity) ? c.Severity : 'UNSPECIFIED') as ComplianceSeverity,
    executionAt: c.ExecutionSummary?.ExecutionTime,
    executionId: c.ExecutionSummary?.ExecutionId,
    executionType: c.ExecutionSummary?.ExecutionType,
    classification: details['Classification'] || undefined,
    patchSeverity: details['PatchSeverity'] || undefined,
    patchState: state !== undefined && PATCH_STATES.has(state) ? (state as PatchState) : undefined,
    installedAt: parseDate(details['InstalledTime']),
    cveIds: cves ? cves.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    details: { ...details },
  });
}

export function toCommandInvocation(i: SdkCommandInvocation): CommandInvocation {
  return defined({
    commandId: i.CommandId ?? '',
    instanceId: i.InstanceId ?? '',
    instanceName: i.InstanceName || undefined,
    status: (i.Status ?? 'Pending') as CommandStatus,
    statusDetails: i.StatusDetails ?? '',
    documentName: i.DocumentName ?? '',
    comment: i.Comment || undefined,
    requestedAt: i.RequestedDateTime,
    plugins: i.CommandPlugins?.map((p) =>
      defined({
        name: p.Name ?? '',
        status: (p.Status ?? 'Pending') as CommandStatus,
        statusDetails: p.StatusDetails ?? '',
        responseCode: p.ResponseCode,
        startedAt: p.ResponseStartDateTime,
        endedAt: p.ResponseFinishDateTime,
        output: p.Output,
      }),
    ),
    stdoutUrl: i.StandardOutputUrl || undefined,
    stderrUrl: i.StandardErrorUrl || undefined,
  });
}

/** Command ids an automation's `aws:runCommand` steps issued, in step order. */
export function commandIdsOf(execution: AutomationExecution): string[] {
  const ids: string[] = [];
  for (const step of execution.StepExecutions ?? []) {
    for (const [key, values] of Object.entries(step.Outputs ?? {})) {
      if (key === 'CommandId' || key.endsWith('.CommandId')) ids.push(...values);
    }
  }
  return [...new Set(ids)];
}

export function commandCounts(c: Command) {
  return {
    targets: c.TargetCount ?? 0,
    completed: c.CompletedCount ?? 0,
    errors: c.ErrorCount ?? 0,
    deliveryTimedOut: c.DeliveryTimedOutCount ?? 0,
  };
}

export function toMaintenanceWindow(
  w: MaintenanceWindowIdentity & { CreatedDate?: Date | undefined; ModifiedDate?: Date | undefined; AllowUnassociatedTargets?: boolean | undefined },
): MaintenanceWindow {
  return defined({
    windowId: w.WindowId ?? '',
    name: w.Name ?? '',
    description: w.Description,
    enabled: w.Enabled ?? false,
    schedule: w.Schedule ?? '',
    scheduleTimezone: w.ScheduleTimezone,
    scheduleOffset: w.ScheduleOffset,
    durationHours: w.Duration ?? 0,
    cutoffHours: w.Cutoff ?? 0,
    allowUnassociatedTargets: w.AllowUnassociatedTargets,
    startDate: w.StartDate,
    endDate: w.EndDate,
    nextExecutionTime: w.NextExecutionTime,
    createdAt: w.CreatedDate,
    modifiedAt: w.ModifiedDate,
  });
}

export function toWindowTask(t: MaintenanceWindowExecutionTaskIdentity): WindowExecutionTask {
  return defined({
    windowExecutionId: t.WindowExecutionId ?? '',
    taskExecutionId: t.TaskExecutionId ?? '',
    taskArn: t.TaskArn ?? '',
    taskType: t.TaskType ?? 'RUN_COMMAND',
    status: (t.Status ?? 'PENDING') as WindowExecutionStatus,
    statusDetails: t.StatusDetails,
    startedAt: t.StartTime,
    endedAt: t.EndTime,
  });
}

export function toTaskInvocation(t: MaintenanceWindowExecutionTaskInvocationIdentity): WindowTaskInvocation {
  return defined({
    windowExecutionId: t.WindowExecutionId ?? '',
    taskExecutionId: t.TaskExecutionId ?? '',
    invocationId: t.InvocationId ?? '',
    executionId: t.ExecutionId || undefined,
    taskType: t.TaskType ?? '',
    status: (t.Status ?? 'PENDING') as WindowExecutionStatus,
    statusDetails: t.StatusDetails,
    startedAt: t.StartTime,
    endedAt: t.EndTime,
    ownerInformation: t.OwnerInformation,
    windowTargetId: t.WindowTargetId,
  });
}
