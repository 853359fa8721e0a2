import type { AwsContext, FleetInventory } from '../../aws/index.js';
import type { Logger } from '../../core/index.js';
import {
  type ChangeScopeMode,
  ChangeRefusedError,
  type ChangeVerdict,
  evaluateChangeScope,
  PATCH_GROUP_TAGS,
  type ScopeTarget,
} from '../../domain/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import { awsFailure, ChangeFlowError } from './errors.js';
import type { PatchRunRequest } from './request.js';

export interface ChangeScopeDeps {
  readonly mode: ChangeScopeMode;
  readonly cmdb: Pick<ServiceNowClient, 'affectedCis' | 'findAllCisByInstanceIds'>;
  readonly logger: Logger;
  /** The instances the run targets (see `targetInstances`). */
  readonly instances: () => Promise<readonly string[]>;
}

/** The SSM tag key the runbook targets patch groups by (`ssmTargets`). */
const PATCH_GROUP_TAG = 'Patch Group';

/**
 * The instances a run's targets resolve to, the way SSM resolves them: instance ids as
 * given; patch groups (`tag:Patch Group`, as the runbook targets them) and tags through
 * `DescribeInstanceInformation`. An AWS failure is `AWS_UNAVAILABLE` / `AWS_REJECTED`.
 */
export async function targetInstances(fleet: Pick<FleetInventory, 'describeInstances'>, ctx: AwsContext, targets: PatchRunRequest['targets']): Promise<readonly string[]> {
  if ('instanceIds' in targets) return targets.instanceIds;
  const tags = 'patchGroups' in targets ? { [PATCH_GROUP_TAG]: targets.patchGroups } : Object.fromEntries(targets.tags.map((t) => [t.key, t.values]));
  try {
    return (await fleet.describeInstances(ctx, { tags })).map((i) => i.instanceId);
  } catch (err) {
    throw awsFailure(err, 'resolve the run targets to instances');
  }
}

/** Tag targets that name patch groups only: one tag whose key is a patch-group key. */
function patchGroupsOfTags(targets: PatchRunRequest['targets']): readonly string[] | undefined {
  if (!('tags' in targets) || targets.tags.length !== 1) return undefined;
  const [tag] = targets.tags;
  return tag && (PATCH_GROUP_TAGS as readonly string[]).includes(tag.key) ? tag.values : undefined;
}

/**
 * Refuses a run whose targets the approved change does not cover (see
 * `evaluateChangeScope`): 403 `CHANGE_SCOPE_MISMATCH` naming the first uncovered
 * targets, before anything is stored or started. The change's affected CIs and the
 * instances' CIs are read from ServiceNow; any failure to read them is
 * `CHANGE_UNVERIFIABLE` (fail closed). Patch groups and tags are resolved to
 * instances with `DescribeInstanceInformation`, the way SSM will resolve them.
 */
export async function requireChangeScope(
  deps: ChangeScopeDeps,
  request: PatchRunRequest,
  verdict: Extract<ChangeVerdict, { ok: true }>,
): Promise<void> {
  if (deps.mode === 'none') return;
  const { targets } = request;
  const groups = 'patchGroups' in targets ? targets.patchGroups : patchGroupsOfTags(targets);

  const unverifiable = (cause: unknown) =>
    new ChangeRefusedError('CHANGE_UNVERIFIABLE', `ServiceNow could not be reached to check the scope of change ${verdict.changeNumber}; nothing was started.`, {
      cause,
      changeNumber: verdict.changeNumber,
    });

  let scopeTargets: ScopeTarget[];
  let cis: readonly { sys_id: string; name: string }[];
  try {
    const own = verdict.facts.cmdb_ci ? [{ sys_id: verdict.facts.cmdb_ci, name: '' }] : [];
    cis = [...(await deps.cmdb.affectedCis(verdict.changeSysId)), ...own];
    if (deps.mode === 'patch-groups' && groups) {
      scopeTargets = groups.map((name) => ({ kind: 'patch-group', name }));
    } else {
      const ids = await deps.instances();
      const found = ids.length > 0 ? await deps.cmdb.findAllCisByInstanceIds(ids) : new Map<string, readonly { sys_id: string }[]>();
      scopeTargets = ids.map((instanceId) => ({ kind: 'instance', instanceId, ciSysIds: (found.get(instanceId) ?? []).map((ci) => ci.sys_id) }));
    }
  } catch (err) {
    if (err instanceof ChangeFlowError) throw err;
    throw unverifiable(err);
  }
  const text = [verdict.facts.short_description ?? '', verdict.facts.description ?? ''].join('\n');
  const scope = evaluateChangeScope(deps.mode, { changeNumber: verdict.changeNumber, cis, text }, scopeTargets);
  if (scope.ok) return;
  deps.logger.warn({ changeNumber: verdict.changeNumber, mode: deps.mode, uncovered: scope.uncovered.length }, 'patch run refused: outside the change scope');
  throw new ChangeRefusedError('CHANGE_SCOPE_MISMATCH', scope.reason, { changeNumber: verdict.changeNumber });
}
