import { hash, timingSafeEqual } from 'node:crypto';

// One-shot `hash` skips the Hash object `createHash` builds: these run on every API request.
const digest = (value: string | Buffer) => hash('sha256', value, 'buffer');

/** Lower-case hex SHA-256, for content ids, request hashes and body digests. */
export function sha256Hex(value: string | Buffer): string {
  return hash('sha256', value, 'hex');
}

/**
 * Constant-time equality for secrets, MACs and signatures. Both sides are hashed
 * first, so neither their content nor their length shows in the timing.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
