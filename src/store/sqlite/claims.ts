import { z } from 'zod';
import { checkId, parseStored } from '../common/records.js';
import { checkEpochSeconds, checkTtlSeconds, expirySeconds, nowSeconds } from '../common/time.js';
import { type ClaimStore, LEGACY_NONCE_PREFIX } from '../ports.js';
import type { SqliteConnection } from './connection.js';

/** Just past every key that starts with `nonce:` (`;` follows `:`). */
const LEGACY_NONCE_END = 'nonce;';

const claimOwnerRow = z.object({ owner: z.string() });
const legacyNonceRow = z.object({ until: z.number().nullable() });

/** Claims in the `claims` table: `expires_at` in epoch seconds, NULL for never. */
export function sqliteClaims(conn: SqliteConnection): ClaimStore {
  /** The last expiry of a nonce the previous version claimed (read once); `null` when there is none. */
  let legacyUntil: number | null | undefined;
  /** The owner of `key`'s claim while it holds (unexpired, or with no expiry). */
  const holder = (key: string, now: Date) => {
    const row = conn.prepare('SELECT owner FROM claims WHERE key = @key AND (expires_at IS NULL OR expires_at >= @now)').get({ key, now: nowSeconds(now) });
    return row === undefined ? undefined : parseStored(claimOwnerRow, row, 'claim').owner;
  };
  return {
    claim(key, owner, ttlSeconds) {
      return conn.call(() => {
        checkId(key, 'key');
        const now = conn.now();
        conn.purgeExpired(now);
        const expiresAt =
          ttlSeconds === undefined ? null : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
        const result = conn.prepare(
            `INSERT INTO claims (key, owner, expires_at) VALUES (@key, @owner, @expiresAt)
           ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE claims.expires_at IS NOT NULL AND claims.expires_at < @now`,
          )
          .run({ key, owner, expiresAt, now: nowSeconds(now) });
        return result.changes === 1;
      });
    },

    extendClaim(key, owner, ttlSeconds) {
      return conn.call(() => {
        const now = conn.now();
        const expiresAt = ttlSeconds === undefined ? null : expirySeconds(now.getTime() + checkTtlSeconds(ttlSeconds) * 1000);
        const result = conn.prepare(
            `UPDATE claims SET expires_at = @expiresAt
           WHERE key = @key AND owner = @owner AND (expires_at IS NULL OR expires_at >= @now)`,
          )
          .run({ key, owner, expiresAt, now: nowSeconds(now) });
        return result.changes === 1;
      });
    },

    release(key, owner) {
      return conn.call(() => {
        conn.prepare('DELETE FROM claims WHERE key = ? AND owner = ?').run(key, owner);
      });
    },

    spendNonce(nonce, expiresAt) {
      return conn.call(() => {
        checkId(nonce, 'nonce');
        checkEpochSeconds(expiresAt, 'expiresAt');
        const now = conn.now();
        conn.purgeExpired(now);
        // Nonces the previous version kept as claims stay refused until the last of them expires (minutes after an upgrade).
        legacyUntil ??= legacyNonceRow.parse(conn.prepare('SELECT MAX(expires_at) AS until FROM claims WHERE key >= ? AND key < ?').get(LEGACY_NONCE_PREFIX, LEGACY_NONCE_END)).until;
        if (legacyUntil !== null && nowSeconds(now) <= legacyUntil && holder(`${LEGACY_NONCE_PREFIX}${nonce}`, now) !== undefined) return false;
        return conn.prepare('INSERT INTO nonces (expires_at, nonce) VALUES (?, ?) ON CONFLICT DO NOTHING').run(expiresAt, nonce).changes === 1;
      });
    },

    claimHolder(key) {
      return conn.call(() => holder(key, conn.now()));
    },
  };
}
