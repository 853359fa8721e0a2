import { describe, expect, it } from 'vitest';
import { buildOnce } from './build-once.js';

describe('buildOnce', () => {
  it('when called concurrently, then it builds once and shares the result', async () => {
    let builds = 0;
    const get = buildOnce(async () => ++builds);
    const results = await Promise.all([get(), get(), get()]);
    expect(results).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(builds).toBe(1);
  });

  it('when a build fails, then the failure is not cached and the next call builds again', async () => {
    let builds = 0;
    const get = buildOnce(async () => {
      builds++;
      if (builds === 1) throw new Error('secrets manager unavailable');
      return 'ready';
    });
    await expect(get()).rejects.toThrow('secrets manager unavailable');
    expect(await get()).toBe('ready');
    expect(await get()).toBe('ready');
    expect(builds).toBe(2);
  });
});
