export {
  countInvocations,
  createPatchRuns,
  type InstanceResultView,
  type PatchRunCounts,
  type PatchRunDetailView,
  type PatchRuns,
  type PatchRunExecution,
  type PatchRunsDeps,
  type PatchRunView,
} from './patch-runs.js';
export {
  canonicalJson,
  canonicalRequest,
  PATCH_RUN_NAMESPACE,
  patchRunId,
  patchRunRequestSchema,
  runbookInput,
  ssmTargets,
  type PatchRunRequest,
  type PatchRunRequestInput,
} from './request.js';
export { type ChangeFlowDeps, type ChangeFlowOptions, type ChangeFlows, createChangeFlows } from './compose.js';
