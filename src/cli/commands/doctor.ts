import { Command } from 'commander';
import { loadConfig, missingSettings, VARIABLES } from '../../config/index.js';
import type { CliIo } from '../io.js';

/** `patchbridge doctor`: validates configuration and says what is set, defaulted or missing. Never prints secrets. */
export function doctorCommand(io: CliIo): Command {
  return new Command('doctor').description('Check the configuration and say what is missing.').action(() => {
    const config = loadConfig(io.env);
    io.stdout.write('configuration is valid\n');
    for (const v of VARIABLES) {
      const set = (io.env[v.name] ?? '').trim() !== '';
      const shown = !set ? ('default' in v ? `${v.default} (default)` : '-') : 'secret' in v && v.secret ? '(set, hidden)' : (io.env[v.name] ?? '');
      io.stdout.write(`  ${v.name.padEnd(40)} ${shown}\n`);
    }
    const missing = missingSettings(config);
    if (missing.length === 0) io.stdout.write('nothing missing\n');
    for (const m of missing) io.stdout.write(`missing: ${m.setting}: ${m.why}\n`);
  });
}
