import type { Config } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { CoreOverrides } from '../runtime/index.js';
import { type AwsSim, SIM_CREDENTIALS, startAwsSim } from '../sim/aws/index.js';
import { createServiceNowSim, SIM_OAUTH_CREDENTIALS, type ServiceNowSim } from '../sim/servicenow/index.js';

export interface EmbeddedSimulators {
  readonly servicenow?: ServiceNowSim;
  readonly aws?: AwsSim;
  readonly overrides: CoreOverrides;
  readonly notes: readonly string[];
  /** Settings the simulators stand in for, so readiness does not report them missing. */
  readonly provides: readonly string[];
  close(): Promise<void>;
}

/** Size of the sandbox fleet: big enough to show incidents and reports, small enough to start at once. */
const SANDBOX_FLEET = 120;

/**
 * Starts the bundled simulators for whatever is not configured (`PATCHBRIDGE_SIMULATORS=auto`),
 * or both (`on`), on ephemeral loopback ports. The sandbox ServiceNow gets a group,
 * CIs for the fleet and an approved change covering the next week.
 */
export async function startEmbeddedSimulators(config: Config, logger: Logger): Promise<EmbeddedSimulators> {
  const mode = config.simulators;
  const wantAws = mode === 'on' || (mode === 'auto' && !config.aws.configured);
  // A simulated ServiceNow approves whatever it is told to: it must never gate real
  // AWS. Without a ServiceNow and with real AWS, nothing is started, so change
  // verification fails closed until ServiceNow is configured.
  const wantServiceNow = wantAws && (mode === 'on' || (!config.servicenow.instanceUrl && !config.servicenow.credentials));
  const notes: string[] = [];
  let servicenow: ServiceNowSim | undefined;
  let aws: AwsSim | undefined;
  const overrides: { -readonly [K in keyof CoreOverrides]: CoreOverrides[K] } = {};
  try {
    if (wantAws) {
      aws = await startAwsSim({
        port: 0,
        fleetSize: SANDBOX_FLEET,
        seed: 1,
        region: config.aws.regions[0] ?? 'us-east-1',
        logger: logger.child({ component: 'aws-sim' }),
      });
      overrides.awsEndpoint = aws.url;
      overrides.awsCredentials = SIM_CREDENTIALS;
      notes.push(`AWS: bundled simulator at ${aws.url} (${SANDBOX_FLEET} instances; set AWS credentials or PATCHBRIDGE_AWS_ACCOUNTS to use real AWS)`);
    }
    if (wantServiceNow) {
      servicenow = createServiceNowSim({ seed: 1, logger: logger.child({ component: 'servicenow-sim' }) });
      await servicenow.listen(0);
      const group = servicenow.seed.group({ name: config.incidents.defaultGroup });
      if (aws) servicenow.seed.cisForInstances(aws.fleet.instances.map((i) => i.instanceId), { support_group: group['sys_id'] ?? '' });
      const now = Date.now();
      const change = servicenow.seed.changeRequest({
        short_description: 'Sandbox: monthly patching',
        assignment_group: group['sys_id'] ?? '',
        start: new Date(now - 3_600_000),
        end: new Date(now + 7 * 86_400_000),
      });
      overrides.servicenow = {
        instanceUrl: servicenow.url,
        credentials: SIM_OAUTH_CREDENTIALS,
      };
      notes.push(`ServiceNow: bundled simulator at ${servicenow.url} (approved change ${change['number'] ?? ''}; set PATCHBRIDGE_SERVICENOW_URL to use a real instance)`);
    }
  } catch (err) {
    await Promise.allSettled([aws?.close(), servicenow?.close()]);
    throw err;
  }
  if (mode === 'auto' && !wantAws && !config.servicenow.instanceUrl && !config.servicenow.credentials) {
    notes.push('ServiceNow: not configured, and the simulator never gates real AWS: patching stays refused until PATCHBRIDGE_SERVICENOW_URL is set');
  }
  return {
    provides: servicenow ? ['PATCHBRIDGE_SERVICENOW_URL', 'PATCHBRIDGE_SERVICENOW_SECRET_ID'] : [],
    ...(servicenow ? { servicenow } : {}),
    ...(aws ? { aws } : {}),
    overrides,
    notes,
    async close() {
      await Promise.all([aws?.close(), servicenow?.close()]);
    },
  };
}
