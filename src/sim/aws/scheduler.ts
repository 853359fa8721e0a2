import type { Clock } from '../../core/index.js';

/**
 * How simulated time moves:
 * - `instant`: every scheduled step runs as soon as the request that caused it
 *   has been answered, and simulated time jumps to the step's time;
 * - `scaled`: simulated time runs `factor` times faster than the injected clock;
 * - `stepped`: time moves only when the test calls `advance` / `stepTo`.
 */
export type SimTimeMode = { readonly mode: 'instant' } | { readonly mode: 'scaled'; readonly factor: number } | { readonly mode: 'stepped' };

interface Job {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void | Promise<void>;
}

/** A discrete-event queue over simulated time. Errors in jobs go to `onError`, never lost. */
export class SimScheduler {
  readonly #clock: Clock;
  readonly #mode: SimTimeMode;
  readonly #onError: (err: unknown) => void;
  readonly #queue: Job[] = [];
  #seq = 0;
  #simNow: number;
  readonly #realStart: number;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(clock: Clock, mode: SimTimeMode, onError: (err: unknown) => void) {
    this.#clock = clock;
    this.#mode = mode;
    this.#onError = onError;
    this.#simNow = clock.now().getTime();
    this.#realStart = this.#simNow;
  }

  get mode(): SimTimeMode['mode'] {
    return this.#mode.mode;
  }

  /** Simulated now, epoch ms. */
  now(): number {
    if (this.#mode.mode === 'scaled') {
      return this.#realStart + (this.#clock.now().getTime() - this.#realStart) * this.#mode.factor;
    }
    if (this.#mode.mode === 'instant') return Math.max(this.#simNow, this.#clock.now().getTime());
    return this.#simNow;
  }

  /** Runs `run` at simulated time `at` (or now, if that is past). */
  at(at: number, run: () => void | Promise<void>): void {
    if (this.#closed) return;
    const job = { at, seq: this.#seq++, run };
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.#queue[mid]!;
      if (m.at < at || (m.at === at && m.seq < job.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#queue.splice(lo, 0, job);
    this.#kick();
  }

  after(ms: number, run: () => void | Promise<void>): void {
    this.at(this.now() + ms, run);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Stepped (or instant) mode: runs every job due up to `now + ms`, in time order, then sets the time. */
  async advance(ms: number): Promise<void> {
    await this.stepTo(this.now() + ms);
  }

  async stepTo(to: number | Date): Promise<void> {
    if (this.#mode.mode === 'scaled') throw new Error('stepTo is not available in scaled mode');
    const target = typeof to === 'number' ? to : to.getTime();
    while (this.#running) await this.#running;
    const run = this.#drain(target);
    this.#running = run;
    try {
      await run;
    } finally {
      this.#running = undefined;
    }
    this.#simNow = Math.max(this.#simNow, target);
    this.#kick();
  }

  /** Resolves once no job is queued or running (stepped mode: once due jobs are done). */
  async idle(): Promise<void> {
    for (;;) {
      await this.#running;
      if (this.#mode.mode === 'stepped') {
        const next = this.#queue[0];
        if (!next || next.at > this.#simNow) return;
        this.#kick();
        continue;
      }
      if (this.#queue.length === 0) return;
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        this.#kick();
      });
    }
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  #kick(): void {
    if (this.#closed || this.#running) return;
    const next = this.#queue[0];
    if (!next) {
      for (const w of this.#idleWaiters.splice(0)) w();
      return;
    }
    if (this.#mode.mode === 'instant') {
      this.#running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain(Number.POSITIVE_INFINITY));
      this.#running.finally(() => {
        this.#running = undefined;
        this.#kick();
      });
      return;
    }
    if (this.#mode.mode === 'stepped') {
      if (next.at > this.#simNow) return;
      this.#running = this.#drain(this.#simNow).finally(() => {
        this.#running = undefined;
        this.#kick();
      });
      return;
    }
    const factor = this.#mode.factor;
    if (this.#timer) clearTimeout(this.#timer);
    const delay = Math.max(0, (next.at - this.now()) / factor);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#drain(this.now()).finally(() => {
        this.#running = undefined;
        this.#kick();
      });
    }, delay);
  }

  async #drain(until: number): Promise<void> {
    for (;;) {
      const next = this.#queue[0];
      if (!next || next.at > until || this.#closed) return;
      this.#queue.shift();
      if (this.#mode.mode !== 'scaled') this.#simNow = Math.max(this.#simNow, next.at);
      try {
        await next.run();
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}
