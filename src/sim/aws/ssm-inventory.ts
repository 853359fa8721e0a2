import { isNonCompliant, PATCH_STATES, PLATFORM_INFO, STATE } from './catalog.js';
import { type Fleet, patchCounts, patchGroupOf, type SimInstance } from './fleet.js';
import type { AccountState, SimCore } from './state.js';
import { epoch, JsonInput, page, scanPage, SimAwsError, validation } from './wire.js';

const LATEST_AGENT_PREFIX = '3.3.1142';

function instanceJson(i: SimInstance) {
  const info = PLATFORM_INFO[i.platform];
  const hybrid = i.resourceType === 'ManagedInstance';
  return {
    InstanceId: i.instanceId,
    PingStatus: i.pingStatus,
    LastPingDateTime: epoch(i.lastPingAt),
    AgentVersion: i.agentVersion,
    IsLatestVersion: i.agentVersion.startsWith(LATEST_AGENT_PREFIX),
    PlatformType: info.platformType,
    PlatformName: info.platformName,
    PlatformVersion: i.platformVersion,
    ResourceType: i.resourceType,
    IPAddress: i.ipAddress,
    ComputerName: i.computerName,
    AssociationStatus: 'Success',
    LastAssociationExecutionDate: epoch(i.lastPingAt),
    LastSuccessfulAssociationExecutionDate: epoch(i.lastPingAt),
    AssociationOverview: { DetailedStatus: 'Success', InstanceAssociationStatusAggregatedCount: { Success: 1 } },
    SourceId: i.instanceId,
    SourceType: hybrid ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
    ...(hybrid
      ? {
          ActivationId: `${i.instanceId.slice(3, 11)}-0000-4000-8000-${i.instanceId.slice(-12)}`,
          IamRole: i.iamRole,
          RegistrationDate: epoch(i.registeredAt),
          Name: i.activationName,
        }
      : {}),
  };
}

type InstancePredicate = (i: SimInstance) => boolean;

function instancePredicate(filters: { key: string; values: string[] }[]): InstancePredicate {
  const checks: InstancePredicate[] = filters.map(({ key, values }) => {
    if (values.length === 0) throw validation(`Value at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    switch (key) {
      case 'InstanceIds':
        return (i) => values.includes(i.instanceId);
      case 'PingStatus':
        return (i) => values.includes(i.pingStatus);
      case 'PlatformTypes':
        return (i) => values.includes(PLATFORM_INFO[i.platform].platformType);
      case 'ResourceType':
        return (i) => values.includes(i.resourceType);
      case 'AgentVersion':
        return (i) => values.includes(i.agentVersion);
      case 'IamRole':
        return (i) => values.includes(i.iamRole);
      case 'AssociationStatus':
        return () => values.includes('Success');
      case 'tag-key':
        return (i) => values.some((k) => i.tags[k] !== undefined);
      default:
        if (key.startsWith('tag:')) {
          const tagKey = key.slice(4);
          return (i) => {
            const v = i.tags[tagKey];
            return v !== undefined && values.includes(v);
          };
        }
        throw new SimAwsError('InvalidInstanceInformationFilterValue', `The filter key ${key} is not valid.`);
    }
  });
  return (i) => checks.every((c) => c(i));
}

function patchStateJson(fleet: Fleet, i: SimInstance) {
  const p = i.patch!;
  const c = patchCounts(fleet, i);
  return {
    InstanceId: i.instanceId,
    PatchGroup: patchGroupOf(i) ?? '',
    BaselineId: p.baselineId,
    ...(p.snapshotId ? { SnapshotId: p.snapshotId } : {}),
    ...(p.ownerInformation ? { OwnerInformation: p.ownerInformation } : {}),
    InstalledCount: c.installed,
    InstalledOtherCount: c.installedOther,
    InstalledPendingRebootCount: c.installedPendingReboot,
    InstalledRejectedCount: c.installedRejected,
    MissingCount: c.missing,
    FailedCount: c.failed,
    UnreportedNotApplicableCount: 0,
    NotApplicableCount: c.notApplicable,
    AvailableSecurityUpdateCount: 0,
    OperationStartTime: epoch(p.startAt),
    OperationEndTime: epoch(p.endAt),
    Operation: p.operation,
    ...(p.lastNoRebootInstallAt ? { LastNoRebootInstallOperationTime: epoch(p.lastNoRebootInstallAt) } : {}),
    RebootOption: p.rebootOption,
    CriticalNonCompliantCount: c.criticalNonCompliant,
    SecurityNonCompliantCount: c.securityNonCompliant,
    OtherNonCompliantCount: c.otherNonCompliant,
  };
}

type PatchStateJson = ReturnType<typeof patchStateJson>;

function numericFilter(filters: { key: string; values: string[]; type: string }[]): (s: PatchStateJson) => boolean {
  return (s) =>
    filters.every((f) => {
      const actual = (s as unknown as Record<string, unknown>)[f.key];
      const expected = f.values[0] ?? '';
      const a = typeof actual === 'number' ? actual : String(actual ?? '');
      const e = typeof a === 'number' ? Number(expected) : expected;
      switch (f.type) {
        case 'Equal':
          return a === e;
        case 'NotEqual':
          return a !== e;
        case 'LessThan':
          return a < e;
        case 'GreaterThan':
          return a > e;
        default:
          throw validation(`Value '${f.type}' at 'filters.1.member.type' failed to satisfy constraint`);
      }
    });
}

function complianceItems(fleet: Fleet, i: SimInstance) {
  if (!i.patch) return [];
  const catalog = fleet.catalogs[i.platform];
  const items = [];
  for (let k = 0; k < catalog.length; k++) {
    const code = i.states[k] ?? STATE.NotApplicable;
    // SSM does not report NotApplicable patches as compliance items.
    if (code === STATE.NotApplicable) continue;
    const patch = catalog[k]!;
    const installedAt = i.installedAt[k];
    items.push({
      ComplianceType: 'Patch',
      ResourceType: 'ManagedInstance',
      ResourceId: i.instanceId,
      Id: patch.id,
      Title: patch.title,
      Status: isNonCompliant(code) ? 'NON_COMPLIANT' : 'COMPLIANT',
      Severity: patch.severity,
      ExecutionSummary: {
        ExecutionTime: epoch(i.patch.endAt),
        ExecutionId: i.patch.executionId ?? '',
        ExecutionType: 'Command',
      },
      Details: {
        Classification: patch.classification,
        PatchSeverity: patch.vendorSeverity,
        PatchState: PATCH_STATES[code] ?? 'NotApplicable',
        InstalledTime: installedAt ? new Date(installedAt).toISOString() : '',
        ...(patch.cveIds.length > 0 ? { CVEIds: patch.cveIds.join(',') } : {}),
      },
    });
  }
  return items;
}

export const inventoryHandlers = {
  DescribeInstanceInformation(_core: SimCore, state: AccountState, input: JsonInput) {
    const size = input.int('MaxResults', { min: 5, max: 50 }) ?? 50;
    const filters = input.keyValues('Filters');
    // The deprecated filter list uses lowercase `key` / `valueSet`.
    for (const f of input.keyValues('InstanceInformationFilterList', { key: 'key', values: 'valueSet' })) {
      filters.push({ key: f.key === 'PlatformTypes' ? 'PlatformTypes' : f.key, values: f.values });
    }
    const matches = instancePredicate(filters);
    const p = scanPage('DescribeInstanceInformation', state.fleet.instances, input.str('NextToken'), size, (i) => (matches(i) ? instanceJson(i) : undefined));
    return { InstanceInformationList: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  DescribeInstancePatchStates(_core: SimCore, state: AccountState, input: JsonInput) {
    const ids = input.strList('InstanceIds', { min: 1, max: 50 });
    if (!ids) throw validation("Value null at 'instanceIds' failed to satisfy constraint: Member must not be null");
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 50;
    const states = ids
      .map((id) => state.fleet.byId.get(id))
      .filter((i): i is SimInstance => i?.patch !== undefined)
      .map((i) => patchStateJson(state.fleet, i));
    const p = page('DescribeInstancePatchStates', states, input.str('NextToken'), size);
    return { InstancePatchStates: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  DescribeInstancePatchStatesForPatchGroup(_core: SimCore, state: AccountState, input: JsonInput) {
    const group = input.need('PatchGroup', { max: 256 });
    const size = input.int('MaxResults', { min: 10, max: 100 }) ?? 50;
    const filters = (Array.isArray(input.raw['Filters']) ? (input.raw['Filters'] as unknown[]) : []).map((f) => {
      const o = new JsonInput(f);
      return { key: o.need('Key'), values: o.strList('Values') ?? [], type: o.need('Type') };
    });
    const keep = numericFilter(filters);
    const p = scanPage(`DescribeInstancePatchStatesForPatchGroup:${group}`, state.fleet.instances, input.str('NextToken'), size, (i) => {
      if (i.patch === undefined || patchGroupOf(i) !== group) return undefined;
      const s = patchStateJson(state.fleet, i);
      return keep(s) ? s : undefined;
    });
    return { InstancePatchStates: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  DescribePatchGroups(_core: SimCore, state: AccountState, input: JsonInput) {
    const size = input.int('MaxResults', { min: 1, max: 100 }) ?? 100;
    const filters = input.keyValues('Filters');
    const byId = new Map(state.fleet.baselines.map((b) => [b.baselineId, b]));
    let mappings = [...state.fleet.groupBaselines.entries()].flatMap(([group, byOs]) =>
      [...byOs.values()].map((id) => {
        const b = byId.get(id)!;
        return {
          PatchGroup: group,
          BaselineIdentity: {
            BaselineId: b.baselineId,
            BaselineName: b.name,
            OperatingSystem: b.operatingSystem,
            BaselineDescription: b.description,
            DefaultBaseline: b.defaultBaseline,
          },
        };
      }),
    );
    for (const f of filters) {
      if (f.key === 'NAME_PREFIX') mappings = mappings.filter((m) => f.values.some((v) => m.PatchGroup.startsWith(v)));
      else if (f.key === 'OPERATING_SYSTEM') mappings = mappings.filter((m) => f.values.includes(m.BaselineIdentity.OperatingSystem));
      else throw new SimAwsError('InvalidFilter', `The filter key ${f.key} is not valid.`);
    }
    const p = page('DescribePatchGroups', mappings, input.str('NextToken'), size);
    return { Mappings: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },

  ListComplianceItems(_core: SimCore, state: AccountState, input: JsonInput) {
    const ids = input.strList('ResourceIds', { min: 1 });
    // "Currently, you can only specify one resource ID" (ListComplianceItems API reference).
    if (ids?.length !== undefined && ids.length !== 1) throw new SimAwsError('InvalidResourceId', 'Only one resource ID can be specified per call.');
    const types = input.strList('ResourceTypes');
    if (types?.some((t) => t !== 'ManagedInstance')) throw new SimAwsError('InvalidResourceType', 'The resource type is not valid.');
    const size = input.int('MaxResults', { min: 1, max: 50 }) ?? 10;
    const filters = (Array.isArray(input.raw['Filters']) ? (input.raw['Filters'] as unknown[]) : []).map((f) => {
      const o = new JsonInput(f);
      return { key: o.need('Key'), values: o.strList('Values') ?? [], type: o.str('Type') ?? 'EQUAL' };
    });
    const instances = ids ? ids.map((id) => state.fleet.byId.get(id)).filter((i): i is SimInstance => !!i) : state.fleet.instances;
    let items = instances.flatMap((i) => complianceItems(state.fleet, i));
    for (const f of filters) {
      const field = (item: (typeof items)[number]): string | undefined => {
        switch (f.key) {
          case 'ComplianceType':
            return item.ComplianceType;
          case 'Status':
            return item.Status;
          case 'Severity':
            return item.Severity;
          case 'Id':
            return item.Id;
          default:
            return (item.Details as Record<string, string>)[f.key];
        }
      };
      items = items.filter((item) => {
        const v = field(item) ?? '';
        if (f.type === 'EQUAL') return f.values.includes(v);
        if (f.type === 'NOT_EQUAL') return !f.values.includes(v);
        if (f.type === 'BEGIN_WITH') return f.values.some((x) => v.startsWith(x));
        throw validation(`Value '${f.type}' at 'filters.1.member.type' failed to satisfy constraint`);
      });
    }
    const p = page(`ListComplianceItems:${ids?.[0] ?? '*'}`, items, input.str('NextToken'), size);
    return { ComplianceItems: p.items, ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
  },
} as const;
