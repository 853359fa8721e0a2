import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createScheduler, nextFireTime } from './scheduler.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Moves the manual clock in steps, letting the scheduler's promises settle after each. */
async function advance(clock: ManualClock, total: number, step: number): Promise<void> {
  for (let moved = 0; moved < total; moved += step) {
    await clock.advance(step);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A scheduler on a manual clock at `now` with one job that records each time it fires. */
function recordingScheduler(now: string, job: { name: string; cron: string; runOnStart?: boolean }, options: { maxSleepMs?: number } = {}) {
  const clock = new ManualClock(now);
  const fired: string[] = [];
  const scheduler = createScheduler({ clock, logger: silentLogger(), ...options, jobs: [{ ...job, run: async (at) => void fired.push(at.toISOString()) }] });
  return { clock, fired, scheduler };
}

describe('nextFireTime', () => {
  it.each([
    ['15 2 * * *', '2026-03-01T00:00:00Z', '2026-03-01T02:15:00.000Z'],
    ['15 2 * * *', '2026-03-01T02:15:00Z', '2026-03-02T02:15:00.000Z'],
    ['0 6 1 * *', '2026-01-15T12:00:00Z', '2026-02-01T06:00:00.000Z'],
    ['*/30 * * * *', '2026-01-01T10:10:00Z', '2026-01-01T10:30:00.000Z'],
  ])('when the cron is "%s" and now is %s, then the next fire is %s (UTC)', (cron, now, expected) => {
    expect(nextFireTime(cron, new Date(now)).toISOString()).toBe(expected);
  });

  it('when the expression is not cron, then it throws a validation error', () => {
    expect(() => nextFireTime('every day', new Date())).toThrow(/invalid cron expression/);
  });
});

describe('createScheduler', () => {
  it('when days pass, then a daily job fires once per day at its cron time with that time', async () => {
    // Prepare
    const { clock, fired, scheduler } = recordingScheduler('2026-03-01T00:00:00Z', { name: 'snapshot', cron: '15 2 * * *' });
    // Act
    scheduler.start();
    await advance(clock, 3 * DAY, 10 * MINUTE);
    await scheduler.stop();
    // Assess
    expect(fired).toEqual(['2026-03-01T02:15:00.000Z', '2026-03-02T02:15:00.000Z', '2026-03-03T02:15:00.000Z']);
  });

  it('when the next fire is weeks away, then it sleeps in slices and still fires on time', async () => {
    const { clock, fired, scheduler } = recordingScheduler('2026-01-02T00:00:00Z', { name: 'report', cron: '0 6 1 * *' }, { maxSleepMs: 6 * HOUR });
    scheduler.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.nextRuns().get('report')?.toISOString()).toBe('2026-02-01T06:00:00.000Z');
    await advance(clock, 31 * DAY, HOUR);
    await scheduler.stop();
    expect(fired).toEqual(['2026-02-01T06:00:00.000Z']);
  });

  it('when a run fails, then the failure is contained and the next day still fires', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    let calls = 0;
    const scheduler = createScheduler({
      clock,
      logger: silentLogger(),
      jobs: [
        {
          name: 'flaky',
          cron: '0 1 * * *',
          run: async () => {
            calls++;
            if (calls === 1) throw new Error('boom');
          },
        },
      ],
    });
    scheduler.start();
    await advance(clock, 2 * DAY, 30 * MINUTE);
    await scheduler.stop();
    expect(calls).toBe(2);
  });

  it('when a run outlasts the interval, then the job does not overlap itself and missed fires are skipped', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    let running = 0;
    let maxRunning = 0;
    const starts: string[] = [];
    const scheduler = createScheduler({
      clock,
      logger: silentLogger(),
      jobs: [
        {
          name: 'slow',
          cron: '0 * * * *',
          run: async (at) => {
            starts.push(at.toISOString());
            running++;
            maxRunning = Math.max(maxRunning, running);
            await clock.sleep(150 * MINUTE);
            running--;
          },
        },
      ],
    });
    scheduler.start();
    await advance(clock, 6 * HOUR + 40 * MINUTE, 10 * MINUTE);
    await scheduler.stop();
    expect(maxRunning).toBe(1);
    // 01:00 runs until 03:30, so 02:00 and 03:00 are skipped; 04:00 runs until 06:30.
    expect(starts).toEqual(['2026-03-01T01:00:00.000Z', '2026-03-01T04:00:00.000Z']);
  });

  it('when runOnStart is set, then the job runs at start and again at its cron time', async () => {
    const { clock, fired, scheduler } = recordingScheduler('2026-03-01T05:00:00Z', { name: 'snapshot', cron: '15 2 * * *', runOnStart: true });
    scheduler.start();
    await advance(clock, DAY, 30 * MINUTE);
    await scheduler.stop();
    expect(fired).toEqual(['2026-03-01T05:00:00.000Z', '2026-03-02T02:15:00.000Z']);
  });

  it('when stopped, then no job fires afterwards', async () => {
    const { clock, fired, scheduler } = recordingScheduler('2026-03-01T00:00:00Z', { name: 'snapshot', cron: '15 2 * * *' });
    scheduler.start();
    await advance(clock, HOUR, 10 * MINUTE);
    await scheduler.stop();
    await advance(clock, 2 * DAY, HOUR);
    expect(fired).toEqual([]);
    expect(scheduler.nextRuns().size).toBe(0);
  });

  it('when a job has a bad cron expression, then creating the scheduler fails fast', () => {
    expect(() => createScheduler({ clock: new ManualClock(), logger: silentLogger(), jobs: [{ name: 'x', cron: 'nope', run: async () => undefined }] })).toThrow(
      /invalid cron expression/,
    );
  });
});
