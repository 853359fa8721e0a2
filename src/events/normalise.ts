import { z } from 'zod';
import type { PatchEvent } from '../domain/index.js';
import { InvalidEventError, SnsVerificationError } from './errors.js';
import { isEventBridgeShape, normaliseEventBridge } from './eventbridge.js';
import { arnScope, nonEmpty, parseJson, parseOrThrow } from './fields.js';
import { isRunCommandShape, type MessageOrigin, normaliseRunCommandNotification } from './run-command-sns.js';

/** The SNS JSON envelope, as SNS posts it over HTTPS and as it sits in an SQS body. */
export const snsEnvelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: nonEmpty,
  TopicArn: nonEmpty,
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: nonEmpty,
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
  /** Lambda's SNS event spells it this way. */
  SigningCertUrl: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
  MessageAttributes: z.record(z.string(), z.unknown()).optional(),
});

export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

/** Whether `input` looks like an SNS envelope. */
export function isSnsEnvelopeShape(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'Type' in input && 'TopicArn' in input && 'Message' in input;
}

/** Parses an SNS envelope or throws `InvalidEventError`. */
export function parseSnsEnvelope(input: unknown): SnsEnvelope {
  return parseOrThrow(snsEnvelopeSchema, input, 'SNS message');
}

/**
 * Normalises the `Message` of an SNS notification: a Run Command notification
 * (account and region from the topic ARN) or an EventBridge event published to SNS.
 * Confirmations carry no event and normalise to `[]`. An event naming another
 * account than the topic's is refused with `SNS_TOPIC_NOT_ALLOWED`: a topic
 * vouches for its own account only, and its publish policy may let others in.
 */
export function normaliseSnsNotification(envelope: SnsEnvelope): PatchEvent[] {
  if (envelope.Type !== 'Notification') return [];
  const scope = arnScope(envelope.TopicArn);
  if (!scope) throw new InvalidEventError('TopicArn: not a topic ARN with account and region');
  const message = parseJson(envelope.Message, 'SNS Message');
  const events = normaliseMessage(message, { ...scope, messageId: envelope.MessageId }, 1);
  const foreign = events.find((e) => e.accountId !== scope.accountId);
  if (foreign) {
    throw new SnsVerificationError('SNS_TOPIC_NOT_ALLOWED', `a topic of account ${scope.accountId} may only deliver that account's events, not account ${foreign.accountId}'s`, {
      details: { topicArn: envelope.TopicArn, accountId: foreign.accountId },
    });
  }
  return events;
}

/**
 * Normalises any supported message by its shape: an EventBridge event, a Run
 * Command notification (needs `origin`), or an SNS envelope around either.
 * Unknown or malformed input throws `InvalidEventError` with the reason.
 */
export function normaliseMessage(input: unknown, origin?: MessageOrigin, depth = 0): PatchEvent[] {
  if (isEventBridgeShape(input)) return normaliseEventBridge(input);
  if (isRunCommandShape(input)) {
    if (!origin) throw new InvalidEventError('Run Command notification without a topic or queue to tell its account and region');
    return normaliseRunCommandNotification(input, origin);
  }
  // One level only: SNS never wraps an SNS envelope in another.
  if (depth === 0 && isSnsEnvelopeShape(input)) return normaliseSnsNotification(parseSnsEnvelope(input));
  throw new InvalidEventError('unrecognised message: neither an EventBridge event, a Run Command notification nor an SNS envelope');
}

/** The fields of an SQS record the normaliser reads. */
export interface SqsMessageLike {
  readonly body: string;
  readonly messageId?: string;
  /** The queue ARN; gives account and region to raw-delivered Run Command messages. */
  readonly eventSourceARN?: string;
}

/**
 * Normalises one SQS record body: EventBridge event (SQS target), SNS envelope
 * (SNS → SQS) or a raw-delivered Run Command / EventBridge message.
 */
export function normaliseSqsRecord(record: SqsMessageLike): PatchEvent[] {
  const body = parseJson(record.body, 'SQS message body');
  const scope = arnScope(record.eventSourceARN);
  return normaliseMessage(body, scope ? { ...scope, ...(record.messageId ? { messageId: record.messageId } : {}) } : undefined);
}
