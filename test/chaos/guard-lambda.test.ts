import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsAdapters, createAwsClients } from '../../src/aws/index.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createOutboxWorker } from '../../src/flows/outbox/index.js';
import { createChangeFlows } from '../../src/flows/changes/index.js';
import { createGuardTask } from '../../src/flows/changes/index.js';
import { createServiceNowClient, DEFAULT_SERVICENOW_LIMITS, staticCredentials } from '../../src/servicenow/index.js';
import { SIM_BASIC_CREDENTIALS } from '../../src/sim/servicenow/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { FAULT_MODES } from './support/fault-proxy.js';
import { ACCOUNT, createWorld, REGION, type World, waitFor } from './support/world.js';

describe('chaos: the guard Lambda task with ServiceNow failing', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({ fleetSize: 60, patchGroups: 6 });
  });
  afterAll(async () => {
    await world?.close();
  });

  // CI runs an outage and a hang; `npm run bench -- chaos` runs every fault mode against the event guard.
  it.each(FAULT_MODES.filter((m) => m === '503' || m === 'hang').map((mode, i) => [mode, i] as const))('when ServiceNow fails (%s), then the guard Lambda cancels a gated window it cannot confirm within 15 s', async (mode, index) => {
    // Prepare: the deployed wiring (production client limits), a gate recorded while ServiceNow was up.
    const logger = silentLogger();
    const store = createSqliteStore({ path: ':memory:', clock: systemClock, logger });
    const clients = createAwsClients({ accounts: [], defaultRegion: REGION, logger, endpointOverrides: world.aws.url, credentials: { accessKeyId: 'AKIDLAMBDA', secretAccessKey: 'lambda-test' } });
    const servicenow = createServiceNowClient({ instanceUrl: world.proxy.url, auth: staticCredentials(SIM_BASIC_CREDENTIALS), limits: DEFAULT_SERVICENOW_LIMITS, logger });
    const aws = createAwsAdapters({ clients, clock: systemClock, logger, runbook: 'patchbridge-AdHocPatch' });
    const flows = createChangeFlows({ config: loadConfig({ PATCHBRIDGE_AWS_REGIONS: REGION }), logger, clock: systemClock, store, aws, servicenow });
    const window = world.aws.fleet.windows[index];
    if (!window) throw new Error('no window');
    window.enabled = true;
    const now = Date.now();
    await store.putGate({
      windowId: window.windowId,
      accountId: ACCOUNT,
      region: REGION,
      changeNumber: world.change.number,
      changeSysId: world.change.sysId,
      start: new Date(now - 3_600_000).toISOString(),
      end: new Date(now + 3_600_000).toISOString(),
      revoked: false,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    });
    const worker = createOutboxWorker({ store, clock: systemClock, logger, handlers: flows.outboxHandlers });
    const handler = createGuardTask({ changeGates: flows.changeGates, worker, logger });
    await world.proxy.set(mode);
    const windowExecutionId = world.aws.runMaintenanceWindow(window.windowId) ?? '';

    try {
      // Act
      const started = Date.now();
      const decision = await handler(
        { windowId: window.windowId, windowExecutionId },
        { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:patchbridge-guard`, getRemainingTimeInMillis: () => 30_000 - (Date.now() - started) },
      );
      const cancel = await waitFor('the cancel', () => world.aws.requestLog.find((e) => e.operation === 'CancelMaintenanceWindowExecution' && e.at >= started && e.status === 200), 20_000, 20);

      // Assess
      expect(decision).toMatchObject({ action: 'cancel' });
      expect((cancel.at - started) / 1000).toBeLessThanOrEqual(15);
    } finally {
      await world.proxy.set('pass');
      clients.destroy();
      await store.close();
    }
  }, 40_000);
});
