import { z } from 'zod';
import { checkId, parseStored } from '../common/records.js';
import { checkEpochSeconds, checkTtlSeconds, expirySeconds, nowSeconds } from '../common/time.js';
import { type ClaimStore, LEGACY_NONCE_PREFIX } from '../ports.js';
import type { SqliteConnection } from './connection.js';

const claimOwnerRow = z.object({ owner: z.string() });

/** Claims in the `claims` table: `expires_at` in epoch seconds, NULL for never. */
export function sqliteClaims(conn: SqliteConnection): ClaimStore {
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
      // Answered at once: the API's authenticator spends one per signed request and then goes on in the same turn.
      return conn.callNow(() => {
        checkId(nonce, 'nonce');
        checkEpochSeconds(expiresAt, 'expiresAt');
        const now = conn.now();
        conn.purgeExpired(now);
        // One statement: refused when spent, or while a claim the previous version took on it (`claim('nonce:' + token)`)
        // holds, however long after this process started an instance of that version wrote it. (Reading the last such
        // expiry once per process instead cost a second query per request while there was none, and missed later claims.)
        return conn.prepare(
            `INSERT INTO nonces (expires_at, nonce) SELECT ?, ?
             WHERE NOT EXISTS (SELECT 1 FROM claims WHERE key = ? AND (expires_at IS NULL OR expires_at >= ?))
             ON CONFLICT DO NOTHING`,
          )
          .run(expiresAt, nonce, `${LEGACY_NONCE_PREFIX}${nonce}`, nowSeconds(now)).changes === 1;
      });
    },

    claimHolder(key) {
      return conn.call(() => holder(key, conn.now()));
    },
  };
}
