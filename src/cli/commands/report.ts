import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Config, loadConfig } from '../../config/index.js';
import { type Clock, createLogger, type Logger, systemClock } from '../../core/index.js';
import { isDay } from '../../domain/index.js';
import {
  type BuildProgress,
  buildComplianceReport,
  type ComplianceInventory,
  type ComplianceTargets,
  historyWorkerCount,
  REPORT_FILES,
  REPORT_FORMATS,
  type ReportBlobs,
  type ReportFormat,
  reportFileBody,
  resolveComplianceTargets,
} from '../../flows/compliance/index.js';
import { createCoreContext } from '../../runtime/index.js';
import type { CliIo } from '../io.js';

/** What `patchbridge report` reads from: the history blobs and the live fleet. */
export interface ReportCliContext {
  readonly blobs: Pick<ReportBlobs, 'get' | 'head'>;
  readonly inventory: ComplianceInventory;
  readonly targets: ComplianceTargets;
  readonly clock?: Clock;
  close(): Promise<void>;
}

/** Builds the context from configuration; the default uses the real blob store and AWS. */
export type ReportCliResolver = (config: Config, logger: Logger) => Promise<ReportCliContext>;

interface ReportOptions {
  days?: number;
  end?: string;
  format: ReportFormat[];
  out: string;
  account?: string[];
  region?: string[];
  patchGroup?: string[];
  live: boolean;
}

function positiveDays(value: string): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n < 1 || n > 366) throw new InvalidArgumentError('expected a number of days from 1 to 366');
  return n;
}

function formats(value: string): ReportFormat[] {
  const list = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (list.length === 0 || bad.length > 0) throw new InvalidArgumentError(`expected a comma-separated list of ${REPORT_FORMATS.join(', ')}`);
  return REPORT_FORMATS.filter((f) => list.includes(f));
}

function day(value: string): string {
  if (!isDay(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * `patchbridge report --days 30 --format csv,html --out DIR`: builds a compliance
 * report from the history in the blob store plus the live fleet, and writes the
 * files to DIR. On a terminal it shows progress on stderr; it prints the paths
 * it wrote on stdout.
 */
export function reportCommand(io: CliIo, resolve: ReportCliResolver = defaultResolver): Command {
  return new Command('report')
    .description('Build a compliance report from the daily history and the live fleet, and write it to a folder.')
    .option('--days <n>', 'days of history to cover (default PATCHBRIDGE_REPORT_DAYS)', positiveDays)
    .option('--end <date>', 'last day of the period, YYYY-MM-DD UTC (default today, read live)', day)
    .addOption(new Option('--format <list>', `comma-separated: ${REPORT_FORMATS.join(', ')}`).default([...REPORT_FORMATS], 'csv,html,json').argParser(formats))
    .requiredOption('--out <dir>', 'folder to write the files to (created if needed)')
    .option('--account <id>', 'only this account (repeatable)', collect)
    .option('--region <region>', 'only this region (repeatable)', collect)
    .option('--patch-group <name>', 'only this patch group; "(unmanaged)" for none (repeatable)', collect)
    .option('--no-live', 'read the last day from its snapshot instead of the live fleet')
    .action(async (opts: ReportOptions) => {
      const config = loadConfig(io.env);
      const logger = createLogger({ level: io.stderr.isTTY ? 'warn' : config.logLevel, destination: { write: (s: string) => void io.stderr.write(s) } });
      const ctx = await resolve(config, logger);
      try {
        const progress = progressPrinter(io);
        const report = await buildComplianceReport(
          {
            blobs: ctx.blobs,
            inventory: ctx.inventory,
            clock: ctx.clock ?? systemClock,
            logger,
            targets: ctx.targets,
            staleDays: config.compliance.staleDays,
            snapshotMaxAgeMs: config.compliance.snapshotMaxAgeSeconds * 1000,
            historyWorkers: historyWorkerCount(config.compliance.reportWorkers),
          },
          {
            period: { days: opts.days ?? config.compliance.reportDays, ...(opts.end ? { end: opts.end } : {}) },
            scope: {
              ...(opts.account ? { accounts: opts.account } : {}),
              ...(opts.region ? { regions: opts.region } : {}),
              ...(opts.patchGroup ? { patchGroups: opts.patchGroup } : {}),
            },
            live: opts.live,
            ...(progress ? { onProgress: progress } : {}),
          },
        );
        const dir = path.resolve(opts.out);
        await mkdir(dir, { recursive: true });
        for (const format of opts.format) {
          const file = path.join(dir, REPORT_FILES[format].name);
          const body = reportFileBody(format, report);
          if (typeof body === 'string') await writeFile(file, body);
          else await pipeline(body, createWriteStream(file));
          io.stdout.write(`${file}\n`);
        }
        const f = report.summary.fleet;
        io.stdout.write(
          `${report.summary.period.start} to ${report.summary.period.end}: ${f.compliancePct ?? 'n/a'}% compliant (${f.compliant}/${f.instances}), ${report.stats.instances} instances seen\n`,
        );
      } finally {
        await ctx.close();
      }
    });
}

/** Progress on a terminal only: one line rewritten in place. */
function progressPrinter(io: CliIo): ((p: BuildProgress) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (p) => {
    const text =
      p.phase === 'history'
        ? `history ${p.dayIndex + 1}/${p.days} (${p.day}) · ${p.records.toLocaleString('en')} records`
        : p.phase === 'live'
          ? `live ${p.accountId} ${p.region} · ${p.records.toLocaleString('en')} records`
          : `built · ${p.instances.toLocaleString('en')} instances, ${p.records.toLocaleString('en')} records`;
    io.stderr.write(`\r\x1b[2K${text}${p.phase === 'done' ? '\n' : ''}`);
  };
}

/** The real blob store and AWS, as configured, through the shared core context. */
const defaultResolver: ReportCliResolver = async (config, logger) => {
  const ctx = await createCoreContext(config, { logger });
  try {
    const targets = await resolveComplianceTargets(config, ctx.aws, ctx.awsClients.defaultContext());
    return { blobs: ctx.blobs, inventory: ctx.aws.inventory, targets, clock: ctx.clock, close: () => ctx.close() };
  } catch (err) {
    await ctx.close();
    throw err;
  }
};
