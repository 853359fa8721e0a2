import { Aws, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { allowWildcards } from '../nag.js';
import { PatchingRegime } from '../constructs/patching-regime.js';
import type { MemberProps, PatchingProps } from '../props.js';
import { SSM_WILDCARDS, ssmPermissions } from '../ssm-permissions.js';
import { guardFunctionName } from './bridge-stack.js';
import { ID_SOURCES } from '../../../src/domain/index.js';

export interface MemberAccountStackProps extends StackProps, PatchingProps, Partial<MemberProps> {
  readonly prefix: string;
}

/**
 * `PATCHBRIDGE_AWS_ACCOUNTS` entry for one member: `ACCOUNT:ROLE_ARN:EXTERNAL_ID`.
 * Join the entries of every member with commas (src/config parses the same form).
 */
export function memberAccountsSetting(members: readonly { accountId: string; roleName?: string; externalId: string; partition?: string }[]): string {
  return members
    .map((m) => `${m.accountId}:arn:${m.partition ?? 'aws'}:iam::${m.accountId}:role/${m.roleName ?? 'patchbridge-member'}:${m.externalId}`)
    .join(',');
}

/**
 * One managed-service customer's account: the patching regime without the bridge
 * (its windows run the central guard first and notify the central PatchResults topic),
 * the role the bridge assumes (external id required), and a rule that forwards
 * `aws.ssm` events to the central account's default bus. Deployed to an
 * Organizations OU as a service-managed StackSet (docs/deploy.md).
 */
export class MemberAccountStack extends Stack {
  readonly role: Role;
  readonly regime: PatchingRegime;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, props);
    // Without context values the template takes them as StackSet parameters (one template for every customer).
    const param = (id: string, description: string, allowedPattern: string, value: string | undefined) =>
      value ?? new CfnParameter(this, id, { type: 'String', description, allowedPattern }).valueAsString;
    const centralAccountId = param('CentralAccountId', 'The account that runs the patchbridge bridge', `^${ID_SOURCES.accountId}$`, props.centralAccountId);
    const externalId = param('ExternalId', 'The external id the bridge presents for this customer (unique per customer)', '^[\\w+=,.@:/-]{2,1224}$', props.externalId);
    const centralRegion = props.centralRegion ?? (props.centralAccountId ? Aws.REGION : param('CentralRegion', 'The region of the bridge', `^${ID_SOURCES.region}$`, undefined));
    const central = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${centralRegion}:${centralAccountId}:${resource}`;
    const roleName = props.roleName ?? 'patchbridge-member';

    this.regime = new PatchingRegime(this, 'Patching', {
      ...props,
      guardFunctionArn: central('lambda', `function:${guardFunctionName(props.prefix)}`),
      patchResultsTopicArn: central('sns', `${props.prefix}-patch-results`),
      // The central key's id is not known here; the grant is limited to that account's keys and its key policy admits only SNS use.
      patchResultsKeyArn: central('kms', 'key/*'),
      eventTarget: new EventBusTarget(EventBus.fromEventBusArn(this, 'CentralBus', central('events', 'event-bus/default'))),
    });

    this.role = new Role(this, 'BridgeRole', {
      roleName,
      description: 'patchbridge (central account) reads this fleet, starts approved patch runs and gates windows',
      assumedBy: new AccountPrincipal(centralAccountId),
      externalIds: [externalId],
    });
    this.role.addToPolicy(ssmPermissions.fleetRead());
    for (const statement of ssmPermissions.patchRuns(props.prefix)) this.role.addToPolicy(statement);
    this.role.addToPolicy(ssmPermissions.windowGate());
    this.role.addToPolicy(ssmPermissions.guardCancel());
    allowWildcards(this, ...SSM_WILDCARDS);

    new CfnOutput(this, 'PatchbridgeAwsAccountsEntry', {
      description: 'This account\'s entry of PATCHBRIDGE_AWS_ACCOUNTS on the bridge (comma-join all members)',
      value: `${Aws.ACCOUNT_ID}:${this.role.roleArn}:${externalId}`,
    });
  }
}
