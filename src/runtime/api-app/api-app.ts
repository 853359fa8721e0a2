import type { Express } from 'express';
import { type ApiAuthenticatorDeps, createApiAuthenticator } from '../../api/auth/index.js';
import { changeGateRoutes, complianceRoutes, createApp, createIdempotency, eventsRoutes, loadOpenApiDocument, patchRunRoutes, type ReadinessCheck } from '../../api/index.js';
import { createSpecValidator } from '../../api/validation/index.js';
import { type MissingSetting, missingSettings } from '../../config/index.js';
import { type ComplianceFlows, createComplianceFlows, resolveComplianceTargets } from '../../flows/compliance/index.js';
import type { IncidentFlows } from '../../flows/incidents/index.js';
import { type ChangeFlows, createChangeFlows } from '../../flows/changes/index.js';
import { type CoreContext, readinessChecks } from '../index.js';

/**
 * The flows behind the API. Both runtimes pass `change` and `compliance`; a
 * test harness that composes only one capability mounts only its routes, through
 * the same builder.
 */
export interface ApiAppFlows {
  readonly change?: Pick<ChangeFlows, 'patchRuns' | 'changeGates'>;
  readonly compliance?: Pick<ComplianceFlows, 'reports' | 'liveSummary'>;
  /** Standalone only: `/v1/events` (in AWS, events arrive through SNS → SQS). */
  readonly incidents?: Pick<IncidentFlows, 'receiver'>;
}

/**
 * The one place the HTTP API is assembled, for the API Lambda and for
 * `patchbridge serve`: auth, idempotency, spec validation and every route.
 */
export function createApiApp(
  core: CoreContext,
  flows: ApiAppFlows,
  options: { checks?: readonly ReadinessCheck[]; missing?: () => readonly MissingSetting[]; sessions?: ApiAuthenticatorDeps['sessions'] } = {},
): Express {
  const { config, clock, logger, store } = core;
  const auth = createApiAuthenticator({ config, clock, logger, store, secrets: core.aws.secrets, home: core.awsClients.defaultContext(), sessions: options.sessions });
  const idempotency = createIdempotency({ store, clock, logger });
  const openApi = loadOpenApiDocument();
  const checks: readonly ReadinessCheck[] = options.checks ?? readinessChecks(core);
  return createApp({
    logger,
    operations: { checks, missing: options.missing ?? (() => missingSettings(config)), openApi },
    validation: createSpecValidator(openApi).middleware,
    features: [
      ...(flows.change
        ? [patchRunRoutes({ auth, idempotency, patchRuns: flows.change.patchRuns }), changeGateRoutes({ auth, changeGates: flows.change.changeGates })]
        : []),
      ...(flows.compliance ? [complianceRoutes({ auth, idempotency, reports: flows.compliance.reports, liveSummary: flows.compliance.liveSummary })] : []),
      ...(flows.incidents ? [eventsRoutes({ receiver: flows.incidents.receiver, credentials: config.events })] : []),
    ],
  });
}

/**
 * The API as the Lambda serves it: the change and compliance flows over the
 * core context. Report jobs it accepts are run by the `compliance-report` Lambda;
 * events arrive through SNS → SQS, not `/v1/events`.
 */
export async function lambdaApiApp(core: CoreContext): Promise<Express> {
  const targets = await resolveComplianceTargets(core.config, core.aws, core.awsClients.defaultContext());
  return createApiApp(core, { change: createChangeFlows(core), compliance: createComplianceFlows(core, { targets }) });
}
