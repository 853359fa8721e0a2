import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { tableDefinition } from '../../src/store/index.js';
import { secretNames } from '../lib/constructs/bridge-secrets.js';
import { HANDLERS } from '../lib/constructs/handler-function.js';
import { GUARD_TASK_PRIORITY } from '../lib/constructs/maintenance-window.js';
import { LINUX_OPERATING_SYSTEMS } from '../lib/props.js';
import { listenerTiming, patchResultsTiming } from '../lib/queue-timings.js';
import { REPO_ROOT } from '../lib/paths.js';
import { memberAccountsSetting } from '../lib/stacks/member-account-stack.js';
import { CENTRAL_ACCOUNT, EXTERNAL_ID, MEMBER_ACCOUNT, type Resources, synthApp } from './app-fixture.js';

const { stacks, template } = synthApp();
const stateful = template('stateful').toJSON().Resources as Resources;
const bridge = template('bridge').toJSON().Resources as Resources;
const patching = template('patching').toJSON().Resources as Resources;
const member = template('member').toJSON().Resources as Resources;

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const sortByName = <T extends Record<string, unknown>>(items: readonly T[], key: string) =>
  [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

describe('StatefulStack', () => {
  it('builds the state table with exactly the keys, attributes and indexes of the store\'s tableDefinition', () => {
    const tables = ofType(stateful, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const table = { Properties: tables[0]?.[1].Properties ?? {} };
    const expected = tableDefinition('patchbridge-state').createTable;
    expect(table.Properties['TableName']).toBe(expected.TableName);
    expect(table.Properties['KeySchema']).toEqual(expected.KeySchema);
    expect(sortByName(table.Properties['AttributeDefinitions'] as Record<string, unknown>[], 'AttributeName')).toEqual(
      sortByName(expected.AttributeDefinitions as unknown as Record<string, unknown>[], 'AttributeName'),
    );
    expect(sortByName(table.Properties['GlobalSecondaryIndexes'] as Record<string, unknown>[], 'IndexName')).toEqual(
      sortByName(expected.GlobalSecondaryIndexes as unknown as Record<string, unknown>[], 'IndexName'),
    );
    expect(table.Properties['BillingMode']).toBe(expected.BillingMode);
  });

  it('protects the table: PITR, deletion protection, TTL on the store\'s attribute, retained on delete', () => {
    template('stateful').hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: tableDefinition('x').timeToLiveAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      },
    });
  });

  it('keeps history and reports in a KMS-encrypted, versioned, private bucket with access logs and a 400-day history/ expiry', () => {
    const buckets = ofType(stateful, 'AWS::S3::Bucket').map(([, b]) => b.Properties ?? {});
    const data = buckets.find((b) => JSON.stringify(b['BucketEncryption']).includes('aws:kms'));
    expect(data).toBeDefined();
    expect(data?.['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(data?.['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(data?.['LoggingConfiguration']).toMatchObject({ LogFilePrefix: 'data/' });
    const rules = (data?.['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] } | undefined)?.Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'history/', ExpirationInDays: 400, Status: 'Enabled' }));
    const policies = ofType(stateful, 'AWS::S3::BucketPolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.filter((p) => p.includes('"aws:SecureTransport":"false"'))).toHaveLength(2);
  });

  it('creates both secrets empty, under the names the deployed configuration reads', () => {
    const secrets = ofType(stateful, 'AWS::SecretsManager::Secret').map(([, s]) => s.Properties ?? {});
    expect(secrets.map((s) => s['Name']).sort()).toEqual(Object.values(secretNames('patchbridge')).sort());
    for (const s of secrets) {
      expect(s['GenerateSecretString']).toBeUndefined();
      expect(s['SecretString']).toBeUndefined();
    }
    template('bridge').hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { PATCHBRIDGE_SERVICENOW_SECRET_ID: 'patchbridge/servicenow', PATCHBRIDGE_API_HMAC_SECRET_ID: 'patchbridge/api-hmac-keys' } },
    });
  });
});

describe('BridgeStack', () => {
  it('gives every work queue a DLQ in the same template, and the DLQs none', () => {
    const queues = ofType(bridge, 'AWS::SQS::Queue');
    const work = queues.filter(([, q]) => q.Properties?.['RedrivePolicy']);
    const dead = queues.filter(([, q]) => !q.Properties?.['RedrivePolicy']);
    expect(work.length).toBeGreaterThanOrEqual(2);
    expect(dead).toHaveLength(work.length);
    for (const [, q] of work) {
      const target = (q.Properties?.['RedrivePolicy'] as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined)?.deadLetterTargetArn['Fn::GetAtt'][0];
      expect(dead.map(([id]) => id)).toContain(target);
    }
  });

  it('sizes the queues from the handlers\' needs: visibility above the claim lease and the incident lock', () => {
    const byName = (name: string) => ofType(bridge, 'AWS::SQS::Queue').find(([, q]) => q.Properties?.['QueueName'] === name)?.[1].Properties ?? {};
    const intake = patchResultsTiming();
    const incidents = listenerTiming();
    expect(byName('patchbridge-patch-results')).toMatchObject({ VisibilityTimeout: intake.visibilityTimeoutSeconds, RedrivePolicy: { maxReceiveCount: intake.maxReceiveCount } });
    expect(byName('patchbridge-incidents')).toMatchObject({ VisibilityTimeout: incidents.visibilityTimeoutSeconds, RedrivePolicy: { maxReceiveCount: incidents.maxReceiveCount } });
    expect(incidents.visibilityTimeoutSeconds).toBeGreaterThan(900);
    expect(intake.visibilityTimeoutSeconds).toBeGreaterThan(120);
  });

  it('deploys every handler in src/handlers as a Node.js 22 arm64 function with source maps and Powertools settings', () => {
    const entries = readdirSync(`${REPO_ROOT}/src/handlers`)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /export const handler\b/.test(readFileSync(`${REPO_ROOT}/src/handlers/${f}`, 'utf8')))
      .map((f) => f.replace(/\.ts$/, ''));
    expect([...HANDLERS].sort()).toEqual(entries.sort());
    const fns = ofType(bridge, 'AWS::Lambda::Function').map(([, f]) => f.Properties ?? {});
    const ours = fns.filter((f) => String((f['Environment'] as { Variables?: Record<string, string> })?.Variables?.['POWERTOOLS_SERVICE_NAME'] ?? '').startsWith('patchbridge-'));
    expect(ours).toHaveLength(HANDLERS.length);
    for (const f of ours) {
      expect(f).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect((f['Environment'] as { Variables: Record<string, string> }).Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', PATCHBRIDGE_SIMULATORS: 'off' });
    }
  });

  it('caps the listener at the ServiceNow in-flight budget, not Lambda\'s', () => {
    template('bridge').hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 4 }, BatchSize: 4 });
  });

  it('grants each handler only its own calls: no wildcard action, StartAutomationExecution only to the API, cancel only to the guard, no AWS calls for the listener', () => {
    const policies = ofType(bridge, 'AWS::IAM::Policy').map(([, p]) => p.Properties ?? {});
    const actionsOf = (fn: keyof typeof stacks.bridge.functions) => {
      const roleId = stacks.bridge.getLogicalId(stacks.bridge.functions[fn].role.node.defaultChild as never);
      return policies
        .filter((p) => JSON.stringify(p['Roles']).includes(roleId))
        .flatMap((p) => (p['PolicyDocument'] as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => [s.Action].flat()));
    };
    for (const fn of HANDLERS) expect(actionsOf(fn).filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const starters = HANDLERS.filter((fn) => actionsOf(fn).includes('ssm:StartAutomationExecution'));
    expect(starters).toEqual(['api']);
    expect(HANDLERS.filter((fn) => actionsOf(fn).includes('ssm:CancelMaintenanceWindowExecution'))).toEqual(['window-guard']);
    expect(actionsOf('servicenow-listener').filter((a) => /^(ssm|s3|sns|sts|tag):/.test(a))).toEqual([]);
    expect(HANDLERS.filter((fn) => actionsOf(fn).includes('secretsmanager:GetSecretValue')).sort()).toEqual(['api', 'compliance-report', 'servicenow-listener', 'window-guard']);
  });

  it('puts the API behind throttling, JSON access logs and a WAF web ACL', () => {
    template('bridge').hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [{ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }],
      AccessLogSetting: { DestinationArn: {} },
    });
    template('bridge').resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('schedules the daily snapshot, the monthly report and the one-minute drains', () => {
    const schedules = ofType(bridge, 'AWS::Events::Rule').map(([, r]) => r.Properties?.['ScheduleExpression']);
    expect(schedules.sort()).toEqual(['cron(0 6 1 * ? *)', 'cron(15 2 * * ? *)', 'rate(1 minute)', 'rate(1 minute)']);
  });
});

describe('PatchingStack', () => {
  const windows = ofType(patching, 'AWS::SSM::MaintenanceWindow');
  const tasks = ofType(patching, 'AWS::SSM::MaintenanceWindowTask').map(([, t]) => t.Properties ?? {});

  it('runs the guard Lambda first in each window, then AWS-RunPatchBaseline Install notifying PatchResults on failure or time-out', () => {
    expect(windows).toHaveLength(2);
    for (const [id] of windows) {
      const own = tasks.filter((t) => JSON.stringify(t['WindowId']) === JSON.stringify({ Ref: id }));
      const [first, ...rest] = [...own].sort((a, b) => Number(a['Priority']) - Number(b['Priority']));
      expect(first).toMatchObject({ TaskType: 'LAMBDA', Priority: GUARD_TASK_PRIORITY });
      expect(JSON.stringify(first?.['TaskArn'])).toMatch(/WindowGuard/);
      expect(rest.every((t) => Number(t['Priority']) > GUARD_TASK_PRIORITY)).toBe(true);
      expect(rest).toEqual([
        expect.objectContaining({
          TaskType: 'RUN_COMMAND',
          TaskArn: 'AWS-RunPatchBaseline',
          TaskInvocationParameters: {
            MaintenanceWindowRunCommandParameters: expect.objectContaining({
              Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
              NotificationConfig: expect.objectContaining({ NotificationEvents: ['Failed', 'TimedOut'], NotificationType: 'Invocation' }),
            }),
          },
        }),
      ]);
    }
  });

  it('has a reference baseline for Windows and every supported Linux, with no approval delay where Patch Manager refuses one', () => {
    const baselines = ofType(patching, 'AWS::SSM::PatchBaseline').map(([, b]) => b.Properties ?? {});
    expect(baselines.map((b) => b['OperatingSystem']).sort()).toEqual(['WINDOWS', ...LINUX_OPERATING_SYSTEMS].sort());
    for (const b of baselines) {
      const rules = (b['ApprovalRules'] as { PatchRules: Record<string, unknown>[] }).PatchRules;
      const delays = rules.map((r) => r['ApproveAfterDays']);
      if (b['OperatingSystem'] === 'UBUNTU' || b['OperatingSystem'] === 'DEBIAN') expect(delays.every((d) => d === undefined)).toBe(true);
      else expect(delays).toEqual([7, 14, 14]);
    }
  });

  it('routes every aws.ssm detail type the normaliser handles to the intake queue', () => {
    template('patching').hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ssm'] } });
  });
});

describe('MemberAccountStack', () => {
  it('lets only the central account assume the bridge role, and only with the external id', () => {
    const role = ofType(member, 'AWS::IAM::Role').find(([, r]) => r.Properties?.['RoleName'] === 'patchbridge-member')?.[1].Properties ?? {};
    expect(role['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:root`]] } },
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        },
      ],
    });
  });

  it('forwards aws.ssm events to the central bus and runs the central guard first in its windows', () => {
    const rule = ofType(member, 'AWS::Events::Rule')[0]?.[1].Properties ?? {};
    expect(JSON.stringify(rule['Targets'])).toContain(`:${CENTRAL_ACCOUNT}:event-bus/default`);
    const guards = ofType(member, 'AWS::SSM::MaintenanceWindowTask').filter(([, t]) => t.Properties?.['Priority'] === GUARD_TASK_PRIORITY);
    expect(guards).toHaveLength(2);
    for (const [, g] of guards) expect(JSON.stringify(g.Properties?.['TaskArn'])).toContain(`:${CENTRAL_ACCOUNT}:function:patchbridge-window-guard`);
  });

  it('prints the PATCHBRIDGE_AWS_ACCOUNTS value the bridge\'s configuration accepts', () => {
    const value = memberAccountsSetting([{ accountId: MEMBER_ACCOUNT, externalId: EXTERNAL_ID }]);
    const config = loadConfig({ PATCHBRIDGE_AWS_ACCOUNTS: value });
    expect(config.aws.accounts).toEqual([
      expect.objectContaining({ id: MEMBER_ACCOUNT, roleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/patchbridge-member`, externalId: EXTERNAL_ID }),
    ]);
  });
});
