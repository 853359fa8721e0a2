import { type AwsClients, type AwsContext, type AwsPorts, createAwsAdapters, createAwsClients } from '../../aws/index.js';
import { type Clock, type Logger, silentLogger, systemClock } from '../../core/index.js';
import type { AwsAccount } from '../../config/index.js';
import { type AwsSim, type CreateAwsSimOptions, createAwsSim } from './create-aws-sim.js';

export interface AwsSimHarness {
  readonly sim: AwsSim;
  readonly clients: AwsClients;
  readonly ports: AwsPorts;
  /** The home account in the default region. */
  readonly ctx: AwsContext;
  close(): Promise<void>;
}

export interface CreateAwsSimHarnessOptions {
  readonly sim?: CreateAwsSimOptions;
  /** Accounts for the client factory; default none (any account, ambient credentials). */
  readonly accounts?: readonly AwsAccount[];
  /** Clock for the adapters (token bucket, secret cache, credential refresh). */
  readonly clock?: Clock;
  readonly runbook?: string;
  readonly maxAttempts?: number;
  readonly concurrency?: number;
  /** `StartAutomationExecution` per second; tests that move a manual clock raise it. */
  readonly automationTps?: number;
  readonly logger?: Logger;
}

/** Static, fake "ambient" credentials: the simulator accepts any signature. */
export const SIM_CREDENTIALS = { accessKeyId: 'AKIDPATCHBRIDGESIM01', secretAccessKey: 'not-a-real-secret' } as const;

/**
 * A simulator on an ephemeral port plus the real client factory and adapters pointed
 * at it by endpoint only: the whole AWS SDK path, for tests of flows and adapters.
 */
export async function createAwsSimHarness(options: CreateAwsSimHarnessOptions = {}): Promise<AwsSimHarness> {
  const sim = createAwsSim(options.sim);
  const url = await sim.listen(0);
  const logger = options.logger ?? silentLogger();
  const region = sim.fleet.region;
  const clients = createAwsClients({
    accounts: options.accounts ?? [],
    defaultRegion: region,
    logger,
    endpointOverrides: url,
    credentials: SIM_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const ports = createAwsAdapters({
    clients,
    clock: options.clock ?? systemClock,
    logger,
    runbook: options.runbook ?? 'patchbridge-AdHocPatch',
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.automationTps === undefined ? {} : { automationTps: options.automationTps }),
  });
  return {
    sim,
    clients,
    ports,
    ctx: { accountId: options.sim?.accountId ?? sim.fleet.accountId, region },
    async close() {
      clients.destroy();
      await sim.close();
    },
  };
}
