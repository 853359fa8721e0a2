import { type MessageAttributeValue as SdkAttribute, PublishCommand } from '@aws-sdk/client-sns';
import type { Logger } from '../core/index.js';
import { awsCall } from './call.js';
import type { AwsClients } from './client-factory.js';
import { AwsError } from './errors.js';
import type { AwsContext, MessageAttributeValue, Publisher } from './ports.js';

export interface PublisherOptions {
  readonly clients: AwsClients;
  readonly logger: Logger;
}

/** SNS limits: 256 KiB per message (body plus attributes), 100 ASCII characters per subject. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT = 100;

/**
 * SNS rejects a Subject with line breaks, control or non-ASCII characters, or one
 * longer than 100 characters; a subject is a label, so it is cleaned rather than refused.
 */
export function snsSubject(subject: string): string {
  const ascii = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.slice(0, MAX_SUBJECT);
}

function toAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): Record<string, SdkAttribute> {
  const out: Record<string, SdkAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'number') out[name] = { DataType: 'Number', StringValue: String(value) };
    else if (typeof value === 'string') out[name] = { DataType: 'String', StringValue: value };
    else out[name] = { DataType: 'String.Array', StringValue: JSON.stringify(value) };
  }
  return out;
}

function attributeBytes(attributes: Record<string, SdkAttribute>): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes)) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? '');
  }
  return n;
}

/** Builds the `Publisher` port over SNS `Publish`. */
export function createPublisher(options: PublisherOptions): Publisher {
  return {
    async publish(ctx: AwsContext, topicArn: string, subject: string, message: string, attributes = {}) {
      const attrs = toAttributes(attributes);
      const size = Buffer.byteLength(message) + attributeBytes(attrs);
      if (size > MAX_MESSAGE_BYTES) {
        throw new AwsError('INVALID_INPUT', `SNS.Publish: message is ${size} bytes, over the 262144-byte SNS limit`, {
          operation: 'SNS.Publish',
          accountId: ctx.accountId,
          region: ctx.region,
        });
      }
      const cleanSubject = snsSubject(subject);
      const out = await awsCall(ctx, 'SNS.Publish', () =>
        options.clients.sns(ctx).send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: message,
            Subject: cleanSubject === '' ? undefined : cleanSubject,
            MessageAttributes: Object.keys(attrs).length > 0 ? attrs : undefined,
          }),
        ),
      );
      if (!out.MessageId) {
        throw new AwsError('UNAVAILABLE', 'SNS.Publish: no message id returned', { operation: 'SNS.Publish', requestId: out.$metadata.requestId });
      }
      options.logger.debug({ topicArn, messageId: out.MessageId }, 'published to SNS');
      return { messageId: out.MessageId };
    },
  };
}
