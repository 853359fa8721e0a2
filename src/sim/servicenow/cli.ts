import { parseArgs } from 'node:util';
import { createLogger } from '../../core/index.js';
import { SIM_DEFAULTS, type ServiceNowSim, createServiceNowSim } from './sim.js';
import type { ServiceNowSimOptions } from './types.js';

export const SIM_CLI_USAGE = `Usage: patchbridge sim servicenow [options]
  --port N              port to listen on (0 = ephemeral; default 8090)
  --host HOST           address to bind (default 127.0.0.1)
  --seed N              PRNG seed (default 1)
  --latency-ms N        fixed latency per request
  --rate-limit N        requests per second per user before 429
  --error-rate R        fraction 0..1 of calls failing with 500/503
  --hibernating         answer every call with the hibernation page
  --seed-demo           seed a group, CIs and an approved change for the sandbox`;

/**
 * Runs a standalone simulator for `patchbridge sim servicenow --port N`.
 * Resolves once listening; call `close()` on the result to stop it.
 * Prints the base URL and the (simulator-only) user and client ids; passwords
 * and secrets are the documented `SIM_DEFAULTS` and never printed.
 */
export async function runServiceNowSimCli(
  argv: readonly string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ServiceNowSim> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'error-rate': { type: 'string' },
      hibernating: { type: 'boolean', default: false },
      'seed-demo': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`--${name}: expected a number from ${min} to ${max}`);
    return n;
  };
  const latency = int('latency-ms', values['latency-ms'], 0, 60_000);
  const rate = int('rate-limit', values['rate-limit'], 1, 1_000_000);
  const errorRate = int('error-rate', values['error-rate'], 0, 1);
  const options: ServiceNowSimOptions = {
    seed: int('seed', values.seed, 0, 2 ** 32 - 1) ?? 1,
    logger: createLogger({ name: 'servicenow-sim' }),
    hibernating: values.hibernating,
    ...(latency !== undefined ? { latency: { kind: 'fixed', ms: latency } as const } : {}),
    ...(rate !== undefined ? { rateLimit: { requestsPerSecond: rate } } : {}),
    ...(errorRate !== undefined ? { errorRate: { rate: errorRate } } : {}),
  };
  const sim = createServiceNowSim(options);
  if (values['seed-demo']) seedDemo(sim);
  const url = await sim.listen(int('port', values.port, 0, 65535) ?? 8090, values.host);
  out(`ServiceNow simulator listening on ${url}`);
  out(`  OAuth client id: ${SIM_DEFAULTS.clientId}   Basic user: ${SIM_DEFAULTS.userName}   (secrets: see docs/servicenow.md)`);
  return sim;
}

function seedDemo(sim: ServiceNowSim): void {
  const group = sim.seed.group({ name: 'Cloud Operations' });
  sim.seed.cisForInstances(['i-0123456789abcdef0', 'i-0fedcba9876543210'], { support_group: group['sys_id'] ?? '' });
  const now = Date.now();
  sim.seed.changeRequest({
    short_description: 'Monthly patching',
    assignment_group: group['sys_id'] ?? '',
    start: new Date(now - 3_600_000),
    end: new Date(now + 7 * 86_400_000),
  });
}
