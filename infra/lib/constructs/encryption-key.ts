import { RemovalPolicy } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  readonly prefix: string;
  /**
   * Member accounts whose Run Command notification roles publish to the bridge's
   * KMS-encrypted PatchResults topic (cross-account publishing needs the key policy).
   * @default none
   */
  readonly memberAccountIds?: readonly string[];
}

/** The customer managed key for the table, the data bucket, the topics and the secrets; rotated yearly. */
export class EncryptionKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      alias: `alias/${props.prefix}`,
      description: 'patchbridge: state table, data bucket, SNS topics and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const account of props.memberAccountIds ?? []) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: `MemberPublish${account}`,
          principals: [new AccountPrincipal(account)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'], // in a key policy, "*" is this key
          conditions: { StringLike: { 'kms:ViaService': 'sns.*.amazonaws.com' } },
        }),
      );
    }
  }
}
