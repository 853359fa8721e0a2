import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config/index.js';
import { AppError, createLogger, systemClock } from '../../core/index.js';
import {
  DeadLetterError,
  type DeadLetterEntry,
  listDeadLetters,
  replayDeadLetter,
} from '../../flows/outbox/index.js';
import { stateTableClient } from '../../runtime/index.js';
import { createStore, MAX_PAGE_SIZE, type StateStore } from '../../store/index.js';
import type { CliIo } from '../io.js';

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number from 1');
  return Number(value);
}

/** Opens only the state store: listing and replaying touch neither AWS nor ServiceNow. */
async function withStore<T>(io: CliIo, use: (store: StateStore) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const logger = createLogger({ level: io.stderr.isTTY ? 'warn' : config.logLevel, destination: { write: (s: string) => void io.stderr.write(s) } });
  const store = await createStore(config.store, { clock: systemClock, logger, dynamoClient: () => stateTableClient(config.aws.regions[0] ?? 'us-east-1') });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Up to `max` dead letters, oldest first, and whether more remain. */
async function collect(store: StateStore, max: number): Promise<{ entries: DeadLetterEntry[]; more: boolean }> {
  const entries: DeadLetterEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDeadLetters(store, { limit: Math.min(MAX_PAGE_SIZE, max - entries.length), ...(cursor === undefined ? {} : { cursor }) });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && entries.length < max);
  return { entries, more: cursor !== undefined };
}

/** One line per letter; never the payload, which can be large and is the sender's data. */
function describeEntry(entry: DeadLetterEntry): string {
  if (!entry.valid) return [entry.id, '(unreadable)', '-', entry.createdAt, '-'].join('\t');
  const { letter } = entry;
  return [entry.id, letter.source, letter.error.code, letter.failedAt, letter.attempts ?? '-'].join('\t');
}

function addDeadLetters(outbox: Command, io: CliIo): void {
  outbox
    .command('dead-letters')
    .description('List parked deliveries, oldest first: id, source, error code, failedAt, attempts.')
    .option('--limit <n>', 'list at most this many', positiveInt, 100)
    .action(async (opts: { limit: number }) => {
      await withStore(io, async (store) => {
        const { entries, more } = await collect(store, opts.limit);
        io.stdout.write(`${['id', 'source', 'error', 'failedAt', 'attempts'].join('\t')}\n`);
        for (const entry of entries) io.stdout.write(`${describeEntry(entry)}\n`);
        io.stderr.write(`${entries.length} dead letter(s)${more ? `; more remain, raise --limit` : ''}\n`);
      });
    });
}

function addReplay(outbox: Command, io: CliIo): void {
  outbox
    .command('replay')
    .description('Requeue dead letters under their original outbox kind. --all skips those that came from HTTP or SQS.')
    .argument('[ids...]', 'dead-letter ids as listed by `outbox dead-letters`')
    .option('--all', 'replay every replayable dead letter')
    .action(async (ids: string[], opts: { all?: boolean }, cmd: Command) => {
      if ((ids.length > 0) === Boolean(opts.all)) cmd.error('error: give dead-letter ids or --all, not both and not neither');
      await withStore(io, async (store) => {
        const targets = opts.all ? (await collect(store, Number.POSITIVE_INFINITY)).entries.map((e) => e.id) : ids;
        let failed = 0;
        for (const id of targets) {
          try {
            const r = await replayDeadLetter(store, id, { clock: systemClock });
            io.stdout.write(`requeued ${id} as ${r.replayId} (${r.kind})${r.enqueued ? '' : ', already queued by an earlier run'}\n`);
          } catch (err) {
            if (opts.all && err instanceof DeadLetterError && err.code === 'NOT_REPLAYABLE') {
              io.stdout.write(`skipped ${id}: ${err.message}\n`);
              continue;
            }
            failed++;
            const code = err instanceof AppError ? `${err.code}: ` : '';
            io.stderr.write(`failed ${id}: ${code}${err instanceof Error ? err.message : String(err)}\n`);
          }
        }
        if (failed > 0) throw new AppError('REPLAY_FAILED', `${failed} of ${targets.length} dead letter(s) could not be replayed`);
      });
    });
}

/** `patchbridge outbox dead-letters | replay`: operator recovery for parked outbox deliveries. */
export function outboxCommand(io: CliIo): Command {
  // `addCommand` does not pass the program's settings down; `.command()` children inherit these.
  const outbox = new Command('outbox')
    .description('Inspect and recover the delivery outbox.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  addDeadLetters(outbox, io);
  addReplay(outbox, io);
  return outbox;
}
