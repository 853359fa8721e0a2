/**
 * Exponential backoff with full jitter: a random delay in [0, min(maxMs, baseMs·2ⁿ)),
 * for the n-th retry counted from 0. Full jitter spreads retrying clients apart.
 */
export function fullJitterDelay(n: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(n, 30)));
}
