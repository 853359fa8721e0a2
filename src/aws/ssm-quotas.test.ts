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
});
