import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '../../core/index.js';
import { type AwsSim, createAwsSim } from './create-aws-sim.js';
import { createFleet } from './fleet.js';
import type { SimTimeMode } from './scheduler.js';
import { ID_PATTERNS } from '../../domain/index.js';

export const AWS_SIM_CLI_USAGE = `Run the AWS fleet simulator (SSM, SNS, STS, Secrets Manager, Tagging API) on one port
usage: patchbridge sim aws [--port 4566] [--host 127.0.0.1] [--fleet-size 500] [--seed 1]
                           [--patch-groups 4] [--failure-rate 0.05] [--account-id 123456789012]
                           [--region us-east-1] [--time scaled:60|instant|stepped] [--topic ARN]...
Point unmodified AWS SDK clients at it with AWS_ENDPOINT_URL=http://HOST:PORT (any credentials).`;

export interface StartAwsSimOptions {
  readonly port: number;
  readonly host?: string;
  readonly fleetSize: number;
  readonly seed?: number | string;
  readonly patchGroups?: number | readonly string[];
  readonly failureRate?: number;
  readonly accountId?: string;
  readonly region?: string;
  readonly time?: SimTimeMode;
  readonly topics?: readonly string[];
  readonly autoCreateTopics?: boolean;
  readonly logger: Logger;
}

/** Generates the fleet and starts the simulator. The caller closes it. */
export async function startAwsSim(options: StartAwsSimOptions): Promise<AwsSim> {
  const fleet = createFleet({
    size: options.fleetSize,
    seed: options.seed ?? 1,
    now: new Date(),
    ...(options.patchGroups === undefined ? {} : { patchGroups: options.patchGroups }),
    ...(options.failureRate === undefined ? {} : { failureRate: options.failureRate }),
    ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  const sim = createAwsSim({
    fleet,
    seed: options.seed ?? 1,
    time: options.time ?? { mode: 'scaled', factor: 60 },
    logger: options.logger,
    topics: options.topics ?? [],
    autoCreateTopics: options.autoCreateTopics ?? true,
  });
  await sim.listen(options.port, options.host ?? '127.0.0.1');
  return sim;
}

function parseTime(v: string): SimTimeMode {
  if (v === 'instant' || v === 'stepped') return { mode: v };
  const m = /^scaled(?::(\d+(?:\.\d+)?))?$/.exec(v);
  if (m) return { mode: 'scaled', factor: Number(m[1] ?? 60) };
  throw new RangeError('--time: expected instant, stepped or scaled[:FACTOR]');
}

/**
 * `patchbridge sim aws [options]`: parses its own options (see `AWS_SIM_CLI_USAGE`),
 * starts the simulator and reports where it listens through `out`.
 */
export async function runAwsSimCli(
  argv: readonly string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<AwsSim> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      'fleet-size': { type: 'string', default: '500' },
      seed: { type: 'string', default: '1' },
      'patch-groups': { type: 'string', default: '4' },
      'failure-rate': { type: 'string', default: '0.05' },
      'account-id': { type: 'string', default: '123456789012' },
      region: { type: 'string', default: 'us-east-1' },
      time: { type: 'string', default: 'scaled:60' },
      topic: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const num = (name: string, value: string, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`--${name}: expected a number from ${min} to ${max}`);
    return n;
  };
  if (!ID_PATTERNS.accountId.test(values['account-id'])) throw new RangeError('--account-id: expected 12 digits');
  const sim = await startAwsSim({
    port: num('port', values.port, 0, 65535),
    host: values.host,
    fleetSize: num('fleet-size', values['fleet-size'], 0, 1_000_000),
    seed: values.seed,
    patchGroups: num('patch-groups', values['patch-groups'], 0, 1000),
    failureRate: num('failure-rate', values['failure-rate'], 0, 1),
    accountId: values['account-id'],
    region: values.region,
    time: parseTime(values.time),
    topics: values.topic ?? [],
    logger: createLogger({ name: 'aws-sim' }),
  });
  out(`AWS simulator listening on ${sim.url} (${sim.fleet.instances.length} instances, account ${sim.fleet.accountId}, ${values.region})`);
  out(`  export AWS_ENDPOINT_URL=${sim.url}   (any access key works; the signature is not checked)`);
  out(`  maintenance windows: ${sim.fleet.windows.map((w) => `${w.windowId} (${w.name})`).join(', ') || 'none'}`);
  return sim;
}
