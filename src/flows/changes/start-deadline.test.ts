import { afterEach, describe, expect, it } from 'vitest';
import { AwsError } from '../../aws/index.js';
import { ManualClock, silentLogger } from '../../core/index.js';
import { approvedChange } from '../../servicenow/testing.js';
import { type AwsSimHarness, createAwsSimHarness } from '../../sim/aws/index.js';
import { createSqliteStore, type StateStore } from '../../store/index.js';
import { type ChangeReader, createServiceNowWrites } from './index.js';
import { createPatchRuns, type PatchRunExecution, type PatchRunsDeps } from './patch-runs.js';

type Change = NonNullable<Awaited<ReturnType<ChangeReader['getChangeRequest']>>>;

const T0 = new Date('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;
const TOKEN = '0f8fad5b-d9cb-469f-a165-70867728950e';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The patch-run flow over the real SSM adapter (1 TPS start queue) and the AWS simulator, on a manual clock. */
async function setup(options: { end: Date; maxStartWaitMs?: number; endMarginMs?: number }) {
  const clock = new ManualClock(T0);
  const aws: AwsSimHarness = await createAwsSimHarness({ clock, maxAttempts: 1, sim: { seed: 5, clock, fleet: { size: 6, seed: 5, failureRate: 0, now: T0 } } });
  closers.push(() => aws.close());
  const store: StateStore = createSqliteStore({ path: ':memory:', clock, logger: silentLogger() });
  closers.push(() => store.close());
  const change: Change = approvedChange({ number: 'CHG0012345', start_date: new Date(T0.getTime() - HOUR), end_date: options.end });
  const deps: PatchRunsDeps = {
    store,
    execution: aws.ports.patchExecution,
    servicenow: { getChangeRequest: async () => change },
    writes: createServiceNowWrites({ store }),
    clock,
    logger: silentLogger(),
    ...(options.maxStartWaitMs === undefined ? {} : { maxStartWaitMs: options.maxStartWaitMs }),
    ...(options.endMarginMs === undefined ? {} : { endMarginMs: options.endMarginMs }),
  };
  const patchRuns = createPatchRuns(deps);
  const body = (group: string) => ({ changeRequest: change.number, accountId: aws.ctx.accountId, region: aws.ctx.region, targets: { patchGroups: [group] }, operation: 'Install' as const });
  return { clock, aws, store, patchRuns, body, groups: aws.sim.fleet.patchGroups };
}

/** Settles every promise, stepping the manual clock so queued starts get their slots. */
async function settleAll<T>(clock: ManualClock, promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  let done = false;
  const all = Promise.allSettled(promises).then((r) => {
    done = true;
    return r;
  });
  for (let i = 0; i < 400 && !done; i++) {
    await new Promise((r) => setTimeout(r, 1));
    await clock.advance(100);
  }
  return all;
}

describe('starting a patch run through the 1 TPS start queue', () => {
  it('when a burst would wait longer than the bound, then the runs past it fail with a retryable 503 and never reach SSM', async () => {
    // Prepare
    const { clock, aws, patchRuns, body, groups } = await setup({ end: new Date(T0.getTime() + 3 * HOUR), maxStartWaitMs: 1_500 });
    const requests = groups.slice(0, 3).map((g) => body(g));
    expect(requests).toHaveLength(3);

    // Act
    const results = await settleAll(clock, requests.map((r) => patchRuns.start(r)));

    // Assess
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: 'AWS_UNAVAILABLE', retryable: true });
    expect(aws.sim.count('StartAutomationExecution')).toBe(2);
  });

  it('when the change ends while runs are queued, then no run gets a slot after the change end less the margin', async () => {
    // Prepare: the last start may happen at T0+2 s; slots come at T0, +1 s, +2 s, +3 s.
    const { clock, aws, patchRuns, store, body, groups } = await setup({ end: new Date(T0.getTime() + 62_000), maxStartWaitMs: 60_000, endMarginMs: 60_000 });
    const requests = [...groups.slice(0, 3).map((g) => body(g)), { ...body(groups[0] ?? ''), operation: 'Scan' as const }];

    // Act
    const results = await settleAll(clock, requests.map((r) => patchRuns.start(r)));

    // Assess
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: 'AWS_UNAVAILABLE' });
    expect(aws.sim.count('StartAutomationExecution')).toBe(3);
    const runs = (await store.listPatchRuns({ limit: 10 })).items;
    expect(runs.filter((r) => r.status === 'Pending' && !r.executionId)).toHaveLength(1);
  });

  it('when less than the margin is left of the change, then the run is refused (409 CHANGE_OUTSIDE_WINDOW) before SSM is asked', async () => {
    // Prepare
    const { aws, patchRuns, store, body, groups } = await setup({ end: new Date(T0.getTime() + 30_000) });

    // Act
    const outcome = patchRuns.start(body(groups[0] ?? ''));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'CHANGE_OUTSIDE_WINDOW', retryable: false });
    expect(aws.sim.count('StartAutomationExecution')).toBe(0);
    expect((await store.listPatchRuns({ limit: 10 })).items).toEqual([]);
  });
});

describe('the SSM adapter start deadline', () => {
  it.each([
    ['has passed', -1],
    ['is before the next free slot', 500],
  ])('when the deadline %s, then StartAutomationExecution is not called and THROTTLED is thrown', async (_what, offsetMs) => {
    // Prepare: one start takes the current slot, so the next is 1 s away.
    const { clock, aws } = await setup({ end: new Date(T0.getTime() + HOUR) });
    const input = { clientToken: TOKEN, parameters: { Operation: ['Scan'] } };
    await aws.ports.patchExecution.startPatchRun(aws.ctx, input);
    const before = aws.sim.count('StartAutomationExecution');
    const execution: PatchRunExecution = aws.ports.patchExecution;

    // Act
    const outcome = execution.startPatchRun(aws.ctx, input, { notAfter: new Date(clock.now().getTime() + offsetMs) });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(AwsError);
    await expect(outcome).rejects.toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(aws.sim.count('StartAutomationExecution')).toBe(before);
  });

  it('when a caller gives up, then the slot it did not take goes to the next caller', async () => {
    // Prepare: the first start takes T0; the one that gives up must leave T0+1 s free.
    const { clock, aws } = await setup({ end: new Date(T0.getTime() + HOUR) });
    const execution: PatchRunExecution = aws.ports.patchExecution;
    await execution.startPatchRun(aws.ctx, { clientToken: TOKEN });
    await expect(execution.startPatchRun(aws.ctx, { clientToken: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }, { notAfter: T0 })).rejects.toMatchObject({ code: 'THROTTLED' });

    // Act
    const next = execution.startPatchRun(aws.ctx, { clientToken: '16fd2706-8baf-433b-82eb-8c7fada847da' });
    await clock.advance(1_000);
    const outcome = await Promise.race([next.then(() => 'started'), new Promise((r) => setTimeout(() => r('still queued'), 2_000))]);

    // Assess
    expect(outcome).toBe('started');
    expect(aws.sim.count('StartAutomationExecution')).toBe(2);
  });
});
