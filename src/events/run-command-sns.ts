import { z } from 'zod';
import { type PatchEvent, phaseOfStatus } from '../domain/index.js';
import { InvalidEventError } from './errors.js';
import { documentName, instanceId, isoTime, nonEmpty, parseOrThrow, uuid } from './fields.js';

/** Where a Run Command notification was published: the topic ARN's account and region. */
export interface MessageOrigin {
  readonly accountId: string;
  readonly region: string;
  /** SNS `MessageId`, for tracing. */
  readonly messageId?: string;
}

const common = {
  commandId: uuid,
  documentName,
  status: nonEmpty,
  eventTime: nonEmpty,
  requestedDateTime: z.string().optional(),
};

// Run Command SNS messages are camelCase; a command-level message targeting tags has `instanceIds: []`.
const commandMessage = z.object({ ...common, instanceIds: z.array(instanceId) });
const invocationMessage = z.object({ ...common, instanceId });

/** Whether `input` looks like a Run Command notification (command or invocation level). */
export function isRunCommandShape(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'commandId' in input && ('instanceId' in input || 'instanceIds' in input);
}

/**
 * Normalises a Run Command SNS notification (the parsed `Message`). The message
 * itself names neither account nor region, so `origin` (from the topic ARN, or the
 * SQS queue ARN for raw delivery) supplies them.
 */
export function normaliseRunCommandNotification(input: unknown, origin: MessageOrigin): PatchEvent[] {
  const isInvocation = typeof input === 'object' && input !== null && 'instanceId' in input;
  const base = {
    source: 'run-command-sns' as const,
    accountId: origin.accountId,
    region: origin.region,
    ...(origin.messageId ? { messageId: origin.messageId } : {}),
  };
  if (isInvocation) {
    const m = parseOrThrow(invocationMessage, input, 'Run Command invocation notification');
    const phase = phaseOfStatus(m.status);
    if (!phase) throw new InvalidEventError(`unknown status "${m.status.slice(0, 40)}"`);
    return [
      {
        ...base,
        kind: 'invocation',
        commandId: m.commandId,
        documentName: m.documentName,
        instanceId: m.instanceId,
        status: m.status,
        phase,
        time: isoTime(m.eventTime, 'eventTime'),
        ...(m.requestedDateTime ? { requestedAt: isoTime(m.requestedDateTime, 'requestedDateTime') } : {}),
      },
    ];
  }
  const m = parseOrThrow(commandMessage, input, 'Run Command command notification');
  const phase = phaseOfStatus(m.status);
  if (!phase) throw new InvalidEventError(`unknown status "${m.status.slice(0, 40)}"`);
  return [
    {
      ...base,
      kind: 'command',
      commandId: m.commandId,
      documentName: m.documentName,
      instanceIds: m.instanceIds,
      status: m.status,
      phase,
      time: isoTime(m.eventTime, 'eventTime'),
      ...(m.requestedDateTime ? { requestedAt: isoTime(m.requestedDateTime, 'requestedDateTime') } : {}),
    },
  ];
}
