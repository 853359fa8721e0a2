import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/index.js';
import { TokenBucket } from './token-bucket.js';

/** Times (ms after start) at which each of `n` concurrent takers is let through. */
async function releaseTimes(rate: number, burst: number, n: number): Promise<number[]> {
  const clock = new ManualClock(0);
  const bucket = new TokenBucket(clock, rate, burst);
  const times: number[] = [];
  const all = Array.from({ length: n }, () => bucket.take('acct|region').then(() => void times.push(clock.now().getTime())));
  for (let t = 0; t < 10_000 && times.length < n; t += 50) {
    await new Promise((r) => setImmediate(r));
    await clock.advance(50);
  }
  await Promise.all(all);
  return times;
}

describe('TokenBucket', () => {
  it.each([
    [1, 1, 4, [0, 1000, 2000, 3000]],
    [2, 1, 3, [0, 500, 1000]],
    [1, 3, 5, [0, 0, 0, 1000, 2000]],
  ])('at %i/s with burst %i, %i concurrent takers go at %j ms', async (rate, burst, n, expected) => {
    expect(await releaseTimes(rate, burst, n)).toEqual(expected);
  });

  it('when keys differ, then their buckets are independent', async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, 1);
    let second = false;

    await bucket.take('a');
    const other = bucket.take('b').then(() => {
      second = true;
    });
    await new Promise((r) => setImmediate(r));

    expect(second).toBe(true);
    await other;
  });
});
