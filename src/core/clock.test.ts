import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';

describe('ManualClock', () => {
  it('when time advances, then sleepers wake in deadline order at their deadlines', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const woke: string[] = [];
    const a = clock.sleep(2_000).then(() => woke.push(`a@${clock.now().toISOString()}`));
    const b = clock.sleep(1_000).then(() => woke.push(`b@${clock.now().toISOString()}`));
    await clock.advance(5_000);
    await Promise.all([a, b]);
    expect(woke).toEqual(['b@2026-01-01T00:00:01.000Z', 'a@2026-01-01T00:00:02.000Z']);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:05.000Z');
  });

  it('when a sleep is aborted, then it rejects with the reason and never wakes', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await clock.advance(2_000);
    await expect(clock.sleep(10, controller.signal)).rejects.toThrow('stop');
  });
});
