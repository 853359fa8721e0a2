import { Command } from 'commander';
import { type Config, freezeConfig, loadConfig, missingSettings, VARIABLES } from '../../config/index.js';
import { AppError, createLogger } from '../../core/index.js';
import { createCoreContext, type DiagnosisLine, onlineChecks, runChecks } from '../../runtime/index.js';
import type { CliIo } from '../io.js';

/** ServiceNow retries are for deliveries; a doctor should answer within seconds. */
const DOCTOR_SERVICENOW_BUDGET_MS = 5_000;

const MARK: Record<DiagnosisLine['status'], string> = { ok: '[ok]  ', failed: '[FAIL]', skipped: '[skip]' };

/** One line per check: mark, name, what was found, and the fix for anything not ok. */
export function formatDiagnosis(line: DiagnosisLine): string {
  return `${MARK[line.status]} ${line.name}: ${line.detail}${line.hint && line.status !== 'ok' ? ` (fix: ${line.hint})` : ''}\n`;
}

/**
 * `patchbridge doctor [--online]`: validates configuration and says what is set,
 * defaulted or missing; with `--online`, checks that what it names is really
 * there. Never prints secrets. Exits 1 when an online check fails.
 */
export function doctorCommand(io: CliIo): Command {
  return new Command('doctor')
    .description('Check the configuration and say what is missing; --online checks ServiceNow, AWS, the table, the bucket and the topics.')
    .option('--online', 'also check each dependency over the network, one line each with a fix hint')
    .action(async (opts: { online?: boolean }) => {
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
      if (opts.online) await online(config, io);
    });
}

async function online(loaded: Config, io: CliIo): Promise<void> {
  const config = freezeConfig({
    ...loaded,
    servicenow: { ...loaded.servicenow, retryBudgetMs: Math.min(loaded.servicenow.retryBudgetMs, DOCTOR_SERVICENOW_BUDGET_MS) },
  });
  // Failures are reported as lines, not logs; the logger stays quiet below error.
  const core = await createCoreContext(config, { logger: createLogger({ level: 'fatal' }) });
  try {
    io.stdout.write('online checks\n');
    const lines = await runChecks(onlineChecks(core), (line) => io.stdout.write(formatDiagnosis(line)));
    const failed = lines.filter((l) => l.status === 'failed').length;
    if (failed > 0) throw new AppError('DOCTOR_FAILED', `${failed} of ${lines.length} online check(s) failed`);
    io.stdout.write('all online checks passed\n');
  } finally {
    await core.close();
  }
}
