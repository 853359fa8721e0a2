import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { patchingRoleNames } from './constructs/patching-regime.js';
import type { WildcardAllowance } from './nag.js';

const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

/**
 * The SSM calls patchbridge makes in a managed account (its own, or a member's
 * through the member role), one statement per purpose.
 */
export const ssmPermissions = {
  /** Enrichment, snapshots, run status: reads with no resource-level permissions. */
  fleetRead: () =>
    new PolicyStatement({
      actions: [
        'ssm:DescribeInstanceInformation',
        'ssm:DescribeInstancePatchStates',
        'ssm:DescribeInstancePatchStatesForPatchGroup',
        'ssm:DescribePatchGroups',
        'ssm:ListComplianceItems',
        'ssm:ListCommands',
        'ssm:ListCommandInvocations',
        'ssm:GetCommandInvocation',
        'ssm:GetAutomationExecution',
        'ssm:DescribeMaintenanceWindows',
        'ssm:DescribeMaintenanceWindowExecutions',
        'ssm:DescribeMaintenanceWindowExecutionTasks',
        'ssm:DescribeMaintenanceWindowExecutionTaskInvocations',
        'ssm:GetMaintenanceWindow',
        'ssm:GetMaintenanceWindowExecution',
        'ssm:GetCalendarState',
        'tag:GetResources',
      ],
      resources: ['*'],
    }),
  /** Ad hoc runs: start and stop the runbook, passing its role. */
  patchRuns: (prefix: string) => [
    new PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [arn('ssm', `automation-definition/${prefix}-AdHocPatch:*`)] }),
    new PolicyStatement({ actions: ['ssm:StopAutomationExecution'], resources: [arn('ssm', 'automation-execution/*')] }),
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${patchingRoleNames(prefix).automation}`],
      conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    }),
  ],
  /** Change gates enable and disable windows. */
  windowGate: () => new PolicyStatement({ actions: ['ssm:UpdateMaintenanceWindow'], resources: [arn('ssm', 'maintenancewindow/*')] }),
  /** The guard cancels an execution no change covers (no resource-level permission). */
  guardCancel: () => new PolicyStatement({ actions: ['ssm:CancelMaintenanceWindowExecution'], resources: ['*'] }),
};

/** The wildcards of `ssmPermissions`, and why each is needed. */
export const SSM_WILDCARDS: readonly WildcardAllowance[] = [
  {
    finding: /^Resource::\*$/,
    reason: 'SSM Describe*/List*/Get* fleet reads, GetCalendarState, tag:GetResources and CancelMaintenanceWindowExecution support no resource-level permissions; writes are scoped.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition\/.+-AdHocPatch:\*$/,
    reason: 'Every version of the one ad hoc runbook: a runbook update publishes a new version.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:(automation-execution|maintenancewindow)\/\*$/,
    reason: 'Executions the API started and the windows a change gate names; ids are known only at run time and each use is verified against an approved change.',
  },
];
