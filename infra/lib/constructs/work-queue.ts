import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import type { QueueTiming } from '../queue-timings.js';

export interface WorkQueueProps {
  readonly queueName: string;
  readonly timing: QueueTiming;
}

/** An SQS queue with its DLQ, sized by a `QueueTiming`; SSE-SQS, TLS only. */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      queueName: `${props.queueName}-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS keeps anything: time to fix the cause and redrive.
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of its work queue.' });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.timing.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.timing.maxReceiveCount },
    });
  }
}
