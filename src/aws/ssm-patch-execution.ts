import {
  CancelCommandCommand,
  GetAutomationExecutionCommand,
  ListCommandsCommand,
  SendCommandCommand,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import type { Clock, Logger } from '../core/index.js';
import { awsCall } from './call.js';
import type { AwsClients } from './client-factory.js';
import { AwsError, isAwsError } from './errors.js';
import { commandCounts, commandIdsOf, defined, phaseOf } from './map-ssm.js';
import type {
  AwsContext,
  FleetInventory,
  PatchExecution,
  PatchTarget,
  RunRef,
  RunStatus,
  SendPatchCommandInput,
  StartPatchRunInput,
  StartPatchRunOptions,
} from './ports.js';
import { withSsmMaxWait } from './ssm-quotas.js';
import { TokenBucket } from './token-bucket.js';

export interface PatchExecutionOptions {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ad hoc patch runbook (`config.patching.runbook`), used when a call names none. */
  readonly runbook: string;
  /** Used by `getRunStatus` to page through invocations. */
  readonly inventory: Pick<FleetInventory, 'listCommandInvocations'>;
  /** `StartAutomationExecution` calls per second per account+region; default 1, the AWS limit. */
  readonly automationTps?: number | undefined;
}

/** SSM caps `Comment` at 100 characters. */
const COMMENT_MAX = 100;
const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

function toSdkTargets(targets: readonly PatchTarget[] | undefined) {
  return targets?.map((t) => ({ Key: t.key, Values: [...t.values] }));
}

function copyParameters(p: Readonly<Record<string, readonly string[]>> | undefined): Record<string, string[]> | undefined {
  if (p === undefined) return undefined;
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [...v]]));
}

/**
 * The `PatchExecution` this adapter builds; `startPatchRun` also takes
 * `StartPatchRunOptions` (a deadline for the throttled start).
 */
export type DeadlinePatchExecution = PatchExecution;

/** Builds the `PatchExecution` port over SSM Automation and Run Command. */
export function createPatchExecution(options: PatchExecutionOptions): DeadlinePatchExecution {
  const { clients, logger } = options;
  const bucket = new TokenBucket(options.clock, options.automationTps ?? 1);
  const START = 'SSM.StartAutomationExecution';

  const startPatchRun = async (ctx: AwsContext, input: StartPatchRunInput, startOptions: StartPatchRunOptions = {}) => {
    if (input.tags !== undefined && Object.keys(input.tags).length > 50) {
      throw new AwsError('INVALID_INPUT', 'SSM.StartAutomationExecution: at most 50 tags', { operation: START });
    }
    const deadline = startOptions.notAfter?.getTime();
    const late = () =>
      new AwsError('THROTTLED', `${START}: the start queue cannot reach SSM by ${startOptions.notAfter?.toISOString()}; not started`, {
        operation: START,
        accountId: ctx.accountId,
        region: ctx.region,
      });
    if (!(await bucket.take(`${ctx.accountId}|${ctx.region}`, deadline === undefined ? {} : { deadline }))) throw late();
    if (deadline !== undefined && options.clock.now().getTime() > deadline) throw late();
    const out = await awsCall(ctx, 'SSM.StartAutomationExecution', () =>
      clients.ssm(ctx).send(
        new StartAutomationExecutionCommand({
          DocumentName: input.documentName ?? options.runbook,
          DocumentVersion: input.documentVersion,
          Parameters: copyParameters(input.parameters),
          ClientToken: input.clientToken,
          Targets: toSdkTargets(input.targets),
          TargetParameterName: input.targetParameterName,
          MaxConcurrency: input.maxConcurrency,
          MaxErrors: input.maxErrors,
          Tags: input.tags && Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    if (!out.AutomationExecutionId) {
      throw new AwsError('UNAVAILABLE', 'SSM.StartAutomationExecution: no execution id returned', {
        operation: 'SSM.StartAutomationExecution',
        requestId: out.$metadata.requestId,
      });
    }
    logger.info({ accountId: ctx.accountId, region: ctx.region, executionId: out.AutomationExecutionId }, 'patch run started');
    return { executionId: out.AutomationExecutionId };
  };

  const sendPatchCommand = async (ctx: AwsContext, input: SendPatchCommandInput) => {
    const parameters: Record<string, string[]> = { Operation: [input.operation] };
    if (input.rebootOption) parameters['RebootOption'] = [input.rebootOption];
    if (input.snapshotId) parameters['SnapshotId'] = [input.snapshotId];
    if (input.installOverrideList) parameters['InstallOverrideList'] = [input.installOverrideList];
    const n = input.notification;
    const out = await awsCall(ctx, 'SSM.SendCommand', () =>
      clients.ssm(ctx).send(
        new SendCommandCommand({
          DocumentName: PATCH_DOCUMENT,
          Targets: toSdkTargets(input.targets),
          Parameters: parameters,
          MaxConcurrency: input.maxConcurrency,
          MaxErrors: input.maxErrors,
          Comment: input.comment.slice(0, COMMENT_MAX),
          TimeoutSeconds: input.timeoutSeconds,
          ServiceRoleArn: n?.serviceRoleArn,
          NotificationConfig: n && {
            NotificationArn: n.topicArn,
            NotificationEvents: [...(n.events ?? ['All'])],
            NotificationType: n.type ?? 'Invocation',
          },
          OutputS3BucketName: input.outputS3?.bucketName,
          OutputS3KeyPrefix: input.outputS3?.keyPrefix,
          CloudWatchOutputConfig: input.cloudWatchOutput && {
            CloudWatchOutputEnabled: true,
            CloudWatchLogGroupName: input.cloudWatchOutput.logGroupName,
          },
        }),
      ),
    );
    const commandId = out.Command?.CommandId;
    if (!commandId) {
      throw new AwsError('UNAVAILABLE', 'SSM.SendCommand: no command id returned', {
        operation: 'SSM.SendCommand',
        requestId: out.$metadata.requestId,
      });
    }
    logger.info({ accountId: ctx.accountId, region: ctx.region, commandId }, 'patch command sent');
    return { commandId };
  };

  const invocationsOf = async (ctx: AwsContext, commandIds: readonly string[], withDetails: boolean) => {
    const all = [];
    for (const id of commandIds) all.push(...(await options.inventory.listCommandInvocations(ctx, id, { withDetails })));
    return all;
  };

  const getRunStatus = async (ctx: AwsContext, ref: RunRef, opts: { withDetails?: boolean; maxWaitMs?: number } = {}): Promise<RunStatus> => {
    const withDetails = opts.withDetails ?? false;
    if (ref.kind === 'automation') {
      const out = await awsCall(ctx, 'SSM.GetAutomationExecution', () =>
        clients.ssm(ctx).send(withSsmMaxWait(new GetAutomationExecutionCommand({ AutomationExecutionId: ref.executionId }), opts.maxWaitMs)),
      );
      const execution = out.AutomationExecution;
      if (!execution) {
        throw new AwsError('NOT_FOUND', `automation execution ${ref.executionId} not found`, { operation: 'SSM.GetAutomationExecution' });
      }
      const commandIds = commandIdsOf(execution);
      const status = execution.AutomationExecutionStatus ?? 'Pending';
      return defined<RunStatus>({
        ref,
        phase: phaseOf(status),
        status,
        startedAt: execution.ExecutionStartTime,
        endedAt: execution.ExecutionEndTime,
        failureMessage: execution.FailureMessage,
        documentName: execution.DocumentName,
        commandIds,
        invocations: await invocationsOf(ctx, commandIds, withDetails),
      });
    }
    const out = await awsCall(ctx, 'SSM.ListCommands', () =>
      clients.ssm(ctx).send(withSsmMaxWait(new ListCommandsCommand({ CommandId: ref.commandId }), opts.maxWaitMs)),
    );
    const command = out.Commands?.[0];
    if (!command) {
      throw new AwsError('NOT_FOUND', `command ${ref.commandId} not found`, { operation: 'SSM.ListCommands' });
    }
    const status = command.Status ?? 'Pending';
    return defined<RunStatus>({
      ref,
      phase: phaseOf(status),
      status,
      statusDetails: command.StatusDetails,
      startedAt: command.RequestedDateTime,
      documentName: command.DocumentName,
      commandIds: [ref.commandId],
      invocations: await invocationsOf(ctx, [ref.commandId], withDetails),
      counts: commandCounts(command),
    });
  };

  const cancelRun = async (ctx: AwsContext, ref: RunRef) => {
    if (ref.kind === 'command') {
      await awsCall(ctx, 'SSM.CancelCommand', () => clients.ssm(ctx).send(new CancelCommandCommand({ CommandId: ref.commandId })));
      return;
    }
    try {
      await awsCall(ctx, 'SSM.StopAutomationExecution', () =>
        clients.ssm(ctx).send(new StopAutomationExecutionCommand({ AutomationExecutionId: ref.executionId, Type: 'Cancel' })),
      );
    } catch (err) {
      // SSM refuses to stop an execution that already ended; for the caller the run is over either way.
      if (isAwsError(err) && err.awsErrorName === 'InvalidAutomationStatusUpdateException') return;
      throw err;
    }
  };

  return { startPatchRun, sendPatchCommand, getRunStatus, cancelRun };
}
