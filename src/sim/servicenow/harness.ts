import { type Clock, type Logger, silentLogger } from '../../core/index.js';
import {
  createServiceNowClient,
  type ServiceNowClient,
  type ServiceNowCredentialsResolved,
  type ServiceNowLimits,
  staticCredentials,
} from '../../servicenow/index.js';
import { SIM_DEFAULTS, type ServiceNowSim, createServiceNowSim } from './sim.js';
import type { ServiceNowSimOptions } from './types.js';

export interface ServiceNowSimHarness {
  readonly sim: ServiceNowSim;
  /** The real client, signed in with the simulator's default integration user or OAuth client. */
  readonly client: ServiceNowClient;
  close(): Promise<void>;
}

export interface CreateServiceNowSimHarnessOptions {
  readonly sim?: ServiceNowSimOptions;
  /** Which of the simulator's default credentials the client presents. Default `basic`. */
  readonly auth?: 'basic' | 'oauth';
  /** Client limits; default {@link FAST_SIM_LIMITS}. Pass `DEFAULT_SERVICENOW_LIMITS` for production behaviour. */
  readonly limits?: Partial<ServiceNowLimits>;
  /** Clock for the client's retry waits (the simulator's own clock is `sim.clock`). */
  readonly clock?: Clock;
  /** Jitter source for the client's backoff. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** The simulator's default integration user, as a client presents it. */
export const SIM_BASIC_CREDENTIALS = { kind: 'basic', username: SIM_DEFAULTS.userName, password: SIM_DEFAULTS.password } as const satisfies ServiceNowCredentialsResolved;
/** The simulator's default OAuth client, as a client presents it. */
export const SIM_OAUTH_CREDENTIALS = { kind: 'oauth', clientId: SIM_DEFAULTS.clientId, clientSecret: SIM_DEFAULTS.clientSecret } as const satisfies ServiceNowCredentialsResolved;

/** Fail fast when a test takes the simulator "down": one retry, milliseconds apart. */
export const FAST_SIM_LIMITS: Partial<ServiceNowLimits> = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5, retryBudgetMs: 2_000, timeoutMs: 2_000 };

/**
 * A ServiceNow simulator on an ephemeral port plus the real `createServiceNowClient`
 * pointed at it: the whole HTTP path, for tests and benches of flows. `close()` stops the simulator.
 */
export async function createServiceNowSimHarness(options: CreateServiceNowSimHarnessOptions = {}): Promise<ServiceNowSimHarness> {
  const sim = createServiceNowSim(options.sim);
  await sim.listen(0);
  const client = createServiceNowClient({
    instanceUrl: sim.url,
    auth: staticCredentials(options.auth === 'oauth' ? SIM_OAUTH_CREDENTIALS : SIM_BASIC_CREDENTIALS),
    logger: options.logger ?? silentLogger(),
    limits: options.limits ?? FAST_SIM_LIMITS,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return { sim, client, close: () => sim.close() };
}
