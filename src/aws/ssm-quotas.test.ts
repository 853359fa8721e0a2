import { GetAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/index.js';
import { type AwsSimHarness, createAwsSimHarness } from '../sim/aws/index.js';
import { createSsmThrottle } from './ssm-quotas.js';

const CTX = { accountId: '111122223333', region: 'eu-west-1' };

/** How many of `n` concurrent takes of `api` are through after each 100 ms step of a manual clock. */
async function passedOver(api: string, n: number, steps: number, options: { quotas?: Record<string, number> } = {}) {
  const ctx = CTX;
  const clock = new ManualClock(0);
  const throttle = createSsmThrottle({ clock, ...options });
  let passed = 0;
  const all = Array.from({ length: n }, () => throttle.take(ctx, api).then(() => void passed++));
  const seen: number[] = [];
  for (let i = 0; i <= steps; i++) {
    await new Promise((r) => setImmediate(r));
    seen.push(passed);
    await clock.advance(100);
  }
  await clock.advance(60_000);
  await Promise.all(all);
  return { seen, throttle };
}

describe('SSM read throttle', () => {
  it('when GetAutomationExecution is asked 9 times at once, then 3 go at once and then 3 per second (the published quota)', async () => {
    const { seen } = await passedOver('GetAutomationExecution', 9, 20);
    expect(seen[0]).toBe(3);
    expect(seen[10]).toBe(6);
    expect(seen[20]).toBe(9);
  });

  it('when a read has no published quota, then it is not held unless one is configured', async () => {
    const open = await passedOver('ListCommandInvocations', 60, 0);
    const sized = await passedOver('ListCommandInvocations', 60, 10, { quotas: { ListCommandInvocations: 20 } });
    expect(open.seen[0]).toBe(60);
    expect(open.throttle.admitted.get(`${CTX.accountId}|${CTX.region}|ListCommandInvocations`)).toBe(60);
    expect(sized.seen[0]).toBe(20);
    expect(sized.seen[10]).toBe(40);
  });

  it('when a call is a write, then it is not held', async () => {
    const { seen } = await passedOver('SendCommand', 50, 0);
    expect(seen[0]).toBe(50);
  });

  it('when a caller may wait only so long and its slot comes later, then it gives up at once and takes no slot from the callers behind it', async () => {
    const clock = new ManualClock(0);
    const throttle = createSsmThrottle({ clock });
    for (let i = 0; i < 3; i++) await throttle.take(CTX, 'GetAutomationExecution');

    // The next slot is 333 ms away: a caller that may wait 100 ms gives up without waiting; one that may wait 500 ms goes.
    const impatient = await throttle.take(CTX, 'GetAutomationExecution', { maxWaitMs: 100 });
    let patientAt: number | undefined;
    const patient = throttle.take(CTX, 'GetAutomationExecution', { maxWaitMs: 500 }).then((ok) => {
      patientAt = clock.now().getTime();
      return ok;
    });
    for (let t = 0; t < 5 && patientAt === undefined; t++) {
      await clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }

    expect(impatient).toBe(false);
    expect(await patient).toBe(true);
    // It got the slot the impatient caller left, 333 ms after the burst: had that one taken it, 667.
    expect(patientAt).toBe(400);
    expect(throttle.admitted.get(`${CTX.accountId}|${CTX.region}|GetAutomationExecution`)).toBe(4);
  });

  it('when accounts or regions differ, then each has its own bucket', async () => {
    const clock = new ManualClock(0);
    const throttle = createSsmThrottle({ clock });
    for (let i = 0; i < 3; i++) await throttle.take(CTX, 'GetAutomationExecution');
    let other = false;
    const p = throttle.take({ ...CTX, region: 'us-east-1' }, 'GetAutomationExecution').then(() => {
      other = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(other).toBe(true);
    await p;
  });
});

describe('SSM clients of one factory', () => {
  let h: AwsSimHarness;
  beforeAll(async () => {
    h = await createAwsSimHarness({ sim: { seed: 3, fleet: { size: 2, seed: 3 } } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('when the raw client and an adapter of one factory read SSM, then both calls pass the one shared throttle, counted per account, region and API', async () => {
    const before = h.clients.ssmThrottle.admitted.get(`${h.ctx.accountId}|${h.ctx.region}|GetAutomationExecution`) ?? 0;
    await h.clients
      .ssm(h.ctx)
      .send(new GetAutomationExecutionCommand({ AutomationExecutionId: '00000000-0000-4000-8000-000000000000' }))
      .catch(() => undefined);
    await h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'automation', executionId: '00000000-0000-4000-8000-000000000001' }).catch(() => undefined);
    expect(h.clients.ssmThrottle.admitted.get(`${h.ctx.accountId}|${h.ctx.region}|GetAutomationExecution`)).toBe(before + 2);
  });

  it('when a run status read may wait less than its quota slot is away, then it fails THROTTLED without reaching SSM and a read behind it is not delayed', async () => {
    const api = `${h.ctx.accountId}|${h.ctx.region}|GetAutomationExecution`;
    const read = (executionId: string, maxWaitMs?: number) =>
      h.ports.patchExecution.getRunStatus(h.ctx, { kind: 'automation', executionId }, maxWaitMs === undefined ? {} : { maxWaitMs }).then(
        () => 'read',
        (err: unknown) => err,
      );
    // Three reads take the second's burst; the quota then lets one through every 333 ms.
    await Promise.all([1, 2, 3].map((n) => read(`00000000-0000-4000-8000-00000000001${n}`)));
    const callsBefore = h.sim.count('GetAutomationExecution');
    const admittedBefore = h.clients.ssmThrottle.admitted.get(api) ?? 0;

    const started = performance.now();
    const refused = await read('00000000-0000-4000-8000-000000000020', 50);
    const refusedAfter = performance.now() - started;
    const flowRead = read('00000000-0000-4000-8000-000000000021');
    await flowRead;
    const flowAfter = performance.now() - started;

    expect(refused).toMatchObject({ name: 'AwsError', code: 'THROTTLED', message: expect.stringMatching(/GetAutomationExecution: no slot within 50 ms/) });
    expect(refusedAfter).toBeLessThan(250);
    // The refused read took no slot: the read behind it had the next one, not the one after.
    expect(flowAfter).toBeLessThan(600);
    expect(h.sim.count('GetAutomationExecution')).toBe(callsBefore + 1);
    expect(h.clients.ssmThrottle.admitted.get(api)).toBe(admittedBefore + 1);
  });
});
