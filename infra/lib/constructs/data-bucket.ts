import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface DataBucketProps {
  readonly encryptionKey: IKey;
  /** @default 400 */
  readonly historyRetentionDays?: number;
  /** @default 365 */
  readonly accessLogRetentionDays?: number;
}

/** Prefix of the daily compliance snapshots (`history/account=…/region=…/dt=…/`), see `src/flows/compliance`. */
export const HISTORY_PREFIX = 'history/';
/** Prefix of report files. */
export const REPORTS_PREFIX = 'reports/';

/**
 * The bucket for compliance history and reports (`PATCHBRIDGE_BLOBS=s3://BUCKET/`):
 * KMS-encrypted, versioned, TLS only, no public access, server access logs to a
 * second bucket, and `history/` expired after `historyRetentionDays`.
 */
export class DataBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 server access logging cannot deliver to a bucket encrypted with a KMS key.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the data bucket; logging it to itself or a third bucket adds cost and no audit value.',
    });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        { id: 'history', prefix: HISTORY_PREFIX, expiration: Duration.days(props.historyRetentionDays ?? 400) },
        // Versioning protects against an overwrite; old versions need not outlive a month.
        { id: 'noncurrent', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
