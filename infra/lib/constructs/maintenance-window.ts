import { Aws, Fn } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnMaintenanceWindow, CfnMaintenanceWindowTarget, CfnMaintenanceWindowTask } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PATCH_GROUP_TAG } from './patch-baselines.js';

/** The guard task's priority: 0 runs before every other task of the window. */
export const GUARD_TASK_PRIORITY = 0;
/** The patch task's priority: after the guard has decided. */
export const PATCH_TASK_PRIORITY = 1;

/**
 * The guard's task payload. SSM substitutes the `{{…}}` pseudo-parameters; account and
 * region name the window's own, which a cross-account guard (a member window) needs.
 */
export function guardPayload(): string {
  return JSON.stringify({ windowId: '{{WINDOW_ID}}', windowExecutionId: '{{WINDOW_EXECUTION_ID}}', accountId: Aws.ACCOUNT_ID, region: Aws.REGION });
}

export interface PatchWindowProps {
  readonly name: string;
  /** SSM `cron(…)` / `rate(…)`. */
  readonly schedule: string;
  /** @default 'Etc/UTC' */
  readonly scheduleTimezone?: string;
  /** @default 4 */
  readonly durationHours?: number;
  /** @default 1 */
  readonly cutoffHours?: number;
  /** `Patch Group` tag values this window patches. */
  readonly patchGroups: readonly string[];
  /** The guard Lambda (this account's, or the central one for a member account). */
  readonly guardFunctionArn: string;
  /** Role the window assumes to invoke the guard and send the patch command. */
  readonly windowRole: IRole;
  readonly patchResultsTopicArn: string;
  /** Role Run Command assumes to publish to PatchResults. */
  readonly notificationRole: IRole;
  /** @default '10%' */
  readonly maxConcurrency?: string;
  /** @default '10%' */
  readonly maxErrors?: string;
}

/**
 * One maintenance window over the instances of some patch groups: first the
 * guard Lambda (priority 0), which cancels the execution unless an approved
 * change covers it, then `AWS-RunPatchBaseline` Install, whose failed or
 * timed-out invocations are published to PatchResults.
 */
export class PatchWindow extends Construct {
  readonly window: CfnMaintenanceWindow;
  readonly guardTask: CfnMaintenanceWindowTask;
  readonly patchTask: CfnMaintenanceWindowTask;

  constructor(scope: Construct, id: string, props: PatchWindowProps) {
    super(scope, id);
    // CloudFormation cannot create a disabled window; an execution no change covers is cancelled by the guard.
    this.window = new CfnMaintenanceWindow(this, 'Window', {
      name: props.name,
      description: `patchbridge: ${props.patchGroups.join(', ')}; gated by an approved ServiceNow change`,
      schedule: props.schedule,
      scheduleTimezone: props.scheduleTimezone ?? 'Etc/UTC',
      duration: props.durationHours ?? 4,
      cutoff: props.cutoffHours ?? 1,
      allowUnassociatedTargets: false,
    });
    const target = new CfnMaintenanceWindowTarget(this, 'Target', {
      windowId: this.window.ref,
      name: `${props.name}-patch-groups`,
      resourceType: 'INSTANCE',
      targets: [{ key: `tag:${PATCH_GROUP_TAG}`, values: [...props.patchGroups] }],
    });
    this.guardTask = new CfnMaintenanceWindowTask(this, 'GuardTask', {
      windowId: this.window.ref,
      name: 'patchbridge-guard',
      description: 'Cancels this execution unless an approved ServiceNow change covers it (fails closed).',
      taskType: 'LAMBDA',
      taskArn: props.guardFunctionArn,
      priority: GUARD_TASK_PRIORITY,
      serviceRoleArn: props.windowRole.roleArn,
      taskInvocationParameters: {
        // CloudFormation wants the Lambda payload Base64-encoded.
        maintenanceWindowLambdaParameters: { payload: Fn.base64(guardPayload()) },
      },
    });
    this.patchTask = new CfnMaintenanceWindowTask(this, 'PatchTask', {
      windowId: this.window.ref,
      name: 'patchbridge-install',
      taskType: 'RUN_COMMAND',
      taskArn: 'AWS-RunPatchBaseline',
      priority: PATCH_TASK_PRIORITY,
      targets: [{ key: 'WindowTargetIds', values: [target.ref] }],
      maxConcurrency: props.maxConcurrency ?? '10%',
      maxErrors: props.maxErrors ?? '10%',
      serviceRoleArn: props.windowRole.roleArn,
      cutoffBehavior: 'CANCEL_TASK',
      taskInvocationParameters: {
        maintenanceWindowRunCommandParameters: {
          parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
          serviceRoleArn: props.notificationRole.roleArn,
          notificationConfig: { notificationArn: props.patchResultsTopicArn, notificationEvents: ['Failed', 'TimedOut'], notificationType: 'Invocation' },
          timeoutSeconds: 600,
        },
      },
    });
  }
}
