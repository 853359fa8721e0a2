import path from 'node:path';
import { apiAuthConfigured, type Config, freezeConfig } from '../config/index.js';
import type { Logger } from '../core/index.js';
import type { CoreOverrides } from '../runtime/index.js';
import { type AwsSim, SIM_CREDENTIALS, startAwsSim } from '../sim/aws/index.js';
import { createServiceNowSim, SIM_OAUTH_CREDENTIALS, type ServiceNowSim } from '../sim/servicenow/index.js';
import { keyFile } from './key-file.js';

export interface EmbeddedSimulators {
  readonly servicenow?: ServiceNowSim;
  readonly aws?: AwsSim;
  readonly overrides: CoreOverrides;
  /**
   * The configuration to run with: the given one, with the simulated ServiceNow as
   * its instance and, in a fully simulated sandbox without API auth, a sandbox HMAC
   * key (kept owner-only in the data dir, never printed). Readiness derives from it.
   */
  readonly config: Config;
  readonly notes: readonly string[];
  /** The sandbox's approved change, which the console's sandbox panel approves, rejects or cancels. */
  readonly sandboxChange?: { readonly sysId: string; readonly number: string };
  close(): Promise<void>;
}

/** The sandbox's `/v1/events` API key, kept in the data dir like its HMAC key. */
export const SANDBOX_EVENTS_KEY_FILE = 'sandbox-events.key';

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
  const serviceNowConfigured = Boolean(config.servicenow.instanceUrl || config.servicenow.credentials);
  const wantServiceNow = wantAws && (mode === 'on' || !serviceNowConfigured);
  let effective: Config = config;
  const notes: string[] = [];
  let servicenow: ServiceNowSim | undefined;
  let aws: AwsSim | undefined;
  let sandboxChange: { sysId: string; number: string } | undefined;
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
      sandboxChange = { sysId: change['sys_id'] ?? '', number: change['number'] ?? '' };
      effective = {
        ...effective,
        servicenow: {
          ...effective.servicenow,
          instanceUrl: servicenow.url,
          credentials: { source: 'oauth', clientId: SIM_OAUTH_CREDENTIALS.clientId, clientSecret: SIM_OAUTH_CREDENTIALS.clientSecret },
        },
      };
      notes.push(`ServiceNow: bundled simulator at ${servicenow.url} (approved change ${change['number'] ?? ''}; set PATCHBRIDGE_SERVICENOW_URL to use a real instance)`);
      if (!apiAuthConfigured(config)) {
        const file = 'sandbox-hmac.key';
        effective = { ...effective, api: { ...effective.api, hmac: { ...effective.api.hmac, keys: [{ id: 'sandbox', secret: keyFile(config.dataDir, file) }] } } };
        notes.push(`API: sandbox HMAC key id "sandbox", secret in ${path.join(config.dataDir, file)} (see docs/api.md)`);
      }
      if (!config.events.apiKey && !config.events.basicAuth) {
        // So `patchbridge events send` works in the sandbox with no setup, like the signed API commands.
        effective = { ...effective, events: { ...effective.events, apiKey: keyFile(config.dataDir, SANDBOX_EVENTS_KEY_FILE) } };
      }
    }
  } catch (err) {
    await Promise.allSettled([aws?.close(), servicenow?.close()]);
    throw err;
  }
  if (mode === 'auto' && !wantAws && !serviceNowConfigured) {
    notes.push('ServiceNow: not configured, and the simulator never gates real AWS: patching stays refused until PATCHBRIDGE_SERVICENOW_URL is set');
  }
  return {
    config: effective === config ? config : freezeConfig(effective),
    ...(servicenow ? { servicenow } : {}),
    ...(aws ? { aws } : {}),
    overrides,
    notes,
    ...(sandboxChange ? { sandboxChange } : {}),
    async close() {
      await Promise.all([aws?.close(), servicenow?.close()]);
    },
  };
}
