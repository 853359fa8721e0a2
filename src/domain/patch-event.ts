/**
 * `PatchEvent`: the one shape every patch-result source is normalised into
 * (Run Command SNS notifications, EventBridge `aws.ssm` events, either of them
 * inside SQS or delivered by SNS over HTTPS). Pure types and rules, no I/O.
 */

/** Where the event came from, after unwrapping SQS / SNS envelopes. */
export type PatchEventSource = 'run-command-sns' | 'eventbridge';

/**
 * A status folded to what the incident flow decides on. `skipped` is a
 * maintenance-window execution that never ran (`SKIPPED_OVERLAPPING`).
 */
export type EventPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled' | 'skipped';

interface PatchEventBase {
  readonly source: PatchEventSource;
  /** 12-digit AWS account id. */
  readonly accountId: string;
  readonly region: string;
  /** When AWS says the status changed (ISO-8601 UTC). */
  readonly time: string;
  /** The status exactly as AWS spelled it (`Failed`, `TIMED_OUT`, `CompletedWithFailure` …). */
  readonly status: string;
  readonly phase: EventPhase;
  /** Id of the carrying message (SNS `MessageId` or EventBridge `id`), for tracing only. */
  readonly messageId?: string;
}

/** Run Command, command level. `instanceIds` is empty when the command targeted tags. */
export interface CommandEvent extends PatchEventBase {
  readonly kind: 'command';
  readonly commandId: string;
  readonly documentName: string;
  readonly instanceIds: readonly string[];
  readonly requestedAt?: string;
}

/** Run Command, one instance. */
export interface InvocationEvent extends PatchEventBase {
  readonly kind: 'invocation';
  readonly commandId: string;
  readonly documentName: string;
  readonly instanceId: string;
  readonly requestedAt?: string;
}

/** `Maintenance Window Execution State-change Notification`. */
export interface WindowExecutionEvent extends PatchEventBase {
  readonly kind: 'window-execution';
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
}

/** `Maintenance Window Task Execution State-change Notification`. */
export interface WindowTaskEvent extends PatchEventBase {
  readonly kind: 'window-task';
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly taskExecutionId: string;
}

/** `Maintenance Window Task Target Invocation State-change Notification`. */
export interface WindowTargetInvocationEvent extends PatchEventBase {
  readonly kind: 'window-target-invocation';
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly taskExecutionId: string;
  readonly windowTargetId?: string;
  readonly ownerInformation?: string;
}

/** `EC2 Automation Execution Status-change Notification`. */
export interface AutomationEvent extends PatchEventBase {
  readonly kind: 'automation';
  readonly executionId: string;
  readonly definition: string;
  readonly definitionVersion?: string;
  readonly executedBy?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
}

export type PatchEvent =
  | CommandEvent
  | InvocationEvent
  | WindowExecutionEvent
  | WindowTaskEvent
  | WindowTargetInvocationEvent
  | AutomationEvent;

export type PatchEventKind = PatchEvent['kind'];

const PHASE_BY_STATUS: Readonly<Record<string, EventPhase>> = {
  // Run Command (command and invocation level, incl. invocation status details)
  pending: 'pending',
  inprogress: 'running',
  delayed: 'running',
  success: 'succeeded',
  failed: 'failed',
  undeliverable: 'failed',
  terminated: 'failed',
  timedout: 'timed-out',
  deliverytimedout: 'timed-out',
  executiontimedout: 'timed-out',
  cancelled: 'cancelled',
  cancelling: 'cancelled',
  // Maintenance windows (`IN_PROGRESS`, `TIMED_OUT` … fold to the same keys)
  skippedoverlapping: 'skipped',
  // Automation
  waiting: 'running',
  pendingapproval: 'pending',
  approved: 'running',
  rejected: 'cancelled',
  scheduled: 'pending',
  runbookinprogress: 'running',
  pendingchangecalendaroverride: 'pending',
  changecalendaroverrideapproved: 'running',
  changecalendaroverriderejected: 'cancelled',
  completedwithsuccess: 'succeeded',
  completedwithfailure: 'failed',
  exited: 'failed',
};

/**
 * Folds any SSM status spelling (`TimedOut`, `TIMED_OUT`, `Timed Out`,
 * `DeliveryTimedOut`) to a phase; `undefined` for a status we do not know.
 */
export function phaseOfStatus(status: string): EventPhase | undefined {
  return PHASE_BY_STATUS[status.toLowerCase().replace(/[\s_-]/g, '')];
}

const FAILURE_PHASES: ReadonlySet<EventPhase> = new Set(['failed', 'timed-out', 'cancelled']);

/** Failed, timed out or cancelled: the phases that make an incident. */
export function isFailurePhase(phase: EventPhase): boolean {
  return FAILURE_PHASES.has(phase);
}

/** Whether this event reports a failure the incident flow acts on. */
export function isFailureEvent(event: PatchEvent): boolean {
  // A window-execution CANCELLED is the change-gate guard (or an operator) stopping
  // the window on purpose; the guard reports that itself, so it is not a patch failure.
  if (event.kind === 'window-execution' && event.phase === 'cancelled') return false;
  return isFailurePhase(event.phase);
}

/**
 * A deterministic identity of what the event says, independent of how it was
 * delivered: the same status change arriving by SNS and by EventBridge, or
 * twice by SNS, has the same key. Used to drop duplicates before any AWS call.
 */
export function patchEventKey(event: PatchEvent): string {
  const scope = `${event.accountId}:${event.region}`;
  const status = event.phase;
  switch (event.kind) {
    case 'command':
      return `cmd:${scope}:${event.commandId}:${status}`;
    case 'invocation':
      return `inv:${scope}:${event.commandId}:${event.instanceId}:${status}`;
    case 'window-execution':
      return `mwx:${scope}:${event.windowExecutionId}:${status}`;
    case 'window-task':
      return `mwt:${scope}:${event.windowExecutionId}:${event.taskExecutionId}:${status}`;
    case 'window-target-invocation':
      return `mwi:${scope}:${event.windowExecutionId}:${event.taskExecutionId}:${event.windowTargetId ?? '-'}:${status}`;
    case 'automation':
      return `aex:${scope}:${event.executionId}:${status}`;
  }
}

/** The instance ids an event names directly (none for window / automation events). */
export function eventInstanceIds(event: PatchEvent): readonly string[] {
  if (event.kind === 'invocation') return [event.instanceId];
  if (event.kind === 'command') return event.instanceIds;
  return [];
}
