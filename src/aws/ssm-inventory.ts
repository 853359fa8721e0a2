import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  GetCommandInvocationCommand,
  type InstanceInformationStringFilter,
  ListCommandInvocationsCommand,
  paginateDescribeInstanceInformation,
  paginateDescribeInstancePatchStates,
  paginateDescribeInstancePatchStatesForPatchGroup,
  paginateDescribePatchGroups,
  paginateListCommandInvocations,
  paginateListComplianceItems,
} from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import type { Logger } from '../core/index.js';
import { awsCall, chunk, collectPages } from './call.js';
import type { AwsClients } from './client-factory.js';
import {
  defined,
  toCommandInvocation,
  toComplianceItem,
  toManagedInstance,
  toPatchGroup,
  toPatchState,
} from './map-ssm.js';
import type {
  AwsContext,
  CommandOutput,
  CommandStatus,
  ComplianceItem,
  FleetInventory,
  InstanceFilter,
  InstancePatchState,
  InvocationFilterStatus,
  ManagedInstance,
} from './ports.js';

export interface FleetInventoryOptions {
  readonly clients: AwsClients;
  readonly logger: Logger;
  /** Calls in flight at once for batched and per-resource APIs; default 4. */
  readonly concurrency?: number | undefined;
}

/** AWS limits: instance ids per DescribeInstancePatchStates call, ARNs per GetResources call. */
const PATCH_STATE_BATCH = 50;
const TAG_ARN_BATCH = 100;
/** DescribeInstanceInformation accepts at most 50 results per page. */
const INSTANCE_PAGE = 50;
const DEFAULT_EXCERPT = 4000;

function instanceFilters(filter: InstanceFilter | undefined, ids?: readonly string[]): InstanceInformationStringFilter[] | undefined {
  const out: InstanceInformationStringFilter[] = [];
  if (ids && ids.length > 0) out.push({ Key: 'InstanceIds', Values: [...ids] });
  if (filter?.pingStatus?.length) out.push({ Key: 'PingStatus', Values: [...filter.pingStatus] });
  if (filter?.platformTypes?.length) out.push({ Key: 'PlatformTypes', Values: [...filter.platformTypes] });
  if (filter?.resourceTypes?.length) out.push({ Key: 'ResourceType', Values: [...filter.resourceTypes] });
  for (const [key, values] of Object.entries(filter?.tags ?? {})) out.push({ Key: `tag:${key}`, Values: [...values] });
  return out.length > 0 ? out : undefined;
}

/** ListCommandInvocations returns at most 50 invocations a page. */
const INVOCATION_PAGE = 50;

/** The `ListCommandInvocations` input both listings send. */
function invocationsInput(commandId: string, opts: { instanceId?: string; withDetails?: boolean; status?: InvocationFilterStatus }) {
  return {
    CommandId: commandId,
    InstanceId: opts.instanceId,
    Details: opts.withDetails ?? false,
    ...(opts.status ? { Filters: [{ key: 'Status' as const, value: opts.status }] } : {}),
  };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Hybrid (`mi-…`) nodes are SSM resources; EC2 instances are EC2 resources. */
export function instanceArn(ctx: AwsContext, instanceId: string): string {
  const partition = partitionOf(ctx.region);
  return instanceId.startsWith('mi-')
    ? `arn:${partition}:ssm:${ctx.region}:${ctx.accountId}:managed-instance/${instanceId}`
    : `arn:${partition}:ec2:${ctx.region}:${ctx.accountId}:instance/${instanceId}`;
}

/** Keeps the end of the output, where the failure usually is. */
function tail(text: string | undefined, max: number): string {
  if (!text) return '';
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function parseIso(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Builds the `FleetInventory` port over SSM and the Resource Groups Tagging API. */
export function createFleetInventory(options: FleetInventoryOptions): FleetInventory {
  const { clients } = options;
  const concurrency = options.concurrency ?? 4;

  async function* instancePages(ctx: AwsContext, filter?: InstanceFilter): AsyncIterable<readonly ManagedInstance[]> {
    // The InstanceIds filter takes at most 50 values, so long id lists are split.
    const idGroups = filter?.instanceIds && filter.instanceIds.length > 0 ? chunk(filter.instanceIds, INSTANCE_PAGE) : [undefined];
    for (const ids of idGroups) {
      const pages = paginateDescribeInstanceInformation(
        { client: clients.ssm(ctx), pageSize: INSTANCE_PAGE },
        { Filters: instanceFilters(filter, ids) },
      );
      const iterator = pages[Symbol.asyncIterator]();
      const request = () => awsCall(ctx, 'SSM.DescribeInstanceInformation', () => iterator.next());
      // Pages chain on their tokens, so a large fleet's read is as long as its pages' round trips
      // laid end to end: the next page is asked for as soon as a page arrives, before the caller
      // handles it, and only one page is ever held ahead.
      let ahead = request();
      try {
        for (;;) {
          const next = await ahead;
          if (next.done) break;
          ahead = request();
          yield (next.value.InstanceInformationList ?? []).map(toManagedInstance);
        }
      } finally {
        // A caller that stops early leaves the page asked for ahead unread: its failure is nobody's.
        ahead.catch(() => undefined);
      }
    }
  }

  const describeInstances = async (ctx: AwsContext, filter?: InstanceFilter) => {
    const out: ManagedInstance[] = [];
    for await (const page of instancePages(ctx, filter)) out.push(...page);
    return out;
  };

  const describePatchStates = async (ctx: AwsContext, instanceIds: readonly string[]) => {
    const limit = pLimit(concurrency);
    const batches = chunk([...new Set(instanceIds)], PATCH_STATE_BATCH);
    const results = await Promise.all(
      batches.map((ids) =>
        limit(() =>
          collectPages(
            ctx,
            'SSM.DescribeInstancePatchStates',
            () => paginateDescribeInstancePatchStates({ client: clients.ssm(ctx), pageSize: PATCH_STATE_BATCH }, { InstanceIds: ids }),
            (page) => page.InstancePatchStates,
          ),
        ),
      ),
    );
    return results.flat().map(toPatchState);
  };

  const patchStatesForGroup = async (ctx: AwsContext, patchGroup: string): Promise<InstancePatchState[]> => {
    const states = await collectPages(
      ctx,
      'SSM.DescribeInstancePatchStatesForPatchGroup',
      () =>
        paginateDescribeInstancePatchStatesForPatchGroup({ client: clients.ssm(ctx), pageSize: 100 }, { PatchGroup: patchGroup }),
      (page) => page.InstancePatchStates,
    );
    return states.map(toPatchState);
  };

  const patchGroups = async (ctx: AwsContext) => {
    const mappings = await collectPages(
      ctx,
      'SSM.DescribePatchGroups',
      () => paginateDescribePatchGroups({ client: clients.ssm(ctx), pageSize: 100 }, {}),
      (page) => page.Mappings,
    );
    return mappings.map(toPatchGroup);
  };

  const complianceItems = async (
    ctx: AwsContext,
    instanceIds: readonly string[],
    opts: { statuses?: readonly ('COMPLIANT' | 'NON_COMPLIANT')[]; complianceType?: string } = {},
  ) => {
    const limit = pLimit(concurrency);
    const filters = [{ Key: 'ComplianceType', Values: [opts.complianceType ?? 'Patch'], Type: 'EQUAL' as const }];
    if (opts.statuses?.length) filters.push({ Key: 'Status', Values: [...opts.statuses], Type: 'EQUAL' });
    const ids = [...new Set(instanceIds)];
    // ListComplianceItems takes exactly one resource id per call (an API constraint).
    const lists = await Promise.all(
      ids.map((id) =>
        limit(() =>
          collectPages(
            ctx,
            'SSM.ListComplianceItems',
            () =>
              paginateListComplianceItems(
                { client: clients.ssm(ctx), pageSize: 50 },
                { ResourceIds: [id], ResourceTypes: ['ManagedInstance'], Filters: filters },
              ),
            (page) => page.ComplianceItems,
          ),
        ),
      ),
    );
    const out = new Map<string, readonly ComplianceItem[]>();
    for (const [i, id] of ids.entries()) out.set(id, (lists[i] ?? []).map(toComplianceItem));
    return out;
  };

  const commandOutput = async (
    ctx: AwsContext,
    commandId: string,
    instanceId: string,
    opts: { pluginName?: string; maxChars?: number } = {},
  ): Promise<CommandOutput> => {
    const max = opts.maxChars ?? DEFAULT_EXCERPT;
    const out = await awsCall(ctx, 'SSM.GetCommandInvocation', () =>
      clients.ssm(ctx).send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: opts.pluginName }),
      ),
    );
    return defined({
      commandId,
      instanceId,
      status: (out.Status ?? 'Pending') as CommandStatus,
      statusDetails: out.StatusDetails ?? '',
      responseCode: out.ResponseCode ?? -1,
      executionStartedAt: parseIso(out.ExecutionStartDateTime),
      executionEndedAt: parseIso(out.ExecutionEndDateTime),
      stdoutExcerpt: tail(out.StandardOutputContent, max),
      stderrExcerpt: tail(out.StandardErrorContent, max),
      stdoutUrl: out.StandardOutputUrl || undefined,
      stderrUrl: out.StandardErrorUrl || undefined,
    });
  };

  const listCommandInvocations = async (
    ctx: AwsContext,
    commandId: string,
    opts: { instanceId?: string; withDetails?: boolean; status?: InvocationFilterStatus } = {},
  ) => {
    const invocations = await collectPages(
      ctx,
      'SSM.ListCommandInvocations',
      () =>
        paginateListCommandInvocations(
          { client: clients.ssm(ctx), pageSize: INVOCATION_PAGE },
          invocationsInput(commandId, opts),
        ),
      (page) => page.CommandInvocations,
    );
    return invocations.map(toCommandInvocation);
  };

  const firstCommandInvocations = async (ctx: AwsContext, commandId: string, opts: { withDetails?: boolean } = {}) => {
    const page = await awsCall(ctx, 'SSM.ListCommandInvocations', () =>
      clients.ssm(ctx).send(new ListCommandInvocationsCommand({ ...invocationsInput(commandId, opts), MaxResults: INVOCATION_PAGE })),
    );
    return { invocations: (page.CommandInvocations ?? []).map(toCommandInvocation), complete: !page.NextToken };
  };

  const tags = async (ctx: AwsContext, instanceIds: readonly string[]) => {
    const ids = [...new Set(instanceIds)];
    const byArn = new Map(ids.map((id) => [instanceArn(ctx, id), id]));
    const out = new Map<string, Readonly<Record<string, string>>>(ids.map((id) => [id, {}]));
    const limit = pLimit(concurrency);
    await Promise.all(
      chunk([...byArn.keys()], TAG_ARN_BATCH).map((arns) =>
        limit(async () => {
          const mappings = await collectPages(
            ctx,
            'Tagging.GetResources',
            () => paginateGetResources({ client: clients.tagging(ctx) }, { ResourceARNList: arns }),
            (page) => page.ResourceTagMappingList,
          );
          for (const m of mappings) {
            const id = m.ResourceARN ? byArn.get(m.ResourceARN) : undefined;
            if (id === undefined) continue;
            const record: Record<string, string> = {};
            for (const t of m.Tags ?? []) if (t.Key !== undefined) record[t.Key] = t.Value ?? '';
            out.set(id, record);
          }
        }),
      ),
    );
    return out;
  };

  return {
    describeInstances,
    instancePages,
    describePatchStates,
    patchStatesForGroup,
    patchGroups,
    complianceItems,
    commandOutput,
    listCommandInvocations,
    firstCommandInvocations,
    tags,
  };
}
