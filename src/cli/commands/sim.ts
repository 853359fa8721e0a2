import { Command } from 'commander';
import { AWS_SIM_CLI_USAGE, runAwsSimCli } from '../../sim/aws/index.js';
import { runServiceNowSimCli, SIM_CLI_USAGE } from '../../sim/servicenow/index.js';
import type { CliIo } from '../io.js';

interface Closable {
  close(): Promise<void>;
}

/**
 * `patchbridge sim servicenow|aws [options]`: runs a bundled simulator in the
 * foreground until SIGTERM/SIGINT. Each simulator parses its own options.
 */
export function simCommand(io: CliIo): Command {
  const sim = new Command('sim').description('Run a bundled simulator (for sandboxes and demos).');
  const runner = (name: string, usage: string, start: (args: string[]) => Promise<Closable>) =>
    sim
      .command(name)
      .description(usage.split('\n')[0] ?? name)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[options...]')
      .action(async (args: string[]) => {
        const running = await start(args);
        const stop = () => void running.close();
        io.onSignal('SIGTERM', stop);
        io.onSignal('SIGINT', stop);
      });
  runner('servicenow', SIM_CLI_USAGE, (args) => runServiceNowSimCli(args, (line) => io.stdout.write(`${line}\n`)));
  runner('aws', AWS_SIM_CLI_USAGE, (args) => runAwsSimCli(args, (line) => io.stdout.write(`${line}\n`)));
  return sim;
}
