import type { Logger } from '../core/logger.js';
import type { ComplianceSnapshot, SnapshotResult } from '../flows/compliance/index.js';
import { buildOnce } from './build-once.js';

export interface ComplianceSnapshotHandlerDeps {
  readonly snapshot: ComplianceSnapshot;
  readonly logger: Logger;
}

export interface ComplianceSnapshotResponse {
  readonly day: string;
  readonly written: number;
  readonly alreadyTaken: number;
  readonly instances: number;
}

/**
 * The daily `compliance-snapshot` Lambda (EventBridge schedule
 * `PATCHBRIDGE_SNAPSHOT_CRON`). The event carries nothing it needs. A failure
 * rethrows so Lambda's async retry runs it again; a retry only redoes the
 * accounts and regions whose object for today is missing.
 */
export function createComplianceSnapshotHandler(deps: ComplianceSnapshotHandlerDeps): (event: unknown) => Promise<ComplianceSnapshotResponse> {
  return async () => {
    const result: SnapshotResult = await deps.snapshot.run();
    const written = result.objects.filter((o) => o.outcome === 'written');
    const response = {
      day: result.day,
      written: written.length,
      alreadyTaken: result.objects.length - written.length,
      instances: written.reduce((n, o) => n + (o.instances ?? 0), 0),
    };
    deps.logger.info(response, 'compliance snapshot handler done');
    return response;
  };
}

const deployed = buildOnce(async () => {
  const [{ lambdaContext }, { createComplianceFlows, resolveComplianceTargets }, { createIncidentFlows }] = await Promise.all([
    import('./context.js'),
    import('../flows/compliance/index.js'),
    import('../flows/incidents/index.js'),
  ]);
  const ctx = await lambdaContext();
  const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
  // Auto-resolve requests go to the monitoring topic; the listener applies them under ServiceNow's pacing.
  const { resolutions } = createIncidentFlows(ctx, { runtime: 'lambda' });
  const flows = createComplianceFlows(ctx, { targets, onSnapshot: (snapshot) => resolutions.fromSnapshot(snapshot) });
  return createComplianceSnapshotHandler({ snapshot: flows.snapshot, logger: ctx.logger });
});

/** The deployed `compliance-snapshot` Lambda, built once per container from the Lambda composition root. */
export const handler = async (event: unknown): Promise<ComplianceSnapshotResponse> => (await deployed())(event);
