/**
 * Builders for the payloads AWS emits about patching, in the shapes AWS documents:
 * - Run Command SNS notifications (camelCase; command level and invocation level),
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-sns-examples.html
 * - EventBridge `aws.ssm` events (kebab-case detail; automation events PascalCase
 *   with `Nov 29, 2016 7:43:25 PM` dates),
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
 */

/** SSM's SNS timestamps drop trailing zeros from the fraction: `2019-04-25T17:57:09.17Z`. */
export function snsTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d*?)0+Z$/, '.$1Z')
    .replace(/\.Z$/, 'Z');
}

/** EventBridge envelope `time`: whole seconds. */
export function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Automation events' Java-style medium date, in UTC: `Nov 29, 2016 7:43:25 PM`. */
export function automationTime(ms: number): string {
  const d = new Date(ms);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h12}:${mm}:${ss} ${h24 < 12 ? 'AM' : 'PM'}`;
}

export interface CommandFacts {
  readonly commandId: string;
  readonly documentName: string;
  /** Ids named in the request; empty when the command targeted tags. */
  readonly requestedInstanceIds: readonly string[];
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly outputS3BucketName?: string | undefined;
  readonly outputS3KeyPrefix?: string | undefined;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
}

export interface RunCommandSnsCommandMessage {
  commandId: string;
  documentName: string;
  instanceIds: string[];
  requestedDateTime: string;
  expiresAfter: string;
  outputS3BucketName: string;
  outputS3KeyPrefix: string;
  status: string;
  eventTime: string;
}

export interface RunCommandSnsInvocationMessage {
  commandId: string;
  documentName: string;
  instanceId: string;
  requestedDateTime: string;
  status: string;
  eventTime: string;
}

export function snsCommandMessage(c: CommandFacts, status: string, at: number): RunCommandSnsCommandMessage {
  return {
    commandId: c.commandId,
    documentName: c.documentName,
    instanceIds: [...c.requestedInstanceIds],
    requestedDateTime: snsTime(c.requestedAt),
    expiresAfter: snsTime(c.expiresAt),
    outputS3BucketName: c.outputS3BucketName ?? '',
    outputS3KeyPrefix: c.outputS3KeyPrefix ?? '',
    status,
    eventTime: snsTime(at),
  };
}

export function snsInvocationMessage(c: CommandFacts, instanceId: string, status: string, at: number): RunCommandSnsInvocationMessage {
  return {
    commandId: c.commandId,
    documentName: c.documentName,
    instanceId,
    requestedDateTime: snsTime(c.requestedAt),
    status,
    eventTime: snsTime(at),
  };
}

export interface EventBridgeEvent<D = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ssm';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

export interface EventScope {
  readonly accountId: string;
  readonly region: string;
}

function envelope<D>(scope: EventScope, id: string, detailType: string, at: number, resources: string[], detail: D): EventBridgeEvent<D> {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source: 'aws.ssm',
    account: scope.accountId,
    time: eventTime(at),
    region: scope.region,
    resources,
    detail,
  };
}

export function instanceResourceArn(scope: EventScope, instanceId: string): string {
  return instanceId.startsWith('mi-')
    ? `arn:aws:ssm:${scope.region}:${scope.accountId}:managed-instance/${instanceId}`
    : `arn:aws:ec2:${scope.region}:${scope.accountId}:instance/${instanceId}`;
}

export function commandEvent(scope: EventScope, id: string, c: CommandFacts, instanceIds: readonly string[], status: string, at: number) {
  return envelope(scope, id, 'EC2 Command Status-change Notification', at, instanceIds.map((i) => instanceResourceArn(scope, i)), {
    'command-id': c.commandId,
    'document-name': c.documentName,
    'expire-after': isoMillis(c.expiresAt),
    parameters: Object.fromEntries(Object.entries(c.parameters).map(([k, v]) => [k, [...v]])),
    'requested-date-time': isoMillis(c.requestedAt),
    status,
  });
}

export function invocationEvent(scope: EventScope, id: string, c: CommandFacts, instanceId: string, status: string, at: number) {
  return envelope(scope, id, 'EC2 Command Invocation Status-change Notification', at, [instanceResourceArn(scope, instanceId)], {
    'command-id': c.commandId,
    'document-name': c.documentName,
    'instance-id': instanceId,
    'requested-date-time': isoMillis(c.requestedAt),
    status,
  });
}

function windowArn(scope: EventScope, windowId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:maintenancewindow/${windowId}`;
}

export function windowExecutionEvent(
  scope: EventScope,
  id: string,
  e: { windowId: string; windowExecutionId: string; status: string; startAt: number; endAt?: number },
  at: number,
) {
  return envelope(scope, id, 'Maintenance Window Execution State-change Notification', at, [windowArn(scope, e.windowId)], {
    'start-time': isoMillis(e.startAt),
    ...(e.endAt === undefined ? {} : { 'end-time': isoMillis(e.endAt) }),
    'window-id': e.windowId,
    'window-execution-id': e.windowExecutionId,
    status: e.status,
  });
}

export function windowTaskEvent(
  scope: EventScope,
  id: string,
  t: { windowId: string; windowExecutionId: string; taskExecutionId: string; status: string; startAt: number; endAt?: number },
  at: number,
) {
  return envelope(scope, id, 'Maintenance Window Task Execution State-change Notification', at, [windowArn(scope, t.windowId)], {
    'start-time': isoMillis(t.startAt),
    'task-execution-id': t.taskExecutionId,
    ...(t.endAt === undefined ? {} : { 'end-time': isoMillis(t.endAt) }),
    'window-id': t.windowId,
    'window-execution-id': t.windowExecutionId,
    status: t.status,
  });
}

export function windowTargetInvocationEvent(
  scope: EventScope,
  id: string,
  t: {
    windowId: string;
    windowExecutionId: string;
    taskExecutionId: string;
    windowTargetId: string;
    status: string;
    startAt: number;
    endAt?: number;
    ownerInformation?: string;
  },
  at: number,
) {
  return envelope(scope, id, 'Maintenance Window Task Target Invocation State-change Notification', at, [windowArn(scope, t.windowId)], {
    'start-time': isoMillis(t.startAt),
    ...(t.endAt === undefined ? {} : { 'end-time': isoMillis(t.endAt) }),
    'window-id': t.windowId,
    'window-execution-id': t.windowExecutionId,
    'task-execution-id': t.taskExecutionId,
    'window-target-id': t.windowTargetId,
    status: t.status,
    ...(t.ownerInformation === undefined ? {} : { 'owner-information': t.ownerInformation }),
  });
}

export function windowStateEvent(scope: EventScope, id: string, windowId: string, enabled: boolean, at: number) {
  return envelope(scope, id, 'Maintenance Window State-change Notification', at, [windowArn(scope, windowId)], {
    'window-id': windowId,
    status: enabled ? 'ENABLED' : 'DISABLED',
  });
}

export interface AutomationFacts {
  readonly executionId: string;
  readonly documentName: string;
  readonly documentVersion: string;
  readonly startAt: number;
  readonly endAt?: number;
  readonly executedBy: string;
}

function automationResources(scope: EventScope, a: AutomationFacts): string[] {
  return [
    `arn:aws:ssm:${scope.region}:${scope.accountId}:automation-execution/${a.executionId}`,
    `arn:aws:ssm:${scope.region}:${scope.accountId}:automation-definition/${a.documentName}:${a.documentVersion}`,
  ];
}

function automationTiming(a: { startAt: number; endAt?: number }) {
  return a.endAt === undefined
    ? { StartTime: automationTime(a.startAt) }
    : { StartTime: automationTime(a.startAt), EndTime: automationTime(a.endAt), Time: a.endAt - a.startAt };
}

export function automationExecutionEvent(scope: EventScope, id: string, a: AutomationFacts, status: string, at: number) {
  return envelope(scope, id, 'EC2 Automation Execution Status-change Notification', at, automationResources(scope, a), {
    ExecutionId: a.executionId,
    Definition: a.documentName,
    DefinitionVersion: Number(a.documentVersion),
    Status: status,
    ...automationTiming(a),
    ExecutedBy: a.executedBy,
  });
}

export function automationStepEvent(
  scope: EventScope,
  id: string,
  a: AutomationFacts,
  step: { name: string; action: string; status: string; startAt: number; endAt?: number },
  at: number,
) {
  return envelope(scope, id, 'EC2 Automation Step Status-change Notification', at, automationResources(scope, a), {
    ExecutionId: a.executionId,
    Definition: a.documentName,
    DefinitionVersion: Number(a.documentVersion),
    Status: step.status,
    ...automationTiming(step),
    StepName: step.name,
    Action: step.action,
  });
}
