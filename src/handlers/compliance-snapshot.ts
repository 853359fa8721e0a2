import type { Logger } from '../core/index.js';
import { type ComplianceSnapshot, createComplianceFlows, createSnapshotTask, resolveComplianceTargets, type SnapshotTaskResult } from '../flows/compliance/index.js';
import { createIncidentFlows, monitoringTopicChannel } from '../flows/incidents/index.js';
import { buildOnce, lambdaContext } from '../runtime/lambda/index.js';

export type ComplianceSnapshotResponse = SnapshotTaskResult;

/** The daily `compliance-snapshot` Lambda (EventBridge schedule `PATCHBRIDGE_SNAPSHOT_CRON`); the event carries nothing it needs. */
export function createComplianceSnapshotHandler(deps: { readonly snapshot: ComplianceSnapshot; readonly logger: Logger }): (event: unknown) => Promise<ComplianceSnapshotResponse> {
  const task = createSnapshotTask(deps);
  return () => task();
}

const deployed = buildOnce(async () => {
  const ctx = await lambdaContext();
  const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
  // Auto-resolve requests go to the monitoring topic; the listener applies them under ServiceNow's pacing.
  const channel = monitoringTopicChannel({ publisher: ctx.aws.publisher, topicArn: ctx.config.topics.monitoring });
  const { resolutions } = createIncidentFlows(ctx, { channel });
  const flows = createComplianceFlows(ctx, { targets, onSnapshot: (snapshot) => resolutions.fromSnapshot(snapshot) });
  return createComplianceSnapshotHandler({ snapshot: flows.snapshot, logger: ctx.logger });
});

/** The Lambda entry point. */
export const handler = async (event: unknown): Promise<ComplianceSnapshotResponse> => (await deployed())(event);
