import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, THROTTLE_RECOVERY_MS } from './adaptive-limit.js';
import { SteppingClock } from './testing.js';

describe('adaptive in-flight limit', () => {
  it('when a burst of requests sent under one limit is throttled, then the limit halves once and grows back one slot per recovery period', () => {
    // Prepare
    const clock = new SteppingClock();
    const limit = new AdaptiveLimit(8, clock);
    // Act
    limit.throttled(0);
    limit.throttled(0);
    limit.throttled(0);
    const halved = limit.limit;
    clock.advance(THROTTLE_RECOVERY_MS - 1);
    const before = limit.limit;
    clock.advance(1 + 2 * THROTTLE_RECOVERY_MS);
    const later = limit.limit;
    clock.advance(100 * THROTTLE_RECOVERY_MS);
    // Assess
    expect([halved, before, later, limit.limit]).toEqual([4, 4, 7, 8]);
  });

  it('when more calls than the limit run at once, then no more than the limit are in flight', async () => {
    // Prepare
    const limit = new AdaptiveLimit(3, new SteppingClock());
    let active = 0;
    let peak = 0;
    const work = () =>
      limit.run(async () => {
        peak = Math.max(peak, ++active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active--;
      });
    // Act
    await Promise.all(Array.from({ length: 12 }, work));
    // Assess
    expect(peak).toBe(3);
  });
});
