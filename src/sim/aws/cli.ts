import { Command, InvalidArgumentError } from 'commander';
import type { Logger } from '../../core/logger.js';
import { type AwsSim, createAwsSim } from './create-aws-sim.js';
import { createFleet } from './fleet.js';
import type { SimTimeMode } from './scheduler.js';

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

/** Generates the fleet, starts the simulator and logs where it listens. The caller closes it. */
export async function startAwsSim(options: StartAwsSimOptions): Promise<AwsSim> {
  const fleet = createFleet({
    size: options.fleetSize,
    seed: options.seed ?? 1,
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
  const url = await sim.listen(options.port, options.host ?? '127.0.0.1');
  options.logger.info(
    { url, instances: fleet.instances.length, patchGroups: fleet.patchGroups, windows: fleet.windows.map((w) => w.windowId) },
    `AWS simulator listening; export AWS_ENDPOINT_URL=${url}`,
  );
  return sim;
}

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

function time(v: string): SimTimeMode {
  if (v === 'instant' || v === 'stepped') return { mode: v };
  const m = /^scaled(?::(\d+(?:\.\d+)?))?$/.exec(v);
  if (m) return { mode: 'scaled', factor: Number(m[1] ?? 60) };
  throw new InvalidArgumentError('time must be instant, stepped or scaled[:FACTOR]');
}

/**
 * The `aws` subcommand for `patchbridge sim`: `patchbridge sim aws --port N --fleet-size 500`.
 * Runs until SIGINT/SIGTERM, then closes the server.
 */
export function awsSimCommand(deps: { logger: Logger }): Command {
  return new Command('aws')
    .description('Run the AWS fleet simulator (SSM, SNS, STS, Secrets Manager, Tagging) on one HTTP port')
    .option('--port <port>', 'port to listen on (0 = any free port)', int('port'), 4566)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--fleet-size <n>', 'managed instances to generate', int('fleet-size'), 500)
    .option('--seed <seed>', 'seed for the fleet and every random choice', '1')
    .option('--patch-groups <n>', 'patch groups to generate', int('patch-groups'), 4)
    .option('--failure-rate <rate>', 'share of patch invocations that fail or time out', Number.parseFloat, 0.05)
    .option('--account-id <id>', 'account of the ambient credentials', '123456789012')
    .option('--region <region>', 'default region', 'us-east-1')
    .option('--time <mode>', 'instant | stepped | scaled[:FACTOR]', time, { mode: 'scaled', factor: 60 } as SimTimeMode)
    .option('--topic <arn...>', 'SNS topics that exist (others are created on first publish)')
    .action(async (opts: {
      port: number;
      host: string;
      fleetSize: number;
      seed: string;
      patchGroups: number;
      failureRate: number;
      accountId: string;
      region: string;
      time: SimTimeMode;
      topic?: string[];
    }) => {
      const sim = await startAwsSim({
        port: opts.port,
        host: opts.host,
        fleetSize: opts.fleetSize,
        seed: opts.seed,
        patchGroups: opts.patchGroups,
        failureRate: opts.failureRate,
        accountId: opts.accountId,
        region: opts.region,
        time: opts.time,
        topics: opts.topic ?? [],
        logger: deps.logger,
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sim.close();
    });
}
