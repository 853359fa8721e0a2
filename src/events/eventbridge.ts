import { z } from 'zod';
import { type EventPhase, ID_SOURCES, type PatchEvent, phaseOfStatus } from '../domain/index.js';
import { InvalidEventError } from './errors.js';
import {
  accountId,
  automationTime,
  documentName,
  instanceId,
  isoTime,
  nonEmpty,
  parseOrThrow,
  region,
  uuid,
  windowId,
} from './fields.js';

export const DETAIL_TYPES = {
  command: 'EC2 Command Status-change Notification',
  invocation: 'EC2 Command Invocation Status-change Notification',
  windowExecution: 'Maintenance Window Execution State-change Notification',
  windowTask: 'Maintenance Window Task Execution State-change Notification',
  windowTargetInvocation: 'Maintenance Window Task Target Invocation State-change Notification',
  automation: 'EC2 Automation Execution Status-change Notification',
} as const;

/**
 * `aws.ssm` detail types that are valid but carry nothing the incident flow acts
 * on (an over-broad rule may still route them here). They normalise to no event
 * rather than an error, so they are not dead-lettered as malformed.
 */
const IGNORED_DETAIL_TYPES: ReadonlySet<string> = new Set([
  'EC2 Automation Step Status-change Notification',
  'Maintenance Window State-change Notification',
  'Maintenance Window Target Registration Notification',
  'Configuration Compliance State Change',
  'EC2 State Manager Association State Change',
  'EC2 State Manager Instance Association State Change',
  'Calendar State Change',
  'Parameter Store Change',
  'Parameter Store Policy Action',
]);

const envelopeSchema = z.object({
  id: nonEmpty,
  'detail-type': nonEmpty,
  source: nonEmpty,
  account: accountId,
  region,
  time: nonEmpty,
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});

const commandDetail = z.object({
  'command-id': uuid,
  'document-name': documentName,
  status: nonEmpty,
  'requested-date-time': z.string().optional(),
});

const invocationDetail = commandDetail.extend({ 'instance-id': instanceId });

const windowDetail = z.object({
  'window-id': windowId,
  'window-execution-id': uuid,
  status: nonEmpty,
  'start-time': z.string().optional(),
  'end-time': z.string().optional(),
});

const windowTaskDetail = windowDetail.extend({ 'task-execution-id': uuid });

const windowTargetDetail = windowTaskDetail.extend({
  'window-target-id': z.string().optional(),
  'owner-information': z.string().optional(),
});

const automationDetail = z.object({
  ExecutionId: uuid,
  Definition: nonEmpty,
  DefinitionVersion: z.union([z.string(), z.number()]).optional(),
  Status: nonEmpty,
  ExecutedBy: z.string().optional(),
  StartTime: z.string().optional(),
  EndTime: z.string().optional(),
});

function phase(status: string): EventPhase {
  const p = phaseOfStatus(status);
  if (!p) throw new InvalidEventError(`unknown status "${status.slice(0, 40)}"`);
  return p;
}

const INSTANCE_ARN = new RegExp(`^arn:[\\w-]+:(?:ec2|ssm):[\\w-]+:${ID_SOURCES.accountId}:(?:instance|managed-instance)/(${ID_SOURCES.instanceId})$`);

/** Whether `input` looks like an EventBridge event (so callers can dispatch on shape). */
export function isEventBridgeShape(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'detail-type' in input && 'detail' in input;
}

/**
 * Normalises one EventBridge event from `aws.ssm` (as delivered to an SQS
 * target, an SNS target or an API destination). Returns `[]` for an `aws.ssm`
 * detail type the incident flow has no use for; throws `InvalidEventError` for
 * anything malformed, from another source, or of an unknown detail type.
 */
export function normaliseEventBridge(input: unknown): PatchEvent[] {
  const env = parseOrThrow(envelopeSchema, input, 'EventBridge event');
  if (env.source !== 'aws.ssm') throw new InvalidEventError(`unsupported source "${env.source.slice(0, 40)}"`);
  const detailType = env['detail-type'];
  const base = {
    source: 'eventbridge' as const,
    accountId: env.account,
    region: env.region,
    time: isoTime(env.time, 'time'),
    messageId: env.id,
  };
  const what = `detail of "${detailType}"`;
  switch (detailType) {
    case DETAIL_TYPES.command: {
      const d = parseOrThrow(commandDetail, env.detail, what);
      const instanceIds = (env.resources ?? []).flatMap((r) => {
        const m = INSTANCE_ARN.exec(r);
        return m?.[1] ? [m[1]] : [];
      });
      return [
        {
          ...base,
          kind: 'command',
          commandId: d['command-id'],
          documentName: d['document-name'],
          status: d.status,
          phase: phase(d.status),
          instanceIds,
          ...(d['requested-date-time'] ? { requestedAt: isoTime(d['requested-date-time'], 'requested-date-time') } : {}),
        },
      ];
    }
    case DETAIL_TYPES.invocation: {
      const d = parseOrThrow(invocationDetail, env.detail, what);
      return [
        {
          ...base,
          kind: 'invocation',
          commandId: d['command-id'],
          documentName: d['document-name'],
          instanceId: d['instance-id'],
          status: d.status,
          phase: phase(d.status),
          ...(d['requested-date-time'] ? { requestedAt: isoTime(d['requested-date-time'], 'requested-date-time') } : {}),
        },
      ];
    }
    case DETAIL_TYPES.windowExecution: {
      const d = parseOrThrow(windowDetail, env.detail, what);
      return [
        {
          ...base,
          kind: 'window-execution',
          windowId: d['window-id'],
          windowExecutionId: d['window-execution-id'],
          status: d.status,
          phase: phase(d.status),
          ...(d['start-time'] ? { startedAt: isoTime(d['start-time'], 'start-time') } : {}),
          ...(d['end-time'] ? { endedAt: isoTime(d['end-time'], 'end-time') } : {}),
        },
      ];
    }
    case DETAIL_TYPES.windowTask: {
      const d = parseOrThrow(windowTaskDetail, env.detail, what);
      return [
        {
          ...base,
          kind: 'window-task',
          windowId: d['window-id'],
          windowExecutionId: d['window-execution-id'],
          taskExecutionId: d['task-execution-id'],
          status: d.status,
          phase: phase(d.status),
        },
      ];
    }
    case DETAIL_TYPES.windowTargetInvocation: {
      const d = parseOrThrow(windowTargetDetail, env.detail, what);
      return [
        {
          ...base,
          kind: 'window-target-invocation',
          windowId: d['window-id'],
          windowExecutionId: d['window-execution-id'],
          taskExecutionId: d['task-execution-id'],
          status: d.status,
          phase: phase(d.status),
          ...(d['window-target-id'] ? { windowTargetId: d['window-target-id'] } : {}),
          ...(d['owner-information'] ? { ownerInformation: d['owner-information'] } : {}),
        },
      ];
    }
    case DETAIL_TYPES.automation: {
      const d = parseOrThrow(automationDetail, env.detail, what);
      return [
        {
          ...base,
          kind: 'automation',
          executionId: d.ExecutionId,
          definition: d.Definition,
          status: d.Status,
          phase: phase(d.Status),
          ...(d.DefinitionVersion !== undefined ? { definitionVersion: String(d.DefinitionVersion) } : {}),
          ...(d.ExecutedBy ? { executedBy: d.ExecutedBy } : {}),
          ...(d.StartTime ? { startedAt: automationTime(d.StartTime, 'StartTime') } : {}),
          ...(d.EndTime ? { endedAt: automationTime(d.EndTime, 'EndTime') } : {}),
        },
      ];
    }
    default:
      if (IGNORED_DETAIL_TYPES.has(detailType)) return [];
      throw new InvalidEventError(`unsupported detail-type "${detailType.slice(0, 80)}"`);
  }
}

