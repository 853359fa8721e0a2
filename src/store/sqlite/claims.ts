import { z } from 'zod';
import { checkId, parseStored } from '../common/records.js';
import { checkEpochSeconds, checkTtlSeconds, expirySeconds, nowSeconds } from '../common/time.js';
import { type ClaimStore, LEGACY_NONCE_PREFIX } from '../ports.js';
import type { SqliteConnection } from './connection.js';

const claimOwnerRow = z.object({ owner: z.string() });

/** Claims in the `claims` table: `expires_at` in epoch seconds, NULL for never. */
export function sqliteClaims(conn: SqliteConnection): ClaimStore {
  /** One nonce as one statement (the claim the previous version took on it, `nonce:` + token, refuses it too). */
  const spendOne = (nonce: string, expiresAt: number, now: Date) =>
    conn.prepare(
        `INSERT INTO nonces (expires_at, nonce) SELECT ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM claims WHERE key = ? AND (expires_at IS NULL OR expires_at >= ?))
         ON CONFLICT DO NOTHING`,
      )
      .run(expiresAt, nonce, `${LEGACY_NONCE_PREFIX}${nonce}`, nowSeconds(now)).changes === 1;

  // Group commit under concurrency: while requests arrive together (a turn of the event loop spent more than one
  // nonce), the spends of a turn wait for its end and are written in one transaction, before any of those requests
  // goes on; the requests then run back to back, their data still in the CPU's caches. One request at a time is
  // answered at once, as a deferred write would only add a turn to it.
  let batch: { nonce: string; expiresAt: number; resolve: (fresh: boolean) => void; reject: (err: unknown) => void }[] = [];
  const spendAll = conn.db.transaction((spends: readonly { nonce: string; expiresAt: number }[], now: Date) =>
    spends.map((s) => spendOne(s.nonce, s.expiresAt, now)),
  );
  /** A store call that writes nonces: expired state swept first, as every claim write does. */
  const write = <T>(body: (now: Date) => T): T =>
    conn.callNow(() => {
      const now = conn.now();
      conn.purgeExpired(now);
      return body(now);
    });
  /** Spends so far in this turn; the first schedules the turn's end. */
  let spentThisTurn = 0;
  let grouping = false;
  const endTurn = () => {
    grouping = spentThisTurn > 1;
    spentThisTurn = 0;
    const spends = batch;
    batch = [];
    if (spends.length === 0) return;
    try {
      const fresh = write((now) => spendAll(spends, now));
      for (const [i, s] of spends.entries()) s.resolve(fresh[i] === true);
    } catch (err) {
      for (const s of spends) s.reject(err);
    }
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
      // Checked at once, as the answer is when no group is forming: the authenticator's callers get one behaviour.
      conn.callNow(() => {
        checkId(nonce, 'nonce');
        checkEpochSeconds(expiresAt, 'expiresAt');
      });
      if (spentThisTurn++ === 0) setImmediate(endTurn);
      if (!grouping) return write((now) => spendOne(nonce, expiresAt, now));
      return new Promise<boolean>((resolve, reject) => batch.push({ nonce, expiresAt, resolve, reject }));
    },

    claimHolder(key) {
      return conn.call(() => {
        const row = conn.prepare('SELECT owner FROM claims WHERE key = @key AND (expires_at IS NULL OR expires_at >= @now)')
          .get({ key, now: nowSeconds(conn.now()) });
        return row === undefined ? undefined : parseStored(claimOwnerRow, row, 'claim').owner;
      });
    },
  };
}
