import type { Clock } from '../core/index.js';

/** How long a halved limit stays down before it grows back by one slot. */
export const THROTTLE_RECOVERY_MS = 30_000;

/**
 * The in-flight limit of the ServiceNow client. It starts at the configured
 * maximum (at most the integration threads the instance can spare), halves
 * when the instance answers 429 (a full semaphore queue or a rate-limit rule),
 * and grows back by one slot per {@link THROTTLE_RECOVERY_MS} without a 429.
 * One burst of 429s to requests sent under the same limit halves it once.
 */
export class AdaptiveLimit {
  readonly #max: number;
  readonly #clock: Clock;
  #limit: number;
  #active = 0;
  #generation = 0;
  #lastChange = Number.NEGATIVE_INFINITY;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number, clock: Clock) {
    this.#max = Math.max(1, Math.floor(max));
    this.#limit = this.#max;
    this.#clock = clock;
  }

  /** The limit now (after any recovery that is due). */
  get limit(): number {
    this.#recover();
    return this.#limit;
  }

  /** Runs `fn` in a slot; `fn` gets the limit generation it was sent under, for `throttled`. */
  async run<T>(fn: (generation: number) => Promise<T>): Promise<T> {
    while (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await fn(this.#generation);
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  /** A request sent under `generation` was answered 429: halve, unless that burst already did. */
  throttled(generation: number): void {
    if (generation !== this.#generation) return;
    this.#generation++;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#lastChange = this.#clock.now().getTime();
  }

  #recover(): void {
    const now = this.#clock.now().getTime();
    while (this.#limit < this.#max && now - this.#lastChange >= THROTTLE_RECOVERY_MS) {
      this.#limit++;
      this.#generation++;
      this.#lastChange += THROTTLE_RECOVERY_MS;
      this.#waiting.shift()?.();
    }
  }
}
