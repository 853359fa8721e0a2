import type { Clock } from '../core/clock.js';

/**
 * A token bucket per key (GCRA form): `ratePerSecond` sustained, `burst` at once.
 * `take` resolves when the caller may go; waiting callers are served in call order.
 * Time comes from the injected clock, so tests step it instead of sleeping.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #burst: number;
  readonly #tat = new Map<string, number>();

  constructor(clock: Clock, ratePerSecond: number, burst = 1) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.#clock = clock;
    this.#intervalMs = 1000 / ratePerSecond;
    this.#burst = Math.max(1, Math.floor(burst));
  }

  async take(key = ''): Promise<void> {
    const now = this.#clock.now().getTime();
    const tat = Math.max(this.#tat.get(key) ?? now, now);
    const start = Math.max(now, tat - (this.#burst - 1) * this.#intervalMs);
    this.#tat.set(key, tat + this.#intervalMs);
    if (start > now) await this.#clock.sleep(start - now);
  }
}
