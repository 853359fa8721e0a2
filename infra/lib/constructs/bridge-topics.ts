import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface BridgeTopicsProps {
  readonly prefix: string;
  readonly encryptionKey: IKey;
  /** @default no subscription */
  readonly reportEmail?: string;
  /** Accounts whose Run Command notifications publish to PatchResults. @default none */
  readonly memberAccountIds?: readonly string[];
}

/**
 * PatchResults (Run Command failure notifications in), Monitoring (incident drafts
 * between the two Lambdas) and Reports (report links out, optionally by email):
 * KMS-encrypted, publish over TLS only.
 */
export class BridgeTopics extends Construct {
  readonly patchResults: Topic;
  readonly monitoring: Topic;
  readonly reports: Topic;

  constructor(scope: Construct, id: string, props: BridgeTopicsProps) {
    super(scope, id);
    const topic = (id: string, name: string, displayName: string) =>
      new Topic(this, id, { topicName: `${props.prefix}-${name}`, displayName, masterKey: props.encryptionKey, enforceSSL: true });
    this.patchResults = topic('PatchResults', 'patch-results', 'patchbridge patch results');
    this.monitoring = topic('Monitoring', 'monitoring', 'patchbridge incident drafts');
    this.reports = topic('Reports', 'reports', 'patchbridge compliance reports');
    for (const account of props.memberAccountIds ?? []) {
      this.patchResults.addToResourcePolicy(
        new PolicyStatement({ sid: `MemberPublish${account}`, principals: [new AccountPrincipal(account)], actions: ['sns:Publish'], resources: [this.patchResults.topicArn] }),
      );
    }
    if (props.reportEmail) this.reports.addSubscription(new EmailSubscription(props.reportEmail));
  }
}
