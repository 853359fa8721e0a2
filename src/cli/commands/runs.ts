import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { PatchRun, PatchRunDetail } from '../../api/client/index.js';
import { type Clock, systemClock } from '../../core/index.js';
import { accountAndRegion, type ApiContext, apiContext, CliExitError, call, EXIT, emit, fields, table, jsonOption, accountOption, regionOption } from '../api-client.js';
import type { CliIo } from '../io.js';

const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

interface StartOptions {
  change: string;
  account?: string;
  region?: string;
  patchGroup?: string[];
  instance?: string[];
  operation: 'Scan' | 'Install';
  rebootOption: 'RebootIfNeeded' | 'NoReboot';
  maxConcurrency: string;
  maxErrors: string;
  requestedItem?: string;
  idempotencyKey?: string;
  wait?: boolean;
  intervalMs: number;
  json?: boolean;
}

function intervalOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 100 || n > 60_000) throw new InvalidArgumentError('expected milliseconds from 100 to 60000');
  return n;
}

function runRow(r: PatchRun): (string | number | undefined)[] {
  const c = r.counts;
  return [r.id, r.changeRequest, r.status, r.operation, r.accountId, r.region, c ? `${done(r)}/${c.total ?? 0}` : undefined, c?.failed, r.createdAt];
}

function done(r: PatchRun): number {
  const c = r.counts ?? {};
  return (c.succeeded ?? 0) + (c.failed ?? 0) + (c.timedOut ?? 0) + (c.cancelled ?? 0);
}

function runFields(r: PatchRun | PatchRunDetail): string {
  const t = r.targets;
  const targets =
    'patchGroups' in t
      ? `patch groups ${t.patchGroups.join(', ')}`
      : 'instanceIds' in t
        ? `instances ${t.instanceIds.join(', ')}`
        : `tags ${t.tags.map((tag) => `${tag.key}=${tag.values.join('|')}`).join(', ')}`;
  const head = fields([
    ['id', r.id],
    ['change', r.changeRequest],
    ['status', r.status],
    ['operation', r.operation],
    ['account', `${r.accountId} ${r.region}`],
    ['targets', targets],
    ['execution', r.executionId],
    ['progress', r.counts ? `${done(r)}/${r.counts.total ?? 0} done, ${r.counts.failed ?? 0} failed` : undefined],
    ['created', r.createdAt],
    ['updated', r.updatedAt],
  ]);
  if (!('instances' in r) || r.instances.items.length === 0) return head;
  return `${head}\n${table(['INSTANCE', 'STATUS', 'DETAILS'], r.instances.items.map((i) => [i.instanceId, i.status, i.statusDetails]))}`;
}

/** `[#####.....] 12/40 done, 1 failed  InProgress`: one line, redrawn in place on a terminal. */
export function progressLine(r: PatchRun, width = 30): string {
  const total = r.counts?.total ?? 0;
  const n = done(r);
  const filled = total === 0 ? (TERMINAL.has(r.status) ? width : 0) : Math.round((n / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total} done, ${r.counts?.failed ?? 0} failed  ${r.status}`;
}

async function waitForRun(ctx: ApiContext, io: CliIo, first: PatchRun, intervalMs: number, clock: Clock): Promise<PatchRun> {
  let run: PatchRun = first;
  let last = '';
  const tty = io.stderr.isTTY === true;
  for (;;) {
    const line = progressLine(run);
    if (line !== last) {
      io.stderr.write(tty ? `\r${line}` : `${line}\n`);
      last = line;
    }
    if (TERMINAL.has(run.status)) break;
    await clock.sleep(intervalMs);
    run = await call(ctx.baseUrl, ctx.client.GET('/v1/patch-runs/{runId}', { params: { path: { runId: run.id }, query: { limit: 1 } } }));
  }
  if (tty) io.stderr.write('\n');
  return run;
}

/** `patchbridge runs start|get|list|cancel`: ad hoc patch runs through the signed API. */
export function runsCommand(io: CliIo, clock: Clock = systemClock): Command {
  const runs = new Command('runs').description('Start, follow, list and cancel ad hoc patch runs (signed API calls).');

  runs
    .command('start')
    .description('Start a patch run under an approved change; --wait follows it to the end with a progress bar.')
    .requiredOption('--change <CHG>', 'the approved change request number')
    .addOption(accountOption())
    .addOption(regionOption())
    .option('--patch-group <name...>', 'target patch groups')
    .option('--instance <id...>', 'target instance ids')
    .addOption(new Option('--operation <op>', 'Scan or Install').choices(['Scan', 'Install']).default('Scan'))
    .addOption(new Option('--reboot-option <opt>', 'RebootIfNeeded or NoReboot').choices(['RebootIfNeeded', 'NoReboot']).default('RebootIfNeeded'))
    .option('--max-concurrency <n>', 'instances or percentage at once', '10%')
    .option('--max-errors <n>', 'errors before the run stops', '0')
    .option('--requested-item <RITM>', 'the ServiceNow requested item the run belongs to')
    .option('--idempotency-key <key>', 'makes a retried start safe (default: a new UUID)')
    .option('--wait', 'follow the run until it ends; exit 6 unless it succeeds')
    .option('--interval-ms <ms>', 'poll interval with --wait', intervalOption, 2000)
    .addOption(jsonOption())
    .action(async (o: StartOptions) => {
      const ctx = apiContext(io, o);
      const { account: accountId, region } = accountAndRegion(ctx, o);
      if (Boolean(o.patchGroup?.length) === Boolean(o.instance?.length)) throw new CliExitError(EXIT.usage, 'give either --patch-group or --instance');
      const body = {
        changeRequest: o.change,
        accountId,
        region,
        targets: o.patchGroup?.length ? { patchGroups: o.patchGroup } : { instanceIds: o.instance ?? [] },
        operation: o.operation,
        rebootOption: o.rebootOption,
        maxConcurrency: o.maxConcurrency,
        maxErrors: o.maxErrors,
        ...(o.requestedItem ? { requestedItem: o.requestedItem } : {}),
      };
      const started = await call(ctx.baseUrl, ctx.client.POST('/v1/patch-runs', { body, params: { header: { 'Idempotency-Key': o.idempotencyKey ?? randomUUID() } } }));
      const run = o.wait ? await waitForRun(ctx, io, started, o.intervalMs, clock) : started;
      emit(io, ctx, run, () => runFields(run));
      if (o.wait && run.status !== 'Success') throw new CliExitError(EXIT.unsuccessful, `run ${run.id} ended ${run.status}`);
    });

  runs
    .command('get')
    .description('A run with per-instance results.')
    .argument('<runId>')
    .addOption(jsonOption())
    .action(async (runId: string, o: { json?: boolean }) => {
      const ctx = apiContext(io, o);
      const run = await call(ctx.baseUrl, ctx.client.GET('/v1/patch-runs/{runId}', { params: { path: { runId } } }));
      emit(io, ctx, run, () => runFields(run));
    });

  runs
    .command('list')
    .description('Runs, newest first.')
    .option('--change <CHG>', 'only runs of this change')
    .option('--limit <n>', 'at most this many', '20')
    .addOption(jsonOption())
    .action(async (o: { change?: string; limit: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const query = { limit: Number(o.limit), ...(o.change ? { changeRequest: o.change } : {}) };
      const list = await call(ctx.baseUrl, ctx.client.GET('/v1/patch-runs', { params: { query } }));
      emit(io, ctx, list, () =>
        list.items.length === 0 ? 'no patch runs\n' : table(['ID', 'CHANGE', 'STATUS', 'OPERATION', 'ACCOUNT', 'REGION', 'DONE', 'FAILED', 'CREATED'], list.items.map(runRow)),
      );
    });

  runs
    .command('cancel')
    .description('Cancel a run.')
    .argument('<runId>')
    .option('--idempotency-key <key>', 'makes a retried cancel safe (default: a new UUID)')
    .addOption(jsonOption())
    .action(async (runId: string, o: { idempotencyKey?: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const run = await call(
        ctx.baseUrl,
        ctx.client.POST('/v1/patch-runs/{runId}/cancel', { params: { path: { runId }, header: { 'Idempotency-Key': o.idempotencyKey ?? randomUUID() } } }),
      );
      emit(io, ctx, run, () => runFields(run));
    });
  return runs;
}
