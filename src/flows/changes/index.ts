export { assertManaged } from './accounts.js';
export {
  createChangeGates,
  gateView,
  type ChangeGates,
  type ChangeGatesDeps,
  type ChangeGateView,
  type GuardDecision,
  type GuardInput,
  type WindowView,
} from './change-gates.js';
export { createGuardTask, type GuardTask, type GuardTaskDeps, type WindowGuardResult } from './guard-task.js';
export { awsFailure, CHANGE_FLOW_ERRORS, ChangeFlowError, type ChangeFlowErrorCode } from './errors.js';
export {
  CHANGE_CLOSE_CODES,
  type ChangeCloseCode,
  createServiceNowWrites,
  incidentSysId,
  patchRunRecordSysId,
  patchRunRecordValues,
  SERVICENOW_WRITE_KINDS,
  serviceNowWriteHandlers,
  type IncidentToRaise,
  type ServiceNowDeliveryDeps,
  type ServiceNowWrites,
} from './servicenow-writes.js';
export { GUARD_DEADLINE_MS, readChangeVerdict, verifyChange, type ChangeReader, type VerifyChangeDeps } from './verify-change.js';
export { createPatchRuns, type PatchRunExecution, type PatchRuns, type PatchRunsDeps } from './patch-runs.js';
export {
  countInvocations,
  type InstanceResultView,
  type PatchRunCounts,
  type PatchRunDetailView,
  type PatchRunView,
  RUN_INSTANCES_MAX,
  type StaleReason,
} from './run-views.js';
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
