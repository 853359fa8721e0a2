import { CronExpressionParser } from 'cron-parser';
import { type Clock, type Logger, ValidationError } from '../../core/index.js';

export interface ScheduledJob {
  readonly name: string;
  /** 5-field cron, evaluated in UTC (the same expressions EventBridge schedules use in the Lambda runtime). */
  readonly cron: string;
  /** Receives the scheduled fire time. A failure is logged; the next fire still happens. */
  readonly run: (firedAt: Date) => Promise<unknown>;
  /**
   * Also run once right after `start` (for idempotent jobs such as the daily
   * snapshot, so a process that was down at fire time catches up).
   */
  readonly runOnStart?: boolean;
}

export interface SchedulerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jobs: readonly ScheduledJob[];
  /**
   * Longest single sleep. Timers cannot wait longer than ~24.8 days (2^31 ms) and
   * a host may suspend, so long waits are taken in slices and re-checked. Default 1 h.
   */
  readonly maxSleepMs?: number;
}

export interface Scheduler {
  start(): void;
  /** Stops waiting and resolves once running jobs have finished. */
  stop(): Promise<void>;
  /** When each job fires next (for `/readyz`, logs and tests). */
  nextRuns(): ReadonlyMap<string, Date>;
}

/** The next fire time of `cron` strictly after `after`, in UTC. Throws `ValidationError` for a bad expression. */
export function nextFireTime(cron: string, after: Date): Date {
  try {
    return CronExpressionParser.parse(cron, { currentDate: after, tz: 'UTC' }).next().toDate();
  } catch (cause) {
    throw new ValidationError('VALIDATION_FAILED', `invalid cron expression "${cron}"`, { cause });
  }
}

/**
 * The standalone runtime's in-process scheduler: each job waits on the injected
 * clock for its next cron time, runs, then waits for the following one. A job
 * never overlaps itself; fire times missed while it was still running are
 * skipped, not queued.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const maxSleep = deps.maxSleepMs ?? 3_600_000;
  const next = new Map<string, Date>();
  const loops: Promise<void>[] = [];
  let abort: AbortController | undefined;
  for (const job of deps.jobs) nextFireTime(job.cron, deps.clock.now());

  async function runJob(job: ScheduledJob, firedAt: Date): Promise<void> {
    const log = deps.logger.child({ job: job.name });
    const started = deps.clock.now().getTime();
    log.info({ firedAt: firedAt.toISOString() }, 'scheduled job started');
    try {
      await job.run(firedAt);
      log.info({ ms: deps.clock.now().getTime() - started }, 'scheduled job finished');
    } catch (err) {
      log.error({ err }, 'scheduled job failed');
    }
  }

  async function loop(job: ScheduledJob, signal: AbortSignal): Promise<void> {
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    if (job.runOnStart) await runJob(job, deps.clock.now());
    while (!signal.aborted) {
      const due = nextFireTime(job.cron, deps.clock.now());
      next.set(job.name, due);
      while (!signal.aborted && deps.clock.now().getTime() < due.getTime()) {
        const wait = Math.min(due.getTime() - deps.clock.now().getTime(), maxSleep);
        // Not every clock honours the signal, so the race ends the wait on stop regardless.
        await Promise.race([deps.clock.sleep(wait, signal).catch(() => undefined), stopped]);
      }
      if (signal.aborted) break;
      await runJob(job, due);
    }
    next.delete(job.name);
  }

  return {
    start() {
      if (abort) return;
      abort = new AbortController();
      const signal = abort.signal;
      for (const job of deps.jobs) loops.push(loop(job, signal));
      deps.logger.info({ jobs: deps.jobs.map((j) => `${j.name} (${j.cron})`) }, 'scheduler started');
    },
    async stop() {
      abort?.abort();
      await Promise.all(loops);
      loops.length = 0;
      abort = undefined;
    },
    nextRuns: () => new Map(next),
  };
}
