import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { createArrivalBatching } from './arrival-batching.js';

const setup = () => {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const batching = createArrivalBatching({ clock, quietMs: 200, maxWaitMs: 1_000, fullAt: (kind) => (kind === 'patch-event' ? 50 : 500) });
  return { clock, batching };
};

describe('arrival batching', () => {
  it('when nothing has arrived since the last batch, then a kind is ready (a restart loses nothing)', () => {
    const { batching } = setup();
    expect(batching.ready('patch-event')).toBe(true);
    expect(batching.quiet('patch-event')).toBe(true);
  });

  it('when the stream goes quiet, then the burst is ready quietMs after its last arrival, not at the end of the window', () => {
    // Prepare
    const { clock, batching } = setup();
    batching.arrived('patch-event', 3);
    clock.advance(150);
    batching.arrived('patch-event', 2);
    // Act / Assess
    clock.advance(199);
    expect(batching.ready('patch-event')).toBe(false);
    clock.advance(1);
    expect(batching.ready('patch-event')).toBe(true);
  });

  it('when arrivals never pause, then the burst is ready once its first arrival has waited the window', () => {
    const { clock, batching } = setup();
    const seen: boolean[] = [];
    for (let t = 0; t < 1_000; t += 100) {
      batching.arrived('patch-event');
      seen.push(batching.ready('patch-event'));
      clock.advance(100);
    }
    batching.arrived('patch-event');
    expect(seen.every((r) => !r)).toBe(true);
    expect(batching.ready('patch-event')).toBe(true);
  });

  it('when a burst gathers a full batch, then it is ready at once whatever keeps arriving', () => {
    const { clock, batching } = setup();
    batching.arrived('patch-event', 30);
    clock.advance(100);
    batching.arrived('patch-event', 19);
    expect(batching.ready('patch-event')).toBe(false);
    batching.arrived('patch-event', 1);
    expect(batching.ready('patch-event')).toBe(true);
    batching.arrived('patch-event', 1);
    expect(batching.ready('patch-event')).toBe(false);
  });

  it('when one kind pauses while another keeps arriving, then each kind is judged by its own stream', () => {
    // Prepare: one failure, then successes every 100 ms
    const { clock, batching } = setup();
    batching.arrived('patch-event');
    for (let t = 0; t < 500; t += 100) {
      clock.advance(100);
      batching.arrived('patch-observation', 5);
    }
    // Assess
    expect(batching.ready('patch-event')).toBe(true);
    expect(batching.quiet('patch-event')).toBe(true);
    expect(batching.quiet('patch-event', 1_000)).toBe(false);
    expect(batching.quiet('patch-observation')).toBe(false);
    expect(batching.quiet()).toBe(false);
    expect(batching.ready('patch-observation')).toBe(false);
  });
});
