import pLimit from 'p-limit';
import type {
  AwsContext,
  CommandInvocation,
  ComplianceItem,
  InstancePatchState,
  ManagedInstance,
  WindowExecution,
  WindowTaskInvocation,
} from '../../aws/index.js';
import { AwsError } from '../../aws/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  boundExcerpt,
  buildIncidentDraft,
  consoleLinks,
  type ExecutionRef,
  type IncidentDraft,
  type IncidentPolicy,
  type InstanceFailure,
  isFailurePhase,
  markersFromComment,
  NO_PATCH_GROUP,
  type PatchEvent,
  type PatchFinding,
  phaseOfStatus,
  TOP_PATCHES,
} from '../../domain/index.js';
import type { StateStore } from '../../store/index.js';
import { IncidentError } from './errors.js';
import type { IncidentAwsPorts } from './ports.js';

/** One failure event to enrich, under the key callers use to map results back. */
export interface KeyedEvent {
  readonly key: string;
  readonly event: PatchEvent;
}

export interface EnrichedDraft {
  readonly draft: IncidentDraft;
  /** Keys of the events this draft reports. */
  readonly sources: readonly string[];
}

export interface EnrichResult {
  readonly drafts: readonly EnrichedDraft[];
  /** Events that could not be enriched, by key; retryable unless the error says otherwise. */
  readonly failures: ReadonlyMap<string, unknown>;
}

export interface IncidentEnricherDeps {
  readonly aws: IncidentAwsPorts;
  /** For the change number of automation executions started by `/v1/patch-runs`. */
  readonly store: Pick<StateStore, 'findPatchRunByExecution'>;
  readonly policy: IncidentPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Characters of command output fetched per instance before the excerpt is cut. Default 4 000. */
  readonly outputChars?: number;
  /** Instances per draft; larger groups are split into drafts with the same correlation id. Default 100. */
  readonly maxInstancesPerDraft?: number;
}

export interface IncidentEnricher {
  /**
   * Expands, enriches and collates a batch of failure events into drafts, one per
   * (account, region, execution, patch group). Every AWS read is shared by the
   * whole batch: patch states, instance information and tags are fetched once per
   * account+region for all failed instances (the adapters batch 50 / 50 / 100 ids
   * a call), and each command's invocations are listed once.
   */
  enrich(events: readonly KeyedEvent[]): Promise<EnrichResult>;
}

/** A failed instance found by expansion, before enrichment. */
interface Unit {
  readonly keys: Set<string>;
  readonly ctx: AwsContext;
  readonly instanceId: string;
  readonly commandId?: string;
  readonly status: string;
  readonly statusDetails?: string;
  readonly execution: ExecutionRef;
  readonly changeNumber?: string;
  readonly time: string;
  readonly output?: string;
}

const scopeKey = (ctx: AwsContext) => `${ctx.accountId}/${ctx.region}`;

/** Executions of a window searched for a command that names only its window. */
const RECENT_WINDOW_EXECUTIONS = 5;

function isFailedInvocation(inv: CommandInvocation): boolean {
  const phase = phaseOfStatus(inv.status);
  return phase !== undefined && isFailurePhase(phase);
}

/** The output of the plugin that failed (or the first one), as ListCommandInvocations returns it. */
function pluginOutput(inv: CommandInvocation | undefined): string | undefined {
  const plugins = inv?.plugins ?? [];
  const failed = plugins.find((p) => p.status !== 'Success' && p.output) ?? plugins.find((p) => p.output);
  return failed?.output;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFORMATIONAL: 4, UNSPECIFIED: 5 };
const STATE_RANK: Readonly<Record<string, number>> = { Failed: 0, Missing: 1, InstalledPendingReboot: 2 };

function topPatches(items: readonly ComplianceItem[] | undefined): PatchFinding[] {
  return (items ?? [])
    .filter((i) => i.status === 'NON_COMPLIANT' && i.patchState !== undefined && i.patchState in STATE_RANK)
    .sort(
      (a, b) =>
        (STATE_RANK[a.patchState ?? ''] ?? 9) - (STATE_RANK[b.patchState ?? ''] ?? 9) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, TOP_PATCHES)
    .map((i) => {
      const kb = /^KB\d+$/i.test(i.id) ? i.id.toUpperCase() : i.details['KBId'] || i.details['KbId'] || undefined;
      return {
        id: i.id,
        title: i.title,
        severity: i.severity,
        ...(i.patchSeverity ? { vendorSeverity: i.patchSeverity } : {}),
        state: i.patchState ?? 'Missing',
        ...(i.classification ? { classification: i.classification } : {}),
        ...(kb ? { kb } : {}),
        cves: [...(i.cveIds ?? [])].slice(0, 5),
      };
    });
}

const KEPT_TAGS = ['Environment', 'Application', 'Owner', 'Patch Group'] as const;

/** Whether a failure of an optional enrichment read should fail the batch (retry) or be tolerated. */
function mustRetry(err: unknown): boolean {
  return !(err instanceof AwsError) || err.retryable;
}

/** Creates the enricher over the AWS ports. */
export function createIncidentEnricher(deps: IncidentEnricherDeps): IncidentEnricher {
  const { aws, logger } = deps;
  const outputChars = deps.outputChars ?? 4_000;
  const perDraft = Math.max(1, deps.maxInstancesPerDraft ?? 100);

  /** Reads that may fail softly: permanent AWS errors leave the piece out; anything else fails the scope. */
  async function optional<T>(what: string, ctx: AwsContext, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (mustRetry(err)) throw err;
      logger.warn({ err, what, accountId: ctx.accountId, region: ctx.region }, 'enrichment read failed permanently; incident goes out without it');
      return fallback;
    }
  }

  async function enrich(events: readonly KeyedEvent[]): Promise<EnrichResult> {
    const failures = new Map<string, unknown>();
    const units: Unit[] = [];
    const fail = (keys: Iterable<string>, err: unknown) => {
      for (const k of keys) if (!failures.has(k)) failures.set(k, err);
    };

    // Every AWS read below is memoised for the batch: one listing per command, window execution or window.
    const memo = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
      let p = cache.get(key);
      if (!p) {
        p = read();
        cache.set(key, p);
      }
      return p;
    };
    const commandLists = new Map<string, Promise<CommandInvocation[]>>();
    const listCommand = (ctx: AwsContext, commandId: string) =>
      memo(commandLists, `${scopeKey(ctx)}/${commandId}`, () => aws.inventory.listCommandInvocations(ctx, commandId, { withDetails: true }));
    const taskLists = new Map<string, Promise<WindowTaskInvocation[]>>();
    const listTasks = (ctx: AwsContext, windowExecutionId: string) =>
      memo(taskLists, `${scopeKey(ctx)}/${windowExecutionId}`, () => aws.windows.taskInvocations(ctx, windowExecutionId));
    const executionLists = new Map<string, Promise<WindowExecution[]>>();
    const listExecutions = (ctx: AwsContext, windowId: string) =>
      memo(executionLists, `${scopeKey(ctx)}/${windowId}`, () => aws.windows.listExecutions(ctx, windowId));

    /**
     * The window execution that ran `commandId`, for commands whose comment names
     * only the window: the newest executions of that window are searched.
     */
    const windowExecutionOf = async (ctx: AwsContext, windowId: string, commandId: string): Promise<string | undefined> => {
      const executions = await listExecutions(ctx, windowId);
      for (const execution of executions.slice(0, RECENT_WINDOW_EXECUTIONS)) {
        const tasks = await listTasks(ctx, execution.windowExecutionId);
        if (tasks.some((t) => t.executionId === commandId)) return execution.windowExecutionId;
      }
      return undefined;
    };

    /** Where a failed invocation belongs: fixed by its event, or read from its command's comment. */
    const resolveExecution = async (ctx: AwsContext, inv: CommandInvocation, fixed: ExecutionRef | undefined): Promise<{ execution: ExecutionRef; change?: string }> => {
      const markers = markersFromComment(inv.comment);
      const change = markers.changeNumber ? { change: markers.changeNumber } : {};
      if (fixed) return { execution: fixed, ...change };
      const windowId = markers.windowId;
      const windowExecutionId = markers.windowExecutionId ?? (windowId ? await windowExecutionOf(ctx, windowId, inv.commandId) : undefined);
      if (windowExecutionId) return { execution: { kind: 'maintenance-window', id: windowExecutionId, ...(windowId ? { windowId } : {}) }, ...change };
      if (markers.automationExecutionId) return { execution: { kind: 'automation', id: markers.automationExecutionId }, ...change };
      return { execution: { kind: 'command', id: inv.commandId }, ...change };
    };

    const addUnit = async (key: string, ctx: AwsContext, inv: CommandInvocation, time: string, fixed?: ExecutionRef, fixedChange?: string) => {
      const { execution, change } = await resolveExecution(ctx, inv, fixed);
      const changeNumber = fixedChange ?? change;
      const output = pluginOutput(inv);
      units.push({
        keys: new Set([key]),
        ctx,
        instanceId: inv.instanceId,
        commandId: inv.commandId,
        status: inv.status,
        ...(inv.statusDetails && inv.statusDetails !== inv.status ? { statusDetails: inv.statusDetails } : {}),
        execution,
        ...(changeNumber ? { changeNumber } : {}),
        time,
        ...(output ? { output } : {}),
      });
    };

    const windowDone = new Map<string, Promise<void>>();
    const commandEventIds = new Set<string>();
    for (const { event } of events) if (event.kind === 'command') commandEventIds.add(`${event.accountId}/${event.region}/${event.commandId}`);

    const automationChange = async (executionId: string): Promise<string | undefined> =>
      (await deps.store.findPatchRunByExecution(executionId))?.changeNumber;

    const expandWindow = async (key: string, ctx: AwsContext, windowId: string, windowExecutionId: string, time: string) => {
      const execution: ExecutionRef = { kind: 'maintenance-window', id: windowExecutionId, windowId };
      const failed = (await listTasks(ctx, windowExecutionId)).filter((t) => {
        const phase = phaseOfStatus(t.status);
        return t.executionId && phase !== undefined && isFailurePhase(phase);
      });
      await Promise.all(
        failed.map(async (t) => {
          const executionId = t.executionId ?? '';
          if (t.taskType === 'RUN_COMMAND') {
            for (const inv of await listCommand(ctx, executionId)) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, time, execution);
          } else if (t.taskType === 'AUTOMATION') {
            const status = await aws.patchExecution.getRunStatus(ctx, { kind: 'automation', executionId }, { withDetails: true });
            for (const inv of status.invocations) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, time, execution);
          }
        }),
      );
    };

    const expand = async ({ key, event }: KeyedEvent): Promise<void> => {
      const ctx: AwsContext = { accountId: event.accountId, region: event.region };
      switch (event.kind) {
        case 'window-execution':
        case 'window-task':
        case 'window-target-invocation': {
          // Several events of one window execution expand it once; the others share its outcome.
          const wk = `${scopeKey(ctx)}/${event.windowExecutionId}`;
          const shared = windowDone.get(wk);
          if (shared) return shared;
          const run = expandWindow(key, ctx, event.windowId, event.windowExecutionId, event.time);
          windowDone.set(wk, run);
          return run;
        }
        case 'automation': {
          const status = await aws.patchExecution.getRunStatus(ctx, { kind: 'automation', executionId: event.executionId }, { withDetails: true });
          const change = await automationChange(event.executionId);
          const execution: ExecutionRef = { kind: 'automation', id: event.executionId };
          for (const inv of status.invocations) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, event.time, execution, change);
          return;
        }
        case 'command': {
          for (const inv of await listCommand(ctx, event.commandId)) if (isFailedInvocation(inv)) await addUnit(key, ctx, inv, event.time);
          return;
        }
        case 'invocation': {
          // Reuse the full listing when this batch lists the command anyway; otherwise one call for this instance.
          const full = commandEventIds.has(`${scopeKey(ctx)}/${event.commandId}`);
          const listed = full
            ? await listCommand(ctx, event.commandId)
            : await aws.inventory.listCommandInvocations(ctx, event.commandId, { instanceId: event.instanceId, withDetails: true });
          const inv: CommandInvocation = listed.find((i) => i.instanceId === event.instanceId) ?? {
            commandId: event.commandId,
            instanceId: event.instanceId,
            status: (phaseOfStatus(event.status) === 'timed-out' ? 'TimedOut' : phaseOfStatus(event.status) === 'cancelled' ? 'Cancelled' : 'Failed'),
            statusDetails: event.status,
            documentName: event.documentName,
          };
          await addUnit(key, ctx, inv, event.time);
          return;
        }
      }
    };

    // 1. Expand every event to its failed instances.
    await Promise.all(
      events.map((e) =>
        expand(e).catch((err: unknown) => {
          fail([e.key], err instanceof AwsError && err.code === 'NOT_FOUND' ? new IncidentError('EXECUTION_NOT_FOUND', err.message, { cause: err }) : err);
        }),
      ),
    );

    // Change numbers of automation executions reached through command markers.
    const automationIds = new Set(units.filter((u) => u.execution.kind === 'automation' && !u.changeNumber).map((u) => u.execution.id));
    const changes = new Map<string, string | undefined>();
    await Promise.all([...automationIds].map(async (id) => changes.set(id, await automationChange(id))));

    // 2. Enrich per account+region, every read shared by the batch.
    const byScope = new Map<string, Unit[]>();
    for (const u of units) {
      if ([...u.keys].every((k) => failures.has(k))) continue;
      const list = byScope.get(scopeKey(u.ctx)) ?? [];
      list.push(u);
      byScope.set(scopeKey(u.ctx), list);
    }
    const enriched: { unit: Unit; failure: InstanceFailure }[] = [];
    await Promise.all(
      [...byScope.values()].map(async (scopeUnits) => {
        const first = scopeUnits[0];
        if (!first) return;
        const ctx = first.ctx;
        try {
          enriched.push(...(await enrichScope(ctx, scopeUnits)));
        } catch (err) {
          fail(
            scopeUnits.flatMap((u) => [...u.keys]),
            err,
          );
        }
      }),
    );

    // 3. Collate: one draft per (account, region, execution, patch group).
    const groups = new Map<string, { unit: Unit; failure: InstanceFailure; keys: Set<string>; change?: string }[]>();
    for (const { unit, failure } of enriched) {
      if ([...unit.keys].some((k) => failures.has(k))) continue;
      const gk = [unit.ctx.accountId, unit.ctx.region, unit.execution.kind, unit.execution.id, failure.patchGroup].join('\u0000');
      const list = groups.get(gk) ?? [];
      const change = unit.changeNumber ?? changes.get(unit.execution.id);
      list.push({ unit, failure, keys: unit.keys, ...(change ? { change } : {}) });
      groups.set(gk, list);
    }
    const drafts: EnrichedDraft[] = [];
    const now = deps.clock.now();
    for (const members of groups.values()) {
      const head = members[0];
      if (!head) continue;
      const byInstance = new Map<string, InstanceFailure>();
      const sources = new Set<string>();
      let windowId: string | undefined;
      for (const m of members) {
        for (const k of m.keys) sources.add(k);
        if (m.unit.execution.windowId) windowId = m.unit.execution.windowId;
        const seen = byInstance.get(m.failure.instanceId);
        // The same instance reached twice (invocation event + command listing): keep the richer record.
        if (!seen || (!seen.errorExcerpt && m.failure.errorExcerpt)) byInstance.set(m.failure.instanceId, m.failure);
      }
      const execution: ExecutionRef = { ...head.unit.execution, ...(windowId ? { windowId } : {}) };
      const change = members.find((m) => m.change)?.change;
      const all = [...byInstance.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
      for (let i = 0; i < all.length; i += perDraft) {
        const draft = buildIncidentDraft(
          {
            accountId: head.unit.ctx.accountId,
            region: head.unit.ctx.region,
            execution,
            patchGroup: head.failure.patchGroup,
            ...(change ? { changeNumber: change } : {}),
            instances: all.slice(i, i + perDraft),
            now,
          },
          deps.policy,
        );
        drafts.push({ draft, sources: [...sources] });
      }
    }
    return { drafts, failures };
  }

  async function enrichScope(ctx: AwsContext, scopeUnits: readonly Unit[]): Promise<{ unit: Unit; failure: InstanceFailure }[]> {
    const ids = [...new Set(scopeUnits.map((u) => u.instanceId))];
    const [infos, states, tags] = await Promise.all([
      optional('DescribeInstanceInformation', ctx, () => aws.inventory.describeInstances(ctx, { instanceIds: ids }), [] as ManagedInstance[]),
      optional('DescribeInstancePatchStates', ctx, () => aws.inventory.describePatchStates(ctx, ids), [] as InstancePatchState[]),
      optional('GetResources', ctx, () => aws.inventory.tags(ctx, ids), new Map() as ReadonlyMap<string, Readonly<Record<string, string>>>),
    ]);
    const infoById = new Map(infos.map((i) => [i.instanceId, i]));
    const stateById = new Map(states.map((s) => [s.instanceId, s]));
    // Only instances with something non-compliant (or no state at all) are worth a per-instance ListComplianceItems.
    const needPatches = ids.filter((id) => {
      const s = stateById.get(id);
      return !s || s.failedCount + s.missingCount + s.installedPendingRebootCount > 0;
    });
    const compliance =
      needPatches.length > 0
        ? await optional('ListComplianceItems', ctx, () => aws.inventory.complianceItems(ctx, needPatches, { statuses: ['NON_COMPLIANT'] }), new Map() as ReadonlyMap<string, readonly ComplianceItem[]>)
        : new Map<string, readonly ComplianceItem[]>();
    // GetCommandInvocation only where the listing carried no output.
    const outputs = new Map<Unit, string>();
    const missingOutput = scopeUnits.filter((u) => !u.output && u.commandId);
    const limit = pLimit(4);
    await Promise.all(
      missingOutput.map((u) =>
        limit(async () => {
          const commandId = u.commandId;
          if (!commandId) return;
          const out = await optional('GetCommandInvocation', ctx, () => aws.inventory.commandOutput(ctx, commandId, u.instanceId, { maxChars: outputChars }), undefined);
          const text = out ? [out.stderrExcerpt, out.stdoutExcerpt].filter(Boolean).join('\n') : '';
          if (text) outputs.set(u, text);
        }),
      ),
    );

    return scopeUnits.map((unit) => {
      const info = infoById.get(unit.instanceId);
      const state = stateById.get(unit.instanceId);
      const allTags = tags.get(unit.instanceId) ?? {};
      const kept: Record<string, string> = {};
      for (const k of KEPT_TAGS) {
        const v = allTags[k];
        if (v) kept[k] = v;
      }
      const patchGroup = state?.patchGroup || allTags['Patch Group'] || allTags['PatchGroup'] || NO_PATCH_GROUP;
      const platform = info?.platformName ? `${info.platformName}${info.platformVersion ? ` ${info.platformVersion}` : ''}` : info?.platformType;
      const name = allTags['Name'] || info?.computerName || info?.name;
      const excerpt = boundExcerpt(unit.output ?? outputs.get(unit));
      const failure: InstanceFailure = {
        instanceId: unit.instanceId,
        ...(name ? { name } : {}),
        ...(platform ? { platform } : {}),
        ...(info?.ipAddress ? { ipAddress: info.ipAddress } : {}),
        ...(info?.pingStatus ? { pingStatus: info.pingStatus } : {}),
        patchGroup,
        ...(state?.baselineId ? { baselineId: state.baselineId } : {}),
        status: unit.status,
        ...(unit.statusDetails ? { statusDetails: unit.statusDetails } : {}),
        ...(unit.commandId ? { commandId: unit.commandId } : {}),
        ...(state
          ? {
              counts: {
                failed: state.failedCount,
                missing: state.missingCount,
                installedPendingReboot: state.installedPendingRebootCount,
                criticalNonCompliant: state.criticalNonCompliantCount,
                securityNonCompliant: state.securityNonCompliantCount,
              },
            }
          : {}),
        topPatches: topPatches(compliance.get(unit.instanceId)),
        ...(excerpt ? { errorExcerpt: excerpt } : {}),
        tags: kept,
        links: {
          instance: consoleLinks.instance(ctx.region, unit.instanceId),
          ...(unit.commandId ? { command: consoleLinks.command(ctx.region, unit.commandId) } : {}),
        },
        failedAt: unit.time,
      };
      return { unit, failure };
    });
  }

  return { enrich };
}
