import { Aws, Stack } from 'aws-cdk-lib';
import { ManagedRule, ManagedRuleIdentifiers, ResourceType, RuleScope } from 'aws-cdk-lib/aws-config';
import { type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DETAIL_TYPES } from '../../../src/events/index.js';
import { allowWildcards } from '../nag.js';
import type { PatchingProps } from '../props.js';
import { AdHocRunbook } from './adhoc-runbook.js';
import { PATCH_GROUP_TAG, PatchBaselines } from './patch-baselines.js';
import { PatchWindow } from './maintenance-window.js';

export interface PatchingRegimeProps extends PatchingProps {
  readonly prefix: string;
  /** The guard Lambda every window runs first (the central one in a member account). */
  readonly guardFunctionArn: string;
  readonly patchResultsTopicArn: string;
  /** The KMS key of the PatchResults topic: publishers need it. An ARN pattern with `*` is allowed for a key in another account. */
  readonly patchResultsKeyArn: string;
  /** Where `aws.ssm` events go: the intake queue, or the central account's bus. */
  readonly eventTarget: IRuleTarget;
}

/** Role names are fixed so the bridge can name them without depending on this stack. */
export function patchingRoleNames(prefix: string) {
  return { notification: `${prefix}-run-command-notify-${Aws.REGION}`, automation: `${prefix}-adhoc-runbook-${Aws.REGION}` } as const;
}

/** Instance ARNs a patch command may address: any managed node of this account and region. */
function managedNodeArns(): string[] {
  return [
    `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/*`,
    `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:managed-instance/*`,
  ];
}

/**
 * Everything that patches one account and region: the reference baselines, the
 * Linux and Windows windows (guard first, then Install notifying PatchResults),
 * the ad hoc runbook, the `aws.ssm` event rule and, optionally, the AWS Config
 * rules that reveal unmanaged or non-compliant instances.
 */
export class PatchingRegime extends Construct {
  readonly baselines: PatchBaselines;
  readonly linuxWindow: PatchWindow;
  readonly windowsWindow: PatchWindow;
  readonly runbook: AdHocRunbook;
  readonly notificationRole: Role;
  readonly windowRole: Role;
  readonly automationRole: Role;
  readonly ssmEvents: Rule;

  constructor(scope: Construct, id: string, props: PatchingRegimeProps) {
    super(scope, id);
    const linuxPatchGroups = props.linuxPatchGroups ?? ['linux'];
    const windowsPatchGroups = props.windowsPatchGroups ?? ['windows'];
    const ssm = new ServicePrincipal('ssm.amazonaws.com');
    const patchDocument = Stack.of(this).formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: 'AWS-RunPatchBaseline' });

    const roleNames = patchingRoleNames(props.prefix);
    this.notificationRole = new Role(this, 'NotificationRole', {
      roleName: roleNames.notification,
      assumedBy: ssm,
      description: 'Run Command publishes patch failures to PatchResults with this role',
    });
    this.notificationRole.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [props.patchResultsTopicArn] }));
    this.notificationRole.addToPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [props.patchResultsKeyArn] }));

    const passNotificationRole = new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.notificationRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
    const sendPatchCommand = new PolicyStatement({ actions: ['ssm:SendCommand'], resources: [patchDocument, ...managedNodeArns()] });
    const followCommands = new PolicyStatement({
      actions: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'],
      resources: ['*'],
    });

    this.windowRole = new Role(this, 'WindowRole', { assumedBy: ssm, description: 'Maintenance windows run the guard and the patch command with this role' });
    this.windowRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.guardFunctionArn] }));
    this.windowRole.addToPolicy(sendPatchCommand);
    this.windowRole.addToPolicy(passNotificationRole);
    this.windowRole.addToPolicy(new PolicyStatement({ actions: ['ssm:CancelCommand', ...followCommands.actions], resources: ['*'] }));

    this.automationRole = new Role(this, 'AutomationRole', { roleName: roleNames.automation, assumedBy: ssm, description: 'The ad hoc patch runbook runs with this role' });
    this.automationRole.addToPolicy(sendPatchCommand);
    this.automationRole.addToPolicy(passNotificationRole);
    this.automationRole.addToPolicy(followCommands);

    allowWildcards(
      this,
      {
        finding: /^Resource::arn:<AWS::Partition>:(ec2|ssm):<AWS::Region>:<AWS::AccountId>:(instance|managed-instance)\/\*$/,
        reason: 'Patch targets are chosen at run time by the Patch Group tag or by the approved change; any managed node of this account and region may be one.',
      },
      {
        finding: /^Resource::\*$/,
        reason: 'ssm:ListCommands, ListCommandInvocations, GetCommandInvocation, DescribeInstanceInformation and CancelCommand support no resource-level permissions.',
      },
      {
        finding: /^Action::kms:GenerateDataKey\*$/,
        reason: 'Publishing to a KMS-encrypted topic needs GenerateDataKey and its variants, on the topic key only.',
      },
      {
        finding: /^Resource::arn:<AWS::Partition>:kms:[^:]+:[^:]+:key\/\*$/,
        reason: 'A member account cannot know the central key id at deploy time; the grant is limited to keys of the central account and region, and the key policy admits only sns use.',
      },
    );

    this.baselines = new PatchBaselines(this, 'Baselines', {
      prefix: props.prefix,
      linuxPatchGroups,
      windowsPatchGroups,
      ...(props.linuxOperatingSystems ? { linuxOperatingSystems: props.linuxOperatingSystems } : {}),
      ...(props.approval ? { approval: props.approval } : {}),
    });

    const common = {
      guardFunctionArn: props.guardFunctionArn,
      windowRole: this.windowRole,
      patchResultsTopicArn: props.patchResultsTopicArn,
      notificationRole: this.notificationRole,
      ...(props.scheduleTimezone ? { scheduleTimezone: props.scheduleTimezone } : {}),
      ...(props.windowHours ? { durationHours: props.windowHours } : {}),
      ...(props.cutoffHours !== undefined ? { cutoffHours: props.cutoffHours } : {}),
    };
    this.linuxWindow = new PatchWindow(this, 'LinuxWindow', {
      ...common,
      name: `${props.prefix}-linux`,
      schedule: props.linuxSchedule ?? 'cron(0 3 ? * SUN *)',
      patchGroups: linuxPatchGroups,
    });
    this.windowsWindow = new PatchWindow(this, 'WindowsWindow', {
      ...common,
      name: `${props.prefix}-windows`,
      schedule: props.windowsSchedule ?? 'cron(0 4 ? * SUN *)',
      patchGroups: windowsPatchGroups,
    });

    this.runbook = new AdHocRunbook(this, 'AdHocRunbook', {
      documentName: `${props.prefix}-AdHocPatch`,
      automationRole: this.automationRole,
      patchResultsTopicArn: props.patchResultsTopicArn,
      notificationRole: this.notificationRole,
    });

    this.ssmEvents = new Rule(this, 'SsmEvents', {
      description: 'Run Command, maintenance window and Automation state changes patchbridge turns into incidents',
      eventPattern: { source: ['aws.ssm'], detailType: Object.values(DETAIL_TYPES) },
      targets: [props.eventTarget],
    });

    if (props.configRules) {
      new ManagedRule(this, 'PatchComplianceRule', {
        description: 'Managed nodes whose patch compliance is NON_COMPLIANT',
        identifier: ManagedRuleIdentifiers.EC2_MANAGED_INSTANCE_PATCH_COMPLIANCE_STATUS_CHECK,
        ruleScope: RuleScope.fromResources([ResourceType.SYSTEMS_MANAGER_PATCH_COMPLIANCE]),
      });
      new ManagedRule(this, 'PatchGroupTagRule', {
        description: `EC2 instances without a ${PATCH_GROUP_TAG} tag are patched by no window`,
        identifier: ManagedRuleIdentifiers.REQUIRED_TAGS,
        inputParameters: { tag1Key: PATCH_GROUP_TAG },
        ruleScope: RuleScope.fromResources([ResourceType.EC2_INSTANCE]),
      });
    }
  }
}
