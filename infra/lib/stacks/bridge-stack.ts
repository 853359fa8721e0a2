import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnEventBusPolicy } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { INDEX } from '../../../src/store/index.js';
import { BridgeApi } from '../constructs/bridge-api.js';
import { secretNames } from '../constructs/bridge-secrets.js';
import { BridgeSchedules } from '../constructs/bridge-schedules.js';
import { BridgeTopics } from '../constructs/bridge-topics.js';
import { HISTORY_PREFIX, REPORTS_PREFIX } from '../constructs/data-bucket.js';
import { HandlerFunction, type HandlerName } from '../constructs/handler-function.js';
import { WorkQueue } from '../constructs/work-queue.js';
import { patchingRoleNames } from '../constructs/patching-regime.js';
import { allowWildcards } from '../nag.js';
import { SSM_WILDCARDS, ssmPermissions } from '../ssm-permissions.js';
import type { BridgeProps } from '../props.js';
import { DEFAULT_SERVICENOW_LIMITS, listenerTiming, patchResultsTiming } from '../queue-timings.js';

export interface BridgeStackProps extends StackProps, BridgeProps {
  readonly prefix: string;
  readonly table: ITable;
  readonly bucket: IBucket;
  readonly key: IKey;
  readonly serviceNowSecret: ISecret;
  readonly apiHmacSecret: ISecret;
  /** Name of the role the bridge assumes in member accounts. @default 'patchbridge-member' */
  readonly memberRoleName?: string;
}


/** The guard's fixed name: member accounts' windows invoke it by ARN. */
export function guardFunctionName(prefix: string): string {
  return `${prefix}-window-guard`;
}

/**
 * The bridge: topics, queues with DLQs, every handler of `src/handlers` as a
 * Lambda, the API behind API Gateway and WAF, and the schedules.
 */
export class BridgeStack extends Stack {
  readonly topics: BridgeTopics;
  readonly intake: WorkQueue;
  readonly incidents: WorkQueue;
  readonly functions: Readonly<Record<HandlerName, HandlerFunction>>;
  readonly api: BridgeApi;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id, props);
    const maxInFlight = props.serviceNowMaxInFlight ?? DEFAULT_SERVICENOW_LIMITS.maxInFlight;
    const intakeTiming = patchResultsTiming();
    const listenerQueueTiming = listenerTiming({ ...DEFAULT_SERVICENOW_LIMITS, maxInFlight });
    const members = props.memberAccountIds ?? [];
    const memberRoleName = props.memberRoleName ?? 'patchbridge-member';

    this.topics = new BridgeTopics(this, 'Topics', {
      prefix: props.prefix,
      encryptionKey: props.key,
      memberAccountIds: members,
      ...(props.reportEmail ? { reportEmail: props.reportEmail } : {}),
    });

    this.intake = new WorkQueue(this, 'Intake', { queueName: `${props.prefix}-patch-results`, timing: intakeTiming });
    this.topics.patchResults.addSubscription(new SqsSubscription(this.intake.queue));
    // The aws.ssm rules of the patching stack (this account) deliver here.
    this.intake.queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.intake.queue.queueArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.incidents = new WorkQueue(this, 'Incidents', { queueName: `${props.prefix}-incidents`, timing: listenerQueueTiming });
    this.topics.monitoring.addSubscription(new SqsSubscription(this.incidents.queue, { rawMessageDelivery: true }));

    const region = Aws.REGION;
    const environment: Record<string, string> = {
      PATCHBRIDGE_SIMULATORS: 'off',
      PATCHBRIDGE_STORE: `dynamodb://${props.table.tableName}`,
      PATCHBRIDGE_BLOBS: `s3://${props.bucket.bucketName}/`,
      PATCHBRIDGE_AWS_REGIONS: props.awsRegions ?? region,
      PATCHBRIDGE_SERVICENOW_SECRET_ID: secretNames(props.prefix).serviceNow,
      PATCHBRIDGE_SERVICENOW_MODE: props.serviceNowMode ?? 'import-set',
      PATCHBRIDGE_SERVICENOW_MAX_IN_FLIGHT: String(maxInFlight),
      PATCHBRIDGE_MONITORING_TOPIC_ARN: this.topics.monitoring.topicArn,
      PATCHBRIDGE_REPORTS_TOPIC_ARN: this.topics.reports.topicArn,
      PATCHBRIDGE_PATCH_RESULTS_TOPIC_ARN: this.topics.patchResults.topicArn,
      PATCHBRIDGE_NOTIFICATION_ROLE_ARN: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${patchingRoleNames(props.prefix).notification}`,
      PATCHBRIDGE_PATCH_RUNBOOK: `${props.prefix}-AdHocPatch`,
      PATCHBRIDGE_SNAPSHOT_CRON: props.snapshotCron ?? '15 2 * * *',
      PATCHBRIDGE_REPORT_CRON: props.reportCron ?? '0 6 1 * *',
      ...(props.awsAccounts ? { PATCHBRIDGE_AWS_ACCOUNTS: props.awsAccounts } : {}),
      ...(props.serviceNowUrl ? { PATCHBRIDGE_SERVICENOW_URL: props.serviceNowUrl } : {}),
    };
    const make = (handler: HandlerName, description: string, timeoutSeconds: number, memorySize: number, extra: Record<string, string> = {}, extraFiles?: string[]) =>
      new HandlerFunction(this, pascal(handler), {
        handler,
        ...(handler === 'window-guard' ? { functionName: guardFunctionName(props.prefix) } : {}),
        description,
        timeout: Duration.seconds(timeoutSeconds),
        memorySize,
        environment: { ...environment, ...extra },
        ...(props.logLevel ? { logLevel: props.logLevel } : {}),
        ...(extraFiles ? { extraFiles } : {}),
      });
    const fns: Record<HandlerName, HandlerFunction> = {
      // API Gateway gives up on an integration after 29 s.
      api: make('api', 'patchbridge REST API', 29, 1024, { PATCHBRIDGE_API_HMAC_SECRET_ID: secretNames(props.prefix).apiHmacKeys }, ['openapi/patchbridge.yaml']),
      'patch-results': make('patch-results', 'patchbridge: patch events to incident drafts', intakeTiming.functionTimeoutSeconds, 1024),
      'servicenow-listener': make('servicenow-listener', 'patchbridge: incident drafts to ServiceNow', listenerQueueTiming.functionTimeoutSeconds, 512),
      // Decides in 15 s, then drains queued writes; 270 s stays inside the outbox's 5-minute item lease.
      'window-guard': make('window-guard', 'patchbridge: maintenance window guard and ServiceNow write drain', 270, 512),
      'compliance-snapshot': make('compliance-snapshot', 'patchbridge: daily compliance snapshot', 900, 1024),
      // A report step runs under a 15-minute claim (src/flows/compliance/report-jobs.ts).
      'compliance-report': make('compliance-report', 'patchbridge: compliance reports', 900, 2048),
    };
    this.functions = fns;

    fns['patch-results'].fn.addEventSource(
      new SqsEventSource(this.intake.queue, { batchSize: intakeTiming.batchSize, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    // The ServiceNow budget, not Lambda's: as many listener containers as the client allows requests in flight.
    fns['servicenow-listener'].fn.addEventSource(
      new SqsEventSource(this.incidents.queue, { batchSize: listenerQueueTiming.batchSize, reportBatchItemFailures: true, maxConcurrency: Math.max(2, maxInFlight) }),
    );

    this.grant(props, fns, members, memberRoleName);

    this.api = new BridgeApi(this, 'RestApi', {
      prefix: props.prefix,
      handler: fns.api.fn,
      ...(props.apiRateLimit ? { rateLimit: props.apiRateLimit } : {}),
      ...(props.apiBurstLimit ? { burstLimit: props.apiBurstLimit } : {}),
    });
    new CfnOutput(this, 'ApiUrl', { description: 'Base URL ServiceNow calls (docs/deploy.md step 4)', value: this.api.api.url });
    new CfnOutput(this, 'PatchResultsTopicArn', { value: this.topics.patchResults.topicArn });
    new BridgeSchedules(this, 'Schedules', {
      snapshot: fns['compliance-snapshot'].fn,
      report: fns['compliance-report'].fn,
      guard: fns['window-guard'].fn,
      ...(props.snapshotCron ? { snapshotCron: props.snapshotCron } : {}),
      ...(props.reportCron ? { reportCron: props.reportCron } : {}),
    });

    for (const account of members) {
      // Member accounts forward their aws.ssm events to this account's default bus; the patching stack's rule routes them.
      new CfnEventBusPolicy(this, `MemberEvents${account}`, {
        statementId: `patchbridge-member-${account}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
        },
      });
      // Member windows run the central guard first (the window's account and region are in the payload).
      fns['window-guard'].fn.addPermission(`MemberGuard${account}`, { principal: new AccountPrincipal(account), action: 'lambda:InvokeFunction' });
    }
  }

  /** Least privilege, per handler: only the calls its flows make. */
  private grant(props: BridgeStackProps, fns: Record<HandlerName, HandlerFunction>, members: readonly string[], memberRoleName: string): void {
    const all = Object.values(fns);
    const tableArn = props.table.tableArn;
    const state = new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
      resources: [tableArn, ...Object.values(INDEX).map((index) => `${tableArn}/index/${index}`)],
    });
    const keyUse = new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], resources: [props.key.keyArn] });
    const fleetRead = ssmPermissions.fleetRead();
    const assumeMembers =
      members.length > 0
        ? new PolicyStatement({ actions: ['sts:AssumeRole'], resources: members.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${memberRoleName}`) })
        : undefined;
    for (const f of all) {
      f.role.addToPolicy(state);
      f.role.addToPolicy(keyUse);
    }
    const awsReaders = [fns['patch-results'], fns.api, fns['window-guard'], fns['compliance-snapshot'], fns['compliance-report']];
    for (const f of awsReaders) {
      f.role.addToPolicy(fleetRead);
      if (assumeMembers) f.role.addToPolicy(assumeMembers);
    }
    for (const f of [fns['servicenow-listener'], fns.api, fns['window-guard'], fns['compliance-report']]) {
      f.role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.serviceNowSecret.secretArn] }));
    }
    fns.api.role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.apiHmacSecret.secretArn] }));

    // Drafts, and auto-resolve requests after successful runs (patch-results) and snapshots (compliance-snapshot).
    for (const f of [fns['patch-results'], fns['compliance-snapshot']]) {
      f.role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topics.monitoring.topicArn] }));
    }
    fns['compliance-report'].role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topics.reports.topicArn] }));

    const objects = (prefix: string) => props.bucket.arnForObjects(`${prefix}*`);
    fns['compliance-snapshot'].role.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'], resources: [objects(HISTORY_PREFIX)] }));
    fns['compliance-report'].role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(HISTORY_PREFIX)] }));
    fns['compliance-report'].role.addToPolicy(
      new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [objects(REPORTS_PREFIX)] }),
    );
    fns['compliance-report'].role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }));
    // The API presigns report links (a presigned URL carries the signer's rights).
    fns.api.role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(REPORTS_PREFIX)] }));

    for (const statement of ssmPermissions.patchRuns(props.prefix)) fns.api.role.addToPolicy(statement);
    fns.api.role.addToPolicy(ssmPermissions.windowGate());
    fns['window-guard'].role.addToPolicy(ssmPermissions.guardCancel());

    allowWildcards(this, ...SSM_WILDCARDS, {
      finding: /^Resource::.*\/(history|reports)\/\*$/,
      reason: 'Objects under one prefix of the data bucket (history/ or reports/): keys are per day, account and report id, known only at run time.',
    });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
