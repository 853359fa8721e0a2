import type { Clock, Logger } from '../core/index.js';
import type { AwsClients } from './client-factory.js';
import type { AwsPorts } from './ports.js';
import { createSecretReader } from './secrets-reader.js';
import { createPublisher } from './sns-publisher.js';
import { createFleetInventory } from './ssm-inventory.js';
import { createMaintenanceWindows } from './ssm-maintenance-windows.js';
import { createPatchExecution } from './ssm-patch-execution.js';
import { createIdentityProbe } from './sts-identity.js';

export interface CreateAwsAdaptersOptions {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ad hoc patch runbook name (`config.patching.runbook`). */
  readonly runbook: string;
  /** Calls in flight at once for batched / per-resource reads; default 4. */
  readonly concurrency?: number;
  /** `StartAutomationExecution` per second per account+region; default 1 (the AWS limit). */
  readonly automationTps?: number;
  readonly secretMaxAgeSeconds?: number;
}

/** Every AWS port, wired over one client factory. One call per composition root. */
export function createAwsAdapters(options: CreateAwsAdaptersOptions): AwsPorts {
  const logger = options.logger.child({ component: 'aws' });
  const { clients, clock } = options;
  const inventory = createFleetInventory({ clients, logger, concurrency: options.concurrency });
  return {
    inventory,
    patchExecution: createPatchExecution({
      clients,
      clock,
      logger,
      runbook: options.runbook,
      inventory,
      automationTps: options.automationTps,
    }),
    windows: createMaintenanceWindows({ clients, logger }),
    publisher: createPublisher({ clients, logger }),
    secrets: createSecretReader({ clients, clock, logger, defaultMaxAgeSeconds: options.secretMaxAgeSeconds }),
    identity: createIdentityProbe({ clients }),
  };
}
