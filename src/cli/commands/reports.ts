import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ComplianceReport } from '../../api/client/index.js';
import { type Clock, systemClock } from '../../core/index.js';
import { type ApiContext, apiContext, CliExitError, call, EXIT, emit, fields, networkCause, table, jsonOption } from '../api-client.js';
import type { CliIo } from '../io.js';

const FORMATS = ['csv', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

function formatsOption(value: string): Format[] {
  const list = value.split(',').map((s) => s.trim());
  if (list.length === 0 || !list.every((f): f is Format => (FORMATS as readonly string[]).includes(f))) throw new InvalidArgumentError('expected csv, html and/or json, comma-separated');
  return list;
}

function daysOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 366) throw new InvalidArgumentError('expected days from 1 to 366');
  return n;
}

function reportFields(r: ComplianceReport): string {
  const fleet = r.summary?.fleet;
  const head = fields([
    ['id', r.id],
    ['status', r.status],
    ['period', `${r.request.period.days} days to ${r.request.period.end}`],
    ['formats', r.request.formats.join(', ')],
    ['requested item', r.requestedItem],
    ['fleet', fleet ? `${fleet.compliancePct ?? '-'}% compliant (${fleet.compliant}/${fleet.instances}), ${fleet.nonCompliant} non-compliant, ${fleet.unreported} unreported` : undefined],
    ['error', r.error],
    ['created', r.createdAt],
  ]);
  const groups = r.summary?.byPatchGroup ?? [];
  const groupTable = groups.length > 0 ? `\n${table(['PATCH GROUP', 'INSTANCES', 'COMPLIANT', 'NON-COMPLIANT', 'COMPLIANCE %'], groups.map((g) => [g.key, g.instances, g.compliant, g.nonCompliant, g.compliancePct ?? undefined]))}` : '';
  const files = r.files.length > 0 ? `\n${table(['FILE', 'EXPIRES'], r.files.map((f) => [f.name, f.expiresAt]))}` : '';
  return head + groupTable + files;
}

async function getReport(ctx: ApiContext, reportId: string): Promise<ComplianceReport> {
  return call(ctx.baseUrl, ctx.client.GET('/v1/compliance/reports/{reportId}', { params: { path: { reportId } } }));
}

/** `patchbridge reports request|get|download`: on-demand compliance reports through the signed API. */
export function reportsCommand(io: CliIo, clock: Clock = systemClock): Command {
  const reports = new Command('reports').description('Request compliance reports, read their summary and download their files.');

  reports
    .command('request')
    .description('Ask for a compliance report; --wait until it is built.')
    .option('--days <n>', 'days of history the report covers', daysOption)
    .option('--formats <list>', 'csv, html and/or json', formatsOption)
    .option('--requested-item <RITM>', 'attach the files to this ServiceNow requested item')
    .option('--idempotency-key <key>', 'makes a retried request safe (default: a new UUID)')
    .option('--wait', 'poll until the report is built; exit 6 if it fails')
    .addOption(jsonOption())
    .action(async (o: { days?: number; formats?: Format[]; requestedItem?: string; idempotencyKey?: string; wait?: boolean; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const body = {
        ...(o.days ? { period: { days: o.days } } : {}),
        ...(o.formats ? { formats: o.formats } : {}),
        ...(o.requestedItem ? { requestedItem: o.requestedItem } : {}),
      };
      let report = await call(ctx.baseUrl, ctx.client.POST('/v1/compliance/reports', { body, params: { header: { 'Idempotency-Key': o.idempotencyKey ?? randomUUID() } } }));
      while (o.wait && (report.status === 'queued' || report.status === 'running')) {
        await clock.sleep(1000);
        report = await getReport(ctx, report.id);
      }
      emit(io, ctx, report, () => reportFields(report));
      if (o.wait && report.status === 'failed') throw new CliExitError(EXIT.unsuccessful, `report ${report.id} failed: ${report.error ?? 'no reason given'}`);
    });

  reports
    .command('get')
    .description("A report's status, summary and download links.")
    .argument('<reportId>')
    .addOption(jsonOption())
    .action(async (reportId: string, o: { json?: boolean }) => {
      const ctx = apiContext(io, o);
      const report = await getReport(ctx, reportId);
      emit(io, ctx, report, () => reportFields(report));
    });

  reports
    .command('download')
    .description('Download a report file through its link.')
    .argument('<reportId>')
    .addOption(new Option('--format <format>', 'which file').choices([...FORMATS]).default('csv'))
    .option('--out <dir>', 'directory to write it to', '.')
    .addOption(jsonOption())
    .action(async (reportId: string, o: { format: Format; out: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const report = await getReport(ctx, reportId);
      const file = report.files.find((f) => f.format === o.format);
      if (!file?.url) {
        throw new CliExitError(EXIT.refused, `report ${reportId} has no ${o.format} file${report.status === 'succeeded' ? '' : ` (status ${report.status})`}`);
      }
      // The link authenticates itself (presigned or signed), so it is fetched as is.
      const res = await fetch(new URL(file.url, ctx.baseUrl)).catch((err: unknown) => {
        throw new CliExitError(EXIT.unavailable, `cannot download ${file.name} (${networkCause(err)})`, { cause: err });
      });
      if (!res.ok || res.body === null) throw new CliExitError(res.status >= 500 ? EXIT.unavailable : EXIT.refused, `download of ${file.name} answered ${res.status}`);
      mkdirSync(o.out, { recursive: true });
      const target = path.join(o.out, path.basename(file.name));
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(target));
      emit(io, ctx, { reportId, file: file.name, path: path.resolve(target) }, () => `wrote ${target}\n`);
    });
  return reports;
}
