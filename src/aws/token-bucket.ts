import type { Clock } from '../core/index.js';

export interface TakeOptions {
  /**
   * Epoch ms by which the caller must be let through. A slot later than this is
   * not taken: `take` resolves `false` at once and the bucket is left as it was,
   * so a caller that gives up costs later callers nothing.
   */
  readonly deadline?: number;
}

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

  /** Waits for the key's next slot: `true` once the caller may go, `false` (without waiting) when the slot would come after `deadline`. */
  async take(key = '', options: TakeOptions = {}): Promise<boolean> {
    const now = this.#clock.now().getTime();
    const tat = Math.max(this.#tat.get(key) ?? now, now);
    const start = Math.max(now, tat - (this.#burst - 1) * this.#intervalMs);
    if (options.deadline !== undefined && start > options.deadline) return false;
    this.#tat.set(key, tat + this.#intervalMs);
    if (start > now) await this.#clock.sleep(start - now);
    return true;
  }
}
