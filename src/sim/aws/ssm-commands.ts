import { PLATFORM_INFO, type SimPatch, STATE } from './catalog.js';
import { baselineOf, type Fleet, HOSTILE_LONG, type InvocationOutcome, patchGroupOf, resolveTargets, type SimInstance, type SimTarget } from './fleet.js';
import {
  type CommandFacts,
  commandEvent,
  invocationEvent,
  snsCommandMessage,
  snsInvocationMessage,
} from './notifications.js';
import { Rng } from './random.js';
import type { AccountState, CommandStatus, NotificationSpec, SimCommand, SimCore, SimInvocation } from './state.js';
import { epoch, JsonInput, page, SimAwsError, validation } from './wire.js';
import { ID_PATTERNS } from '../../domain/index.js';
import { INVOCATION_FILTER_STATUSES } from '../../aws/index.js';

const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';
const INSTANCE_ID = ID_PATTERNS.instanceId;
const COMMAND_ID = /^[0-9a-fA-F-]{36}$/;
const TERMINAL = new Set<CommandStatus>(['Success', 'Failed', 'TimedOut', 'Cancelled']);
/** SSM returns at most this much output inline. */
const STDOUT_MAX = 24_000;
const STDERR_MAX = 8_000;
const PLUGIN_OUTPUT_MAX = 2_500;

export interface StartCommandSpec {
  readonly documentName: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly instanceIds?: readonly string[] | undefined;
  readonly targets?: readonly SimTarget[] | undefined;
  readonly comment?: string | undefined;
  readonly maxConcurrency?: string | undefined;
  readonly maxErrors?: string | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly serviceRoleArn?: string | undefined;
  readonly notification?: NotificationSpec | undefined;
  readonly outputS3BucketName?: string | undefined;
  readonly outputS3KeyPrefix?: string | undefined;
  readonly cloudWatchLogGroup?: string | undefined;
}

function isTerminal(status: CommandStatus): boolean {
  return TERMINAL.has(status);
}

/** `'10%'` or `'5'` of `total`, at least 1 for concurrency. */
function parseLimit(spec: string, total: number, floor: number): number {
  const m = /^(\d+)(%?)$/.exec(spec.trim());
  if (!m) throw validation(`Value '${spec}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`);
  const n = Number(m[1]);
  const v = m[2] === '%' ? Math.ceil((n * total) / 100) : n;
  return Math.max(floor, v);
}

function facts(c: SimCommand): CommandFacts {
  return {
    commandId: c.commandId,
    documentName: c.documentName,
    requestedInstanceIds: c.requestedInstanceIds,
    requestedAt: c.requestedAt,
    expiresAt: c.expiresAt,
    outputS3BucketName: c.outputS3BucketName,
    outputS3KeyPrefix: c.outputS3KeyPrefix,
    parameters: c.parameters,
  };
}

function wants(n: NotificationSpec | undefined, type: 'Command' | 'Invocation', status: CommandStatus): n is NotificationSpec {
  if (!n || n.type !== type) return false;
  // SNS never carries Pending or Cancelling (per the SSM documentation).
  if (status === 'Pending' || status === 'Cancelling' || status === 'Delayed') return false;
  return n.events.includes('All') || n.events.includes(status);
}

function notifyCommand(core: SimCore, c: SimCommand): void {
  const now = core.scheduler.now();
  if (wants(c.notification, 'Command', c.status)) {
    core.deliveries.publishSns(c.notification.topicArn, JSON.stringify(snsCommandMessage(facts(c), c.status, now)));
  }
  if (c.status !== 'Pending' && c.status !== 'Cancelling') {
    core.deliveries.emitEvent(
      commandEvent(c.scope, core.rng.uuid(), facts(c), c.invocations.map((i) => i.instanceId), c.status, now),
    );
  }
}

function notifyInvocation(core: SimCore, c: SimCommand, inv: SimInvocation): void {
  const now = core.scheduler.now();
  if (wants(c.notification, 'Invocation', inv.status)) {
    core.deliveries.publishSns(c.notification.topicArn, JSON.stringify(snsInvocationMessage(facts(c), inv.instanceId, inv.status, now)));
  }
  if (inv.status !== 'Pending' && inv.status !== 'Cancelling') {
    core.deliveries.emitEvent(invocationEvent(c.scope, core.rng.uuid(), facts(c), inv.instanceId, inv.status, now));
  }
}

function instanceName(instance: SimInstance | undefined): string {
  if (!instance) return '';
  return instance.activationName ?? instance.computerName;
}

/** Chooses an invocation's fate: forced, undeliverable (offline), or drawn from the seed. */
function outcomeFor(core: SimCore, fleet: Fleet, commandId: string, instance: SimInstance | undefined): InvocationOutcome | 'Undeliverable' {
  if (!instance) return 'Undeliverable';
  const forced = core.forcedOutcomes.get(instance.instanceId) ?? instance.forcedOutcome;
  if (forced) return forced;
  if (instance.pingStatus !== 'Online') return 'Undeliverable';
  const x = Rng.derive(core.seed, 'outcome', commandId, instance.instanceId).next();
  if (x < fleet.failureRate * 0.75) return 'Failed';
  if (x < fleet.failureRate) return 'TimedOut';
  return 'Success';
}

function patchOutput(fleet: Fleet, c: SimCommand, instance: SimInstance, installed: SimPatch[], failed: SimPatch[]) {
  const op = c.parameters['Operation']?.[0] ?? 'Scan';
  const info = PLATFORM_INFO[instance.platform];
  const lines = [
    `Patch group: ${patchGroupOf(instance) ?? '(none)'}`,
    `Operation type: ${op}, reboot option: ${c.parameters['RebootOption']?.[0] ?? 'RebootIfNeeded'}`,
    `Using patch baseline ${baselineOf(fleet, instance)} for ${info.operatingSystem}`,
  ];
  for (const p of installed) lines.push(`Installed ${p.id} (${p.classification}, ${p.vendorSeverity})`);
  for (const p of failed) lines.push(`Failed to install ${p.id}`);
  lines.push(failed.length > 0 ? 'Patch operation completed with failures.' : 'Patch operation completed successfully.');
  const stderr = failed
    .map((p) =>
      info.platformType === 'Windows'
        ? `Install-WindowsUpdate : The installation of ${p.id} failed with HRESULT 0x80070643.`
        : `Error: Transaction check error: package ${p.id} failed to install (exit status 1)`,
    )
    .join('\n');
  // The hostile knob: tools print whatever they like, and the tail is what patchbridge quotes.
  const hostile = fleet.hostile && failed.length > 0 ? `${HOSTILE_LONG}\n` : '';
  return { stdout: `${lines.join('\n')}\n`, stderr: stderr ? `${stderr}\n${hostile}` : hostile };
}

/** Applies a finished AWS-RunPatchBaseline invocation to the instance's patch states. */
function applyPatchOutcome(core: SimCore, fleet: Fleet, c: SimCommand, instance: SimInstance, outcome: InvocationOutcome, startAt: number, endAt: number) {
  const op = c.parameters['Operation']?.[0] === 'Install' ? 'Install' : 'Scan';
  const reboot = c.parameters['RebootOption']?.[0] === 'NoReboot' ? 'NoReboot' : 'RebootIfNeeded';
  const catalog = fleet.catalogs[instance.platform];
  const installed: SimPatch[] = [];
  const failed: SimPatch[] = [];
  if (outcome === 'TimedOut') return { stdout: 'Patch operation still running when the execution timed out.\n', stderr: '' };
  if (op === 'Install') {
    const rng = Rng.derive(core.seed, 'install', c.commandId, instance.instanceId);
    const pending: number[] = [];
    for (let k = 0; k < instance.states.length; k++) {
      const s = instance.states[k];
      if (s === STATE.Missing || s === STATE.Failed) pending.push(k);
      else if (s === STATE.InstalledPendingReboot && reboot === 'RebootIfNeeded') instance.states[k] = STATE.Installed;
    }
    const failIdx = outcome === 'Failed' ? new Set(pending.filter(() => rng.chance(0.5))) : new Set<number>();
    if (outcome === 'Failed' && failIdx.size === 0) {
      // A failed install leaves at least one patch failed; with nothing missing, the first installed one is re-marked.
      const k = pending[0] ?? instance.states.indexOf(STATE.Installed);
      if (k >= 0) failIdx.add(k);
    }
    for (const k of pending) {
      const patch = catalog[k];
      if (!patch) continue;
      if (failIdx.has(k)) {
        instance.states[k] = STATE.Failed;
        failed.push(patch);
      } else {
        instance.states[k] = reboot === 'NoReboot' && patch.requiresReboot ? STATE.InstalledPendingReboot : STATE.Installed;
        instance.installedAt[k] = endAt;
        installed.push(patch);
      }
    }
    for (const k of failIdx) {
      if (!pending.includes(k) && catalog[k]) {
        instance.states[k] = STATE.Failed;
        failed.push(catalog[k]!);
      }
    }
  }
  const snapshot = c.parameters['SnapshotId']?.[0];
  instance.patch = {
    baselineId: baselineOf(fleet, instance),
    ...(snapshot ? { snapshotId: snapshot } : {}),
    operation: op,
    startAt,
    endAt,
    rebootOption: reboot,
    ...(op === 'Install' && reboot === 'NoReboot' ? { lastNoRebootInstallAt: endAt } : (instance.patch?.lastNoRebootInstallAt ? { lastNoRebootInstallAt: instance.patch.lastNoRebootInstallAt } : {})),
    executionId: c.commandId,
  };
  return patchOutput(fleet, c, instance, installed, failed);
}

function finishCommand(core: SimCore, c: SimCommand, maxErrors: number): void {
  if (c.invocations.some((i) => !isTerminal(i.status))) return;
  if (c.cancelRequested) {
    c.status = 'Cancelled';
    c.statusDetails = 'Cancelled';
  } else if (c.invocations.length === 0) {
    c.status = 'Success';
    c.statusDetails = c.targets.length > 0 ? 'No Instances In Tag' : 'Success';
  } else if (c.errorCount === 0) {
    c.status = 'Success';
    c.statusDetails = 'Success';
  } else {
    const onlyTimeouts = c.invocations.every((i) => i.status === 'Success' || i.status === 'TimedOut' || i.status === 'Cancelled');
    if (c.errorCount > maxErrors && onlyTimeouts) {
      c.status = 'TimedOut';
      c.statusDetails = c.deliveryTimedOutCount > 0 ? 'Delivery Timed Out' : 'Execution Timed Out';
    } else {
      c.status = 'Failed';
      // Errors within MaxErrors leave the command "Incomplete" rather than failed outright.
      c.statusDetails = c.errorCount > maxErrors ? 'Failed' : 'Incomplete';
    }
  }
  notifyCommand(core, c);
  for (const fn of c.onDone.splice(0)) fn(c);
}

/**
 * Starts a command over simulated time: invocations are dispatched `MaxConcurrency`
 * at a time, run for a seeded duration, end as the seed (or a forced outcome) says,
 * update patch state, and emit SNS notifications and EventBridge events as they go.
 */
export function startCommand(core: SimCore, state: AccountState, spec: StartCommandSpec): SimCommand {
  const fleet = state.fleet;
  const now = core.scheduler.now();
  const instanceIds = spec.instanceIds ?? [];
  const targets = spec.targets ?? [];
  const instances: (SimInstance | undefined)[] =
    instanceIds.length > 0 ? instanceIds.map((id) => fleet.byId.get(id)) : resolveTargets(fleet, targets);
  const ids = instanceIds.length > 0 ? [...instanceIds] : instances.map((i) => i!.instanceId);
  const timeoutSeconds = spec.timeoutSeconds ?? 3600;
  const commandId = core.rng.uuid();
  const invocations: SimInvocation[] = ids.map((id, k) => ({
    instanceId: id,
    instanceName: instanceName(instances[k]),
    status: 'Pending',
    statusDetails: 'Pending',
    requestedAt: now,
    responseCode: -1,
    stdout: '',
    stderr: '',
    pluginName: instances[k] ? PLATFORM_INFO[instances[k].platform].pluginName : 'PatchLinux',
  }));
  const command: SimCommand = {
    commandId,
    scope: state.scope,
    documentName: spec.documentName,
    documentVersion: '1',
    comment: spec.comment ?? '',
    parameters: spec.parameters,
    requestedInstanceIds: instanceIds.length > 0 ? [...instanceIds] : (targets.find((t) => t.key === 'InstanceIds')?.values ?? []),
    targets,
    requestedAt: now,
    expiresAt: now + timeoutSeconds * 1000,
    status: 'Pending',
    statusDetails: 'Pending',
    maxConcurrency: spec.maxConcurrency ?? '50',
    maxErrors: spec.maxErrors ?? '0',
    timeoutSeconds,
    ...(spec.serviceRoleArn ? { serviceRoleArn: spec.serviceRoleArn } : {}),
    ...(spec.notification ? { notification: spec.notification } : {}),
    ...(spec.outputS3BucketName ? { outputS3BucketName: spec.outputS3BucketName } : {}),
    ...(spec.outputS3KeyPrefix ? { outputS3KeyPrefix: spec.outputS3KeyPrefix } : {}),
    ...(spec.cloudWatchLogGroup ? { cloudWatchLogGroup: spec.cloudWatchLogGroup } : {}),
    invocations,
    byInstance: new Map(invocations.map((i) => [i.instanceId, i])),
    errorCount: 0,
    completedCount: 0,
    deliveryTimedOutCount: 0,
    cancelRequested: false,
    onDone: [],
  };
  state.commands.set(commandId, command);
  state.commandList.unshift(command);

  const total = invocations.length;
  const slots = parseLimit(command.maxConcurrency, total, 1);
  const maxErrors = parseLimit(command.maxErrors, total, 0);
  const queue = [...invocations];
  let running = 0;
  const durations = Rng.derive(core.seed, 'durations', commandId);
  const isPatch = spec.documentName === PATCH_DOCUMENT;
  const install = spec.parameters['Operation']?.[0] === 'Install';

  const end = (inv: SimInvocation, status: CommandStatus, details: string, code: number) => {
    if (isTerminal(inv.status)) return;
    inv.status = status;
    inv.statusDetails = details;
    inv.responseCode = code;
    inv.endAt = core.scheduler.now();
    command.completedCount++;
    if (status === 'Failed' || status === 'TimedOut') command.errorCount++;
    if (details === 'DeliveryTimedOut' || details === 'Undeliverable') command.deliveryTimedOutCount++;
    notifyInvocation(core, command, inv);
    running = Math.max(0, running - 1);
    if (command.errorCount > maxErrors) {
      // Past MaxErrors SSM stops sending the command to further targets.
      for (const q of queue.splice(0)) {
        q.status = 'Cancelled';
        q.statusDetails = 'Cancelled';
        q.endAt = core.scheduler.now();
        command.completedCount++;
      }
    }
    dispatch();
    finishCommand(core, command, maxErrors);
  };

  const runOne = (inv: SimInvocation) => {
    const instance = fleet.byId.get(inv.instanceId);
    const outcome = outcomeFor(core, fleet, commandId, instance);
    if (outcome === 'Undeliverable') {
      // The agent never picks it up: it stays Pending until the command's timeout.
      core.scheduler.at(command.expiresAt, () => end(inv, 'TimedOut', 'DeliveryTimedOut', -1));
      return;
    }
    const startDelay = durations.int(1_000, 5_000);
    core.scheduler.after(startDelay, () => {
      if (isTerminal(inv.status) || inv.status === 'Cancelling') return;
      inv.status = 'InProgress';
      inv.statusDetails = 'InProgress';
      inv.startAt = core.scheduler.now();
      if (instance) instance.lastPingAt = inv.startAt;
      notifyInvocation(core, command, inv);
      const runMs =
        outcome === 'TimedOut' ? timeoutSeconds * 1000 : install ? durations.int(120_000, 1_200_000) : durations.int(30_000, 180_000);
      core.scheduler.after(runMs, () => {
        if (isTerminal(inv.status)) return;
        const endAt = core.scheduler.now();
        if (instance && isPatch) {
          const out = applyPatchOutcome(core, fleet, command, instance, outcome, inv.startAt ?? endAt, endAt);
          inv.stdout = out.stdout;
          inv.stderr = out.stderr;
        } else {
          inv.stdout = outcome === 'Success' ? 'Command completed.\n' : '';
          inv.stderr = outcome === 'Failed' ? 'Command failed with exit status 1.\n' : '';
        }
        if (outcome === 'Success') end(inv, 'Success', 'Success', 0);
        else if (outcome === 'Failed') end(inv, 'Failed', 'Failed', 1);
        else end(inv, 'TimedOut', 'ExecutionTimedOut', -1);
      });
    });
  };

  const dispatch = () => {
    while (running < slots && queue.length > 0 && !command.cancelRequested) {
      const inv = queue.shift()!;
      if (isTerminal(inv.status) || inv.status === 'Cancelling') continue;
      running++;
      runOne(inv);
    }
  };

  core.scheduler.at(now, () => {
    if (command.cancelRequested) return;
    command.status = 'InProgress';
    command.statusDetails = 'InProgress';
    notifyCommand(core, command);
    dispatch();
    finishCommand(core, command, maxErrors);
  });
  return command;
}

/** Cancels pending invocations at once and running ones shortly after (the agent has to stop). */
export function cancelCommand(core: SimCore, command: SimCommand, instanceIds?: readonly string[]): void {
  if (isTerminal(command.status)) return;
  const selected = instanceIds?.length ? command.invocations.filter((i) => instanceIds.includes(i.instanceId)) : command.invocations;
  if (!instanceIds?.length) {
    command.cancelRequested = true;
    command.status = 'Cancelling';
    command.statusDetails = 'Cancelling';
  }
  const maxErrors = parseLimit(command.maxErrors, command.invocations.length, 0);
  for (const inv of selected) {
    if (isTerminal(inv.status)) continue;
    const wasRunning = inv.status === 'InProgress';
    inv.status = 'Cancelling';
    inv.statusDetails = 'Cancelling';
    core.scheduler.after(wasRunning ? 5_000 : 0, () => {
      if (isTerminal(inv.status)) return;
      inv.status = 'Cancelled';
      inv.statusDetails = 'Cancelled';
      inv.endAt = core.scheduler.now();
      command.completedCount++;
      notifyInvocation(core, command, inv);
      finishCommand(core, command, maxErrors);
    });
  }
}

// ---------------------------------------------------------------------------
// Wire handlers
// ---------------------------------------------------------------------------

function commandJson(c: SimCommand) {
  return {
    CommandId: c.commandId,
    DocumentName: c.documentName,
    DocumentVersion: c.documentVersion,
    Comment: c.comment,
    ExpiresAfter: epoch(c.expiresAt),
    Parameters: c.parameters,
    InstanceIds: c.requestedInstanceIds,
    Targets: c.targets.map((t) => ({ Key: t.key, Values: t.values })),
    RequestedDateTime: epoch(c.requestedAt),
    Status: c.status,
    StatusDetails: c.statusDetails,
    OutputS3Region: c.scope.region,
    OutputS3BucketName: c.outputS3BucketName ?? '',
    OutputS3KeyPrefix: c.outputS3KeyPrefix ?? '',
    MaxConcurrency: c.maxConcurrency,
    MaxErrors: c.maxErrors,
    TargetCount: c.invocations.length,
    CompletedCount: c.completedCount,
    ErrorCount: c.errorCount,
    DeliveryTimedOutCount: c.deliveryTimedOutCount,
    ...deliveryConfigJson(c),
    TimeoutSeconds: c.timeoutSeconds,
  };
}

/** `CommandFilter` keys (the API's enum); `ExecutionStage` applies to `ListCommands` only. */
const COMMAND_FILTER_KEYS = ['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName'] as const;
/** Status values each listing accepts in a `Status` filter (API reference, `CommandFilter`). */
const FILTER_STATUSES: Readonly<Record<CommandListing, ReadonlySet<string>>> = {
  ListCommandInvocations: new Set(INVOCATION_FILTER_STATUSES),
  ListCommands: new Set([
    'Pending',
    'InProgress',
    'Success',
    'Cancelled',
    'Failed',
    'TimedOut',
    'AccessDenied',
    'DeliveryTimedOut',
    'ExecutionTimedOut',
    'Incomplete',
    'NoInstancesInTag',
    'LimitExceeded',
  ]),
};

type CommandListing = 'ListCommands' | 'ListCommandInvocations';
/** A command filter's test: of a command, and for `ListCommandInvocations` of one of its invocations. */
type CommandFilterTest = (c: SimCommand, inv: SimInvocation | undefined) => boolean;

/**
 * `Filters` of `ListCommands` and `ListCommandInvocations`, validated as SSM does:
 * 1 to 5 lowercase `{ key, value }` pairs, the key from the enum (otherwise
 * `ValidationException`), and a value the key cannot take refused with
 * `InvalidFilterKey`, the only filter error the operations declare; so is
 * `ExecutionStage` on `ListCommandInvocations`. A `Status` filter matches the
 * status or its detail: `TimedOut` takes delivery and execution time-outs alike,
 * `DeliveryTimedOut` only the former. `ExecutionStage` is `Executing` or `Complete`.
 */
function commandFilters(input: JsonInput, operation: CommandListing): CommandFilterTest[] {
  const raw = input.raw['Filters'];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new SimAwsError('SerializationException', 'Filters must be a list');
  if (raw.length < 1) throw validation("Value at 'filters' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (raw.length > 5) throw validation("Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5");
  return raw.map((f, i): CommandFilterTest => {
    const o = new JsonInput(f);
    const key = o.str('key', { required: true }) as string;
    const value = o.str('value', { required: true }) as string;
    if (!(COMMAND_FILTER_KEYS as readonly string[]).includes(key)) {
      throw validation(`Value '${key}' at 'filters.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${COMMAND_FILTER_KEYS.join(', ')}]`);
    }
    if (value.length < 1 || value.length > 128) {
      throw validation(`Value '${value}' at 'filters.${i + 1}.member.value' failed to satisfy constraint: Member must have length between 1 and 128`);
    }
    const invalid = () => new SimAwsError('InvalidFilterKey', `The filter ${key} with value ${value} is not valid for ${operation}.`);
    switch (key) {
      case 'Status':
        if (!FILTER_STATUSES[operation].has(value)) throw invalid();
        return (c, inv) => {
          const listed = inv ?? c;
          return listed.status === value || listed.statusDetails.replaceAll(' ', '') === value;
        };
      case 'ExecutionStage':
        if (operation !== 'ListCommands' || (value !== 'Executing' && value !== 'Complete')) throw invalid();
        return (c) => isTerminal(c.status) === (value === 'Complete');
      case 'DocumentName':
        return (c) => c.documentName === value;
      case 'InvokedAfter':
      case 'InvokedBefore': {
        const at = Date.parse(value);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at)) throw invalid();
        const when = (c: SimCommand, inv: SimInvocation | undefined) => inv?.requestedAt ?? c.requestedAt;
        return key === 'InvokedAfter' ? (c, inv) => when(c, inv) >= at : (c, inv) => when(c, inv) <= at;
      }
      default:
        throw invalid();
    }
  });
}

/** Role, SNS notification and CloudWatch output settings: `ListCommands` and `ListCommandInvocations` repeat them alike. */
function deliveryConfigJson(c: SimCommand) {
  return {
    ServiceRole: c.serviceRoleArn ?? '',
    NotificationConfig: {
      NotificationArn: c.notification?.topicArn ?? '',
      NotificationEvents: c.notification?.events ?? [],
      NotificationType: c.notification?.type ?? '',
    },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: c.cloudWatchLogGroup ?? '', CloudWatchOutputEnabled: c.cloudWatchLogGroup !== undefined },
  };
}

function s3Url(c: SimCommand, inv: SimInvocation, stream: 'stdout' | 'stderr'): string {
  if (!c.outputS3BucketName) return '';
  const prefix = c.outputS3KeyPrefix ? `${c.outputS3KeyPrefix}/` : '';
  return `https://s3.${c.scope.region}.amazonaws.com/${c.outputS3BucketName}/${prefix}${c.commandId}/${inv.instanceId}/awsrunShellScript/${inv.pluginName}/${stream}`;
}

function invocationJson(c: SimCommand, inv: SimInvocation, details: boolean) {
  return {
    CommandId: c.commandId,
    InstanceId: inv.instanceId,
    InstanceName: inv.instanceName,
    Comment: c.comment,
    DocumentName: c.documentName,
    DocumentVersion: c.documentVersion,
    RequestedDateTime: epoch(inv.requestedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: s3Url(c, inv, 'stdout'),
    StandardErrorUrl: s3Url(c, inv, 'stderr'),
    CommandPlugins: details
      ? [
          {
            Name: inv.pluginName,
            Status: inv.status,
            StatusDetails: inv.statusDetails,
            ResponseCode: inv.responseCode,
            ...(inv.startAt === undefined ? {} : { ResponseStartDateTime: epoch(inv.startAt) }),
            ...(inv.endAt === undefined ? {} : { ResponseFinishDateTime: epoch(inv.endAt) }),
            Output: (inv.stdout + inv.stderr).slice(0, PLUGIN_OUTPUT_MAX),
            StandardOutputUrl: s3Url(c, inv, 'stdout'),
            StandardErrorUrl: s3Url(c, inv, 'stderr'),
            OutputS3Region: c.scope.region,
            OutputS3BucketName: c.outputS3BucketName ?? '',
            OutputS3KeyPrefix: c.outputS3KeyPrefix ?? '',
          },
        ]
      : [],
    ...deliveryConfigJson(c),
  };
}

function getCommand(state: AccountState, id: string): SimCommand {
  const c = state.commands.get(id);
  if (!c) throw new SimAwsError('InvalidCommandId', 'The command ID is not valid.');
  return c;
}

function notificationFrom(input: JsonInput): NotificationSpec | undefined {
  const n = input.obj('NotificationConfig');
  const arn = n?.str('NotificationArn');
  if (!n || !arn) return undefined;
  const type = n.str('NotificationType') ?? 'Command';
  if (type !== 'Command' && type !== 'Invocation') throw validation(`Value '${type}' at 'notificationConfig.notificationType' failed to satisfy constraint`);
  return { topicArn: arn, events: n.strList('NotificationEvents') ?? ['All'], type };
}

export const commandHandlers = {
  SendCommand(core: SimCore, state: AccountState, input: JsonInput) {
    const documentName = input.need('DocumentName');
    const instanceIds = input.strList('InstanceIds', { max: 50 }) ?? [];
    const targets = input.keyValues('Targets');
    if (targets.length > 5) throw validation("Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5");
    if (instanceIds.length === 0 && targets.length === 0) {
      throw new SimAwsError('InvalidParameters', 'Either InstanceIds or Targets must be specified.');
    }
    for (const t of targets) {
      if (t.key === 'InstanceIds' && t.values.length > 50) {
        throw validation("Value at 'targets.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 50");
      }
    }
    for (const id of [...instanceIds, ...targets.filter((t) => t.key === 'InstanceIds').flatMap((t) => t.values)]) {
      if (!INSTANCE_ID.test(id) || !state.fleet.byId.has(id)) throw new SimAwsError('InvalidInstanceId', `Instances [[${id}]] not in a valid state for account ${state.scope.accountId}`);
    }
    const comment = input.str('Comment', { max: 100 });
    const timeout = input.int('TimeoutSeconds', { min: 30, max: 2592000 });
    const command = startCommand(core, state, {
      documentName,
      parameters: input.paramMap('Parameters') ?? {},
      instanceIds,
      targets,
      ...(comment === undefined ? {} : { comment }),
      maxConcurrency: input.str('MaxConcurrency') ?? '50',
      maxErrors: input.str('MaxErrors') ?? '0',
      ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
      serviceRoleArn: input.str('ServiceRoleArn'),
      notification: notificationFrom(input),
      outputS3BucketName: input.str('OutputS3BucketName'),
      outputS3KeyPrefix: input.str('OutputS3KeyPrefix'),
      cloudWatchLogGroup: input.obj('CloudWatchOutputConfig')?.bool('CloudWatchOutputEnabled')
        ? (input.obj('CloudWatchOutputConfig')?.str('CloudWatchLogGroupName') ?? `/aws/ssm/${documentName}`)
        : undefined,
    });
    return { Command: commandJson(command) };
  },

  ListCommands(_core: SimCore, state: AccountState, input: JsonInput) {
    const size = input.int('MaxResults', { min: 1, max: 50 }) ?? 50;
    const commandId = input.str('CommandId', { pattern: COMMAND_ID });
    const instanceId = input.str('InstanceId');
    // ListCommands filters are lowercase `{ key, value }` pairs, unlike most SSM filters.
    const filters = commandFilters(input, 'ListCommands');
    let list = commandId ? [getCommand(state, commandId)] : state.commandList;
    if (instanceId) list = list.filter((c) => c.byInstance.has(instanceId));
    list = list.filter((c) => filters.every((f) => f(c, undefined)));
    const p = page('ListCommands', list, input.str('NextToken'), size);
    return { Commands: p.items.map(commandJson), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  ListCommandInvocations(_core: SimCore, state: AccountState, input: JsonInput) {
    const size = input.int('MaxResults', { min: 1, max: 50 }) ?? 50;
    const commandId = input.str('CommandId', { pattern: COMMAND_ID });
    const instanceId = input.str('InstanceId');
    const details = input.bool('Details') ?? false;
    const filters = commandFilters(input, 'ListCommandInvocations');
    const commands = commandId ? [getCommand(state, commandId)] : state.commandList;
    const rows: { c: SimCommand; inv: SimInvocation }[] = [];
    for (const c of commands) {
      for (const inv of c.invocations) {
        if ((!instanceId || inv.instanceId === instanceId) && filters.every((f) => f(c, inv))) rows.push({ c, inv });
      }
    }
    const p = page('ListCommandInvocations', rows, input.str('NextToken'), size);
    return {
      CommandInvocations: p.items.map((r) => invocationJson(r.c, r.inv, details)),
      ...(p.nextToken ? { NextToken: p.nextToken } : {}),
    };
  },

  GetCommandInvocation(_core: SimCore, state: AccountState, input: JsonInput) {
    const c = getCommand(state, input.need('CommandId', { pattern: COMMAND_ID }));
    const instanceId = input.need('InstanceId');
    const inv = c.byInstance.get(instanceId);
    if (!inv) throw new SimAwsError('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation');
    const plugin = input.str('PluginName');
    if (plugin !== undefined && plugin !== inv.pluginName) throw new SimAwsError('InvalidPluginName', 'The plugin name is not valid.');
    const elapsed = inv.startAt !== undefined && inv.endAt !== undefined ? `PT${((inv.endAt - inv.startAt) / 1000).toFixed(3)}S` : '';
    return {
      CommandId: c.commandId,
      InstanceId: instanceId,
      Comment: c.comment,
      DocumentName: c.documentName,
      DocumentVersion: c.documentVersion,
      PluginName: inv.pluginName,
      ResponseCode: inv.responseCode,
      ExecutionStartDateTime: inv.startAt === undefined ? '' : new Date(inv.startAt).toISOString(),
      ExecutionElapsedTime: elapsed,
      ExecutionEndDateTime: inv.endAt === undefined ? '' : new Date(inv.endAt).toISOString(),
      Status: inv.status,
      StatusDetails: inv.statusDetails,
      StandardOutputContent: inv.stdout.slice(0, STDOUT_MAX),
      StandardOutputUrl: s3Url(c, inv, 'stdout'),
      StandardErrorContent: inv.stderr.slice(0, STDERR_MAX),
      StandardErrorUrl: s3Url(c, inv, 'stderr'),
      CloudWatchOutputConfig: { CloudWatchLogGroupName: c.cloudWatchLogGroup ?? '', CloudWatchOutputEnabled: c.cloudWatchLogGroup !== undefined },
    };
  },

  CancelCommand(core: SimCore, state: AccountState, input: JsonInput) {
    const c = getCommand(state, input.need('CommandId', { pattern: COMMAND_ID }));
    cancelCommand(core, c, input.strList('InstanceIds', { max: 50 }));
    return {};
  },
} as const;
