import type { WindowExecutionStatus } from '../../aws/index.js';
import type { Deliveries } from './deliveries.js';
import type { Fleet, InvocationOutcome, SimTarget } from './fleet.js';
import type { EventScope } from './notifications.js';
import type { Rng } from './random.js';
import type { SimScheduler } from './scheduler.js';

export type CommandStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'Cancelling' | 'TimedOut' | 'Failed';

export interface NotificationSpec {
  readonly topicArn: string;
  readonly events: readonly string[];
  readonly type: 'Command' | 'Invocation';
}

export interface SimInvocation {
  readonly instanceId: string;
  readonly instanceName: string;
  status: CommandStatus;
  statusDetails: string;
  readonly requestedAt: number;
  startAt?: number;
  endAt?: number;
  responseCode: number;
  stdout: string;
  stderr: string;
  readonly pluginName: string;
}

export interface SimCommand {
  readonly commandId: string;
  readonly scope: EventScope;
  readonly documentName: string;
  readonly documentVersion: string;
  readonly comment: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  /** Ids named in the request (`InstanceIds`), empty when tags were targeted. */
  readonly requestedInstanceIds: readonly string[];
  readonly targets: readonly SimTarget[];
  readonly requestedAt: number;
  readonly expiresAt: number;
  status: CommandStatus;
  statusDetails: string;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly timeoutSeconds: number;
  readonly serviceRoleArn?: string;
  readonly notification?: NotificationSpec;
  readonly outputS3BucketName?: string;
  readonly outputS3KeyPrefix?: string;
  readonly cloudWatchLogGroup?: string;
  readonly invocations: SimInvocation[];
  readonly byInstance: Map<string, SimInvocation>;
  errorCount: number;
  completedCount: number;
  deliveryTimedOutCount: number;
  cancelRequested: boolean;
  /** Called once, when the command reaches a terminal status. */
  readonly onDone: ((command: SimCommand) => void)[];
}

export interface SimStep {
  readonly stepExecutionId: string;
  readonly stepName: string;
  readonly action: string;
  status: string;
  startAt?: number;
  endAt?: number;
  readonly inputs: Record<string, string>;
  outputs: Record<string, string[]>;
  failureMessage?: string;
}

export interface SimAutomation {
  readonly executionId: string;
  readonly scope: EventScope;
  readonly documentName: string;
  readonly documentVersion: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly targets: readonly SimTarget[];
  readonly targetParameterName?: string;
  readonly maxConcurrency?: string;
  readonly maxErrors?: string;
  readonly tags: readonly { Key: string; Value: string }[];
  readonly executedBy: string;
  readonly startAt: number;
  status: string;
  endAt?: number;
  failureMessage?: string;
  readonly steps: SimStep[];
  commandId?: string;
  cancelRequested: boolean;
  readonly onDone: ((automation: SimAutomation) => void)[];
}

/** SSM's `MaintenanceWindowExecutionStatus`: one list for the simulator and the adapters that read it. */
export type WindowStatus = WindowExecutionStatus;

export interface SimTaskInvocation {
  readonly invocationId: string;
  executionId?: string;
  readonly taskType: string;
  readonly parameters: string;
  status: WindowStatus;
  statusDetails?: string;
  startAt?: number;
  endAt?: number;
  readonly ownerInformation?: string;
  readonly windowTargetId?: string;
}

export interface SimTaskExecution {
  readonly taskExecutionId: string;
  readonly windowTaskId: string;
  readonly taskArn: string;
  readonly taskType: 'RUN_COMMAND' | 'AUTOMATION' | 'LAMBDA' | 'STEP_FUNCTIONS';
  status: WindowStatus;
  statusDetails?: string;
  startAt?: number;
  endAt?: number;
  readonly invocations: SimTaskInvocation[];
}

export interface SimWindowExecution {
  readonly windowExecutionId: string;
  readonly windowId: string;
  status: WindowStatus;
  statusDetails?: string;
  readonly startAt: number;
  endAt?: number;
  readonly tasks: SimTaskExecution[];
  cancelRequested: boolean;
  /** Commands / automations started by the task now running, to cancel on request. */
  readonly running: { commands: Set<string>; automations: Set<string> };
}

/** Everything SSM keeps for one account in one region. */
export interface AccountState {
  readonly scope: EventScope;
  readonly fleet: Fleet;
  readonly commands: Map<string, SimCommand>;
  /** Newest first, as ListCommands returns them. */
  readonly commandList: SimCommand[];
  readonly automations: Map<string, SimAutomation>;
  readonly clientTokens: Map<string, { fingerprint: string; executionId: string }>;
  readonly windowExecutions: Map<string, SimWindowExecution>;
}

export interface LambdaInvocation {
  readonly accountId: string;
  readonly region: string;
  readonly functionArn: string;
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly taskExecutionId: string;
  readonly windowTaskId: string;
  readonly payload?: string;
}

/** A maintenance-window LAMBDA task. Throwing fails the task. */
export type LambdaHandler = (event: LambdaInvocation) => void | Promise<void>;

export interface SimCalendar {
  readonly defaultState: 'OPEN' | 'CLOSED';
  /** Periods in which the calendar is in the opposite of its default state. */
  readonly events: readonly { readonly start: number; readonly end: number }[];
}

/** The shared machinery every handler works with. */
export interface SimCore {
  readonly seed: number | string;
  readonly rng: Rng;
  readonly scheduler: SimScheduler;
  readonly deliveries: Deliveries;
  state(accountId: string, region: string): AccountState;
  readonly lambdas: Map<string, LambdaHandler>;
  readonly calendars: Map<string, SimCalendar>;
  /** Per-instance outcome overrides set through the sim's API. */
  readonly forcedOutcomes: Map<string, InvocationOutcome>;
  /** Topic and type for commands an automation runbook issues (the runbook's prepopulated topic). */
  readonly automationNotification?: NotificationSpec;
  readonly onError: (err: unknown) => void;
  /** Registers work running outside the simulated timeline (LAMBDA handlers) so `settle` waits for it. */
  track(work: Promise<unknown>): void;
}
