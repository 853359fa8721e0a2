import { createHash } from 'node:crypto';
import type { SimTarget } from './fleet.js';
import { type AutomationFacts, automationExecutionEvent, automationStepEvent } from './notifications.js';
import { cancelCommand, startCommand } from './ssm-commands.js';
import type { AccountState, SimAutomation, SimCommand, SimCore } from './state.js';
import { epoch, type JsonInput, SimAwsError } from './wire.js';
import { ID_PATTERNS } from '../../domain/index.js';

const UUID = ID_PATTERNS.uuid;
const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'CompletedWithSuccess', 'CompletedWithFailure']);
const STEP_NAME = 'PatchInstances';
const STEP_ACTION = 'aws:runCommand';

export interface StartAutomationSpec {
  readonly documentName: string;
  readonly documentVersion?: string | undefined;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly targets?: readonly SimTarget[] | undefined;
  readonly targetParameterName?: string | undefined;
  readonly maxConcurrency?: string | undefined;
  readonly maxErrors?: string | undefined;
  readonly tags?: readonly { Key: string; Value: string }[];
  readonly executedBy: string;
}

function automationFacts(a: SimAutomation): AutomationFacts {
  return {
    executionId: a.executionId,
    documentName: a.documentName,
    documentVersion: a.documentVersion,
    startAt: a.startAt,
    ...(a.endAt === undefined ? {} : { endAt: a.endAt }),
    executedBy: a.executedBy,
  };
}

/** Which instances the patch runbook works on: its Targets, else `InstanceIds` / `InstanceId`, else `PatchGroup`. */
function runbookTargets(spec: StartAutomationSpec): { instanceIds?: string[]; targets?: SimTarget[] } {
  if (spec.targets && spec.targets.length > 0) {
    const ids = spec.targets.filter((t) => t.key === 'InstanceIds' || t.key === 'ParameterValues').flatMap((t) => t.values);
    const tagTargets = spec.targets.filter((t) => t.key !== 'InstanceIds' && t.key !== 'ParameterValues');
    return ids.length > 0 && tagTargets.length === 0 ? { instanceIds: ids } : { targets: [...tagTargets] };
  }
  const ids = [...(spec.parameters['InstanceIds'] ?? []), ...(spec.parameters['InstanceId'] ?? [])].flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (ids.length > 0) return { instanceIds: ids };
  const group = spec.parameters['PatchGroup']?.[0];
  if (group) return { targets: [{ key: 'tag:Patch Group', values: [group] }] };
  return {};
}

function stepStatusOf(c: SimCommand): string {
  if (c.status === 'Success') return 'Success';
  if (c.status === 'Cancelled') return 'Cancelled';
  if (c.status === 'TimedOut') return 'TimedOut';
  return 'Failed';
}

/**
 * Runs the ad hoc patch runbook: one `aws:runCommand` step that sends
 * AWS-RunPatchBaseline to the resolved targets, with the runbook's notification topic.
 */
export function startAutomation(core: SimCore, state: AccountState, spec: StartAutomationSpec): SimAutomation {
  const now = core.scheduler.now();
  const automation: SimAutomation = {
    executionId: core.rng.uuid(),
    scope: state.scope,
    documentName: spec.documentName,
    documentVersion: spec.documentVersion && spec.documentVersion !== '$DEFAULT' && spec.documentVersion !== '$LATEST' ? spec.documentVersion : '1',
    parameters: spec.parameters,
    targets: spec.targets ?? [],
    ...(spec.targetParameterName ? { targetParameterName: spec.targetParameterName } : {}),
    ...(spec.maxConcurrency ? { maxConcurrency: spec.maxConcurrency } : {}),
    ...(spec.maxErrors ? { maxErrors: spec.maxErrors } : {}),
    tags: spec.tags ?? [],
    executedBy: spec.executedBy,
    startAt: now,
    status: 'Pending',
    steps: [
      {
        stepExecutionId: core.rng.uuid(),
        stepName: STEP_NAME,
        action: STEP_ACTION,
        status: 'Pending',
        inputs: { DocumentName: '"AWS-RunPatchBaseline"' },
        outputs: {},
      },
    ],
    cancelRequested: false,
    onDone: [],
  };
  state.automations.set(automation.executionId, automation);
  const step = automation.steps[0]!;

  const finish = (status: string, failureMessage?: string) => {
    automation.status = status;
    automation.endAt = core.scheduler.now();
    if (failureMessage) automation.failureMessage = failureMessage;
    core.deliveries.emitEvent(automationExecutionEvent(state.scope, core.rng.uuid(), automationFacts(automation), status, automation.endAt));
    for (const fn of automation.onDone.splice(0)) fn(automation);
  };

  core.scheduler.after(1_000, () => {
    if (automation.cancelRequested) return finish('Cancelled');
    automation.status = 'InProgress';
    core.deliveries.emitEvent(automationExecutionEvent(state.scope, core.rng.uuid(), automationFacts(automation), 'InProgress', core.scheduler.now()));
    const target = runbookTargets(spec);
    step.status = 'InProgress';
    step.startAt = core.scheduler.now();
    if (!target.instanceIds && !target.targets) {
      step.status = 'Failed';
      step.endAt = step.startAt;
      step.failureMessage = 'No targets: the runbook needs Targets, InstanceIds, InstanceId or PatchGroup.';
      core.deliveries.emitEvent(
        automationStepEvent(state.scope, core.rng.uuid(), automationFacts(automation), { name: STEP_NAME, action: STEP_ACTION, status: 'Failed', startAt: step.startAt, endAt: step.endAt }, step.endAt),
      );
      return finish('Failed', `Step ${STEP_NAME} failed: ${step.failureMessage}`);
    }
    const parameters: Record<string, string[]> = {
      Operation: [spec.parameters['Operation']?.[0] ?? 'Install'],
      RebootOption: [spec.parameters['RebootOption']?.[0] ?? 'RebootIfNeeded'],
    };
    const snapshot = spec.parameters['SnapshotId']?.[0];
    if (snapshot) parameters['SnapshotId'] = [snapshot];
    const command = startCommand(core, state, {
      documentName: 'AWS-RunPatchBaseline',
      parameters,
      ...target,
      comment: `Automation ${automation.executionId}`.slice(0, 100),
      maxConcurrency: spec.maxConcurrency ?? '10%',
      maxErrors: spec.maxErrors ?? '10%',
      ...(core.automationNotification ? { notification: core.automationNotification } : {}),
    });
    automation.commandId = command.commandId;
    step.outputs = { CommandId: [command.commandId] };
    command.onDone.push((c) => {
      step.status = stepStatusOf(c);
      step.endAt = core.scheduler.now();
      step.outputs = { CommandId: [c.commandId], Status: [c.status], ResponseCode: [c.errorCount === 0 ? '0' : '1'] };
      if (step.status !== 'Success') {
        step.failureMessage = `Step fails when it is verifying the command has completed. Command ${c.commandId} returns unexpected invocation result: {Status=[${c.status}], ResponseCode=[1]}.`;
      }
      core.deliveries.emitEvent(
        automationStepEvent(
          state.scope,
          core.rng.uuid(),
          automationFacts(automation),
          { name: STEP_NAME, action: STEP_ACTION, status: step.status, startAt: step.startAt ?? automation.startAt, endAt: step.endAt },
          step.endAt,
        ),
      );
      if (automation.cancelRequested) return finish('Cancelled');
      finish(step.status, step.failureMessage && `Step ${STEP_NAME} failed: ${step.failureMessage}`);
    });
  });
  return automation;
}

function fingerprint(input: JsonInput): string {
  const { ClientToken: _ignored, ...rest } = input.raw;
  const canonical = JSON.stringify(rest, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

function automationJson(a: SimAutomation) {
  const step = a.steps[0];
  return {
    AutomationExecutionId: a.executionId,
    DocumentName: a.documentName,
    DocumentVersion: a.documentVersion,
    ExecutionStartTime: epoch(a.startAt),
    ...(a.endAt === undefined ? {} : { ExecutionEndTime: epoch(a.endAt) }),
    AutomationExecutionStatus: a.status,
    StepExecutions: a.steps.map((s) => ({
      StepName: s.stepName,
      Action: s.action,
      ...(s.startAt === undefined ? {} : { ExecutionStartTime: epoch(s.startAt) }),
      ...(s.endAt === undefined ? {} : { ExecutionEndTime: epoch(s.endAt) }),
      StepStatus: s.status,
      Inputs: s.inputs,
      Outputs: s.outputs,
      ...(s.failureMessage ? { FailureMessage: s.failureMessage } : {}),
      StepExecutionId: s.stepExecutionId,
      OnFailure: 'Abort',
      MaxAttempts: 1,
      IsEnd: true,
      IsCritical: true,
    })),
    StepExecutionsTruncated: false,
    Parameters: a.parameters,
    Outputs: step?.outputs['CommandId'] ? { [`${STEP_NAME}.CommandId`]: step.outputs['CommandId'] } : {},
    ...(a.failureMessage ? { FailureMessage: a.failureMessage } : {}),
    Mode: 'Auto',
    ExecutedBy: a.executedBy,
    ...(a.status === 'InProgress' ? { CurrentStepName: STEP_NAME, CurrentAction: STEP_ACTION } : {}),
    ...(a.targets.length > 0 ? { Targets: a.targets.map((t) => ({ Key: t.key, Values: t.values })) } : {}),
    ...(a.targetParameterName ? { TargetParameterName: a.targetParameterName } : {}),
    ...(a.maxConcurrency ? { MaxConcurrency: a.maxConcurrency } : {}),
    ...(a.maxErrors ? { MaxErrors: a.maxErrors } : {}),
    AutomationType: 'Local',
  };
}

function getAutomation(state: AccountState, id: string): SimAutomation {
  const a = state.automations.get(id);
  if (!a) throw new SimAwsError('AutomationExecutionNotFoundException', `Automation Execution id ${id} not found.`);
  return a;
}

/** Stops an execution: its command is cancelled and it ends Cancelled. */
export function stopAutomation(core: SimCore, state: AccountState, a: SimAutomation): void {
  if (TERMINAL.has(a.status)) {
    throw new SimAwsError('InvalidAutomationStatusUpdateException', `The specified update status operation is not valid for execution ${a.executionId} in status ${a.status}.`);
  }
  a.cancelRequested = true;
  a.status = 'Cancelling';
  const command = a.commandId ? state.commands.get(a.commandId) : undefined;
  if (command) cancelCommand(core, command);
}

export interface AutomationCaller {
  /** The caller's IAM ARN (`ExecutedBy`). */
  readonly arn: string;
}

export const automationHandlers = {
  StartAutomationExecution(core: SimCore, state: AccountState, input: JsonInput, caller: AutomationCaller) {
    const documentName = input.need('DocumentName', { pattern: /^[a-zA-Z0-9_\-.:/]{3,128}$/ });
    const token = input.str('ClientToken', { pattern: UUID });
    const fp = fingerprint(input);
    if (token) {
      const seen = state.clientTokens.get(token);
      if (seen) {
        if (seen.fingerprint !== fp) {
          throw new SimAwsError('IdempotentParameterMismatch', 'Error returned when an idempotent operation is retried and the parameters don\'t match the original call to the API with the same idempotency token.');
        }
        return { AutomationExecutionId: seen.executionId };
      }
    }
    const tags = (Array.isArray(input.raw['Tags']) ? (input.raw['Tags'] as { Key?: unknown; Value?: unknown }[]) : []).map((t) => ({
      Key: String(t.Key ?? ''),
      Value: String(t.Value ?? ''),
    }));
    const automation = startAutomation(core, state, {
      documentName,
      ...(input.str('DocumentVersion') ? { documentVersion: input.str('DocumentVersion') } : {}),
      parameters: input.paramMap('Parameters') ?? {},
      targets: input.keyValues('Targets'),
      ...(input.str('TargetParameterName') ? { targetParameterName: input.str('TargetParameterName') } : {}),
      ...(input.str('MaxConcurrency') ? { maxConcurrency: input.str('MaxConcurrency') } : {}),
      ...(input.str('MaxErrors') ? { maxErrors: input.str('MaxErrors') } : {}),
      tags,
      executedBy: caller.arn,
    });
    if (token) state.clientTokens.set(token, { fingerprint: fp, executionId: automation.executionId });
    return { AutomationExecutionId: automation.executionId };
  },

  GetAutomationExecution(_core: SimCore, state: AccountState, input: JsonInput) {
    return { AutomationExecution: automationJson(getAutomation(state, input.need('AutomationExecutionId'))) };
  },

  StopAutomationExecution(core: SimCore, state: AccountState, input: JsonInput) {
    const a = getAutomation(state, input.need('AutomationExecutionId'));
    const type = input.str('Type') ?? 'Cancel';
    if (type !== 'Cancel' && type !== 'Complete') throw new SimAwsError('ValidationException', `Type ${type} is not valid.`);
    stopAutomation(core, state, a);
    return {};
  },
} as const;
