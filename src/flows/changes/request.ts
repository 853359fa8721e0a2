import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import type { PatchTarget, StartPatchRunInput } from '../../aws/index.js';
import { ID_PATTERNS } from '../../domain/index.js';

/**
 * The namespace of every run id / SSM `ClientToken`:
 * `runId = UUIDv5(NAMESPACE, changeSysId + "\n" + canonical JSON of the request)`.
 * Fixed forever: changing it would let a retried request start a second execution.
 */
export const PATCH_RUN_NAMESPACE = '8d0e6f3a-4b2c-5d1e-9f7a-6c5b4a3d2e1f';

const tag = z.object({ key: z.string().min(1).max(128), values: z.array(z.string().min(1).max(256)).min(1).max(50) });

/** A patch-run request after validation, with defaults applied (see `PatchRunRequest` in the spec). */
export const patchRunRequestSchema = z.object({
  changeRequest: z.string().regex(ID_PATTERNS.changeNumber),
  requestedItem: z.string().regex(ID_PATTERNS.requestedItemNumber).optional(),
  accountId: z.string().regex(ID_PATTERNS.accountId),
  region: z.string().min(1),
  targets: z.union([
    z.object({ patchGroups: z.array(z.string().min(1).max(256)).min(1).max(50) }).strict(),
    z.object({ instanceIds: z.array(z.string().regex(ID_PATTERNS.instanceId)).min(1).max(50) }).strict(),
    z.object({ tags: z.array(tag).min(1).max(5) }).strict(),
  ]),
  operation: z.enum(['Scan', 'Install']),
  rebootOption: z.enum(['RebootIfNeeded', 'NoReboot']).default('RebootIfNeeded'),
  maxConcurrency: z.string().default('10%'),
  maxErrors: z.string().default('0'),
});

export type PatchRunRequest = z.infer<typeof patchRunRequestSchema>;
export type PatchRunRequestInput = z.input<typeof patchRunRequestSchema>;

/**
 * The request in one spelling: defaults applied, list order and duplicates
 * removed from targets, so requests that mean the same thing get the same run.
 */
export function canonicalRequest(input: PatchRunRequestInput): PatchRunRequest {
  const r = patchRunRequestSchema.parse(input);
  const sorted = (values: readonly string[]) => [...new Set(values)].sort();
  const targets =
    'patchGroups' in r.targets
      ? { patchGroups: sorted(r.targets.patchGroups) }
      : 'instanceIds' in r.targets
        ? { instanceIds: sorted(r.targets.instanceIds) }
        : { tags: [...r.targets.tags].map((t) => ({ key: t.key, values: sorted(t.values) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  return {
    changeRequest: r.changeRequest,
    ...(r.requestedItem ? { requestedItem: r.requestedItem } : {}),
    accountId: r.accountId,
    region: r.region,
    targets,
    operation: r.operation,
    rebootOption: r.rebootOption,
    maxConcurrency: r.maxConcurrency,
    maxErrors: r.maxErrors,
  };
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The run id, which is also the SSM `ClientToken`: UUIDv5 of the change sys_id and the canonical request. */
export function patchRunId(changeSysId: string, request: PatchRunRequest): string {
  return uuidv5(`${changeSysId}\n${canonicalJson(request)}`, PATCH_RUN_NAMESPACE);
}

/** SSM targets for the request, as SSM spells them. */
export function ssmTargets(targets: PatchRunRequest['targets']): PatchTarget[] {
  if ('patchGroups' in targets) return [{ key: 'tag:Patch Group', values: targets.patchGroups }];
  if ('instanceIds' in targets) return [{ key: 'InstanceIds', values: targets.instanceIds }];
  return targets.tags.map((t) => ({ key: `tag:${t.key}`, values: t.values }));
}

/**
 * `StartAutomationExecution` input for the ad hoc patch runbook (deployed by infra
 * with its SNS topic and role prepopulated). The runbook runs one `aws:runCommand`
 * step of `AWS-RunPatchBaseline` over the execution's `Targets`, honouring its
 * `MaxConcurrency` / `MaxErrors` (`TargetParameterName` is `InstanceId`). Parameters:
 * `Operation`, `RebootOption`, and `SnapshotId` = the run id, so every instance of the
 * run installs the same patch set. Tags name the change request and the run.
 */
export function runbookInput(runId: string, request: PatchRunRequest, documentName: string | undefined): StartPatchRunInput {
  return {
    clientToken: runId,
    ...(documentName ? { documentName } : {}),
    parameters: {
      Operation: [request.operation],
      RebootOption: [request.rebootOption],
      SnapshotId: [runId],
    },
    targets: ssmTargets(request.targets),
    targetParameterName: 'InstanceId',
    maxConcurrency: request.maxConcurrency,
    maxErrors: request.maxErrors,
    tags: { 'patchbridge:change-request': request.changeRequest, 'patchbridge:patch-run': runId },
  };
}
