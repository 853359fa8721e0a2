import { Stack, type StackProps } from 'aws-cdk-lib';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PatchingRegime } from '../constructs/patching-regime.js';
import type { PatchingProps } from '../props.js';

export interface PatchingStackProps extends StackProps, PatchingProps {
  readonly prefix: string;
  readonly guard: IFunction;
  readonly patchResults: ITopic;
  readonly topicKey: IKey;
  /**
   * ARN of the `patch-results` queue `aws.ssm` events go to. Imported by ARN: the
   * bridge's queue policy admits this account's rules, so this stack never edits it
   * (which would make the two stacks depend on each other).
   */
  readonly intakeQueueArn: string;
}

/** The patching regime of the bridge's own account and region, wired to the bridge. */
export class PatchingStack extends Stack {
  readonly regime: PatchingRegime;

  constructor(scope: Construct, id: string, props: PatchingStackProps) {
    super(scope, id, props);
    this.regime = new PatchingRegime(this, 'Patching', {
      ...props,
      guardFunctionArn: props.guard.functionArn,
      patchResultsTopicArn: props.patchResults.topicArn,
      patchResultsKeyArn: props.topicKey.keyArn,
      eventTarget: new SqsQueue(Queue.fromQueueArn(this, 'IntakeQueue', props.intakeQueueArn), { retryAttempts: 10 }),
    });
  }
}
