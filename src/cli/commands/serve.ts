import { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import type { CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { startStandalone } from '../standalone.js';

/** `patchbridge serve`: the standalone server on the embedded defaults. */
export function serveCommand(io: CliIo): Command {
  return new Command('serve').description('Run the API, event intake, scheduler and outbox in one process.').action(async () => {
    const config = loadConfig(io.env);
    const logger = cliLogger(config, io);
    const running = await startStandalone(config, { logger });
    io.stdout.write(`patchbridge listening on ${running.url}\n`);
    for (const line of running.notes) io.stdout.write(`  ${line}\n`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down');
      running.close().then(
        () => logger.info('stopped'),
        (err: unknown) => logger.error({ err }, 'shutdown failed'),
      );
    };
    io.onSignal('SIGTERM', stop);
    io.onSignal('SIGINT', stop);
  });
}
