import { ValidationError } from '../../core/index.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Normalises a timestamp to `Date#toISOString()` form. Both stores compare and
 * order timestamps as strings, which is only sound when every stored value has
 * the same fixed-width shape.
 */
export function normaliseIso(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError('VALIDATION_FAILED', `${field} is not a valid timestamp`, { details: { field } });
  }
  return new Date(ms).toISOString();
}

export function isCanonicalIso(value: string): boolean {
  return ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
}

/** Epoch seconds of `now`, rounded down: the `:now` that expiry conditions compare against. */
export function nowSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/**
 * Epoch seconds for an `expiresAt` TTL attribute, rounded up so a record never
 * expires early. DynamoDB TTL works in whole seconds, and both stores share
 * this resolution so the contract suite sees one behaviour.
 */
export function expirySeconds(atMs: number): number {
  return Math.ceil(atMs / 1000);
}

/** An absolute expiry in epoch seconds, as a caller passes it: a positive whole number. */
export function checkEpochSeconds(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError('VALIDATION_FAILED', `${field} must be whole epoch seconds`, { details: { field } });
  }
  return value;
}

/** A record stamped with `expiresAt` (epoch seconds) is expired once `expiresAt < now`. */
export function isExpired(expiresAt: number, now: Date): boolean {
  return expiresAt < nowSeconds(now);
}

/** Validates a TTL in seconds: a positive finite number. */
export function checkTtlSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new ValidationError('VALIDATION_FAILED', 'ttlSeconds must be a positive number', { details: { ttlSeconds } });
  }
  return ttlSeconds;
}

/** Validates a lease length in milliseconds. */
export function checkLeaseMs(leaseMs: number): number {
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) {
    throw new ValidationError('VALIDATION_FAILED', 'leaseMs must be a positive integer', { details: { leaseMs } });
  }
  return leaseMs;
}

/** An owner as it prefixes lease tokens: `:` separates it from the random part. */
export function leaseOwner(owner: string): string {
  return owner.replace(/:/g, '_');
}

/** A lease token: `owner:random` when the lease has an owner, else the random part alone. */
export function leaseTokenFor(owner: string | undefined, random: string): string {
  return owner === undefined ? random : `${leaseOwner(owner)}:${random}`;
}
