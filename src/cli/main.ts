#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { processEnv } from '../config/index.js';
import { ConfigError } from '../core/index.js';
import { doctorCommand } from './commands/doctor.js';
import { outboxCommand } from './commands/outbox.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { simCommand } from './commands/sim.js';
import { storeCommand } from './commands/store.js';
import { eventsCommand } from './commands/events.js';
import { gatesCommand } from './commands/gates.js';
import { reportsCommand } from './commands/reports.js';
import { runsCommand } from './commands/runs.js';
import { CliExitError } from './api-client.js';
import type { CliIo } from './io.js';

/** Builds the `patchbridge` program. `io` carries env, streams and exit so tests run it in-process. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('patchbridge')
    .description('Two-way bridge between AWS Systems Manager Patch Manager and ServiceNow.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program.addCommand(serveCommand(io));
  program.addCommand(doctorCommand(io));
  program.addCommand(reportCommand(io));
  program.addCommand(simCommand(io));
  program.addCommand(outboxCommand(io));
  program.addCommand(storeCommand(io));
  program.addCommand(runsCommand(io));
  program.addCommand(gatesCommand(io));
  program.addCommand(reportsCommand(io));
  program.addCommand(eventsCommand(io));
  return program;
}

/** Parses a port option, 0–65535. */
export function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

/** Runs the CLI; resolves to the process exit code. Config errors are one line naming the variable. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliExitError) {
      io.stderr.write(`patchbridge: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`patchbridge: configuration error: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`patchbridge: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

// Resolve symlinks: npm's bin shim links to dist/src/cli/main.js.
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  const code = await runCli(process.argv.slice(2), {
    env: processEnv(),
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal: (signal, handler) => process.once(signal, handler),
  });
  // serve keeps the event loop alive until shutdown; other commands end here.
  if (code !== 0) process.exit(code);
}
