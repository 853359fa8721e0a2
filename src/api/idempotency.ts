import { type Clock, type Logger, sha256Hex } from '../core/index.js';
import type { Request, RequestHandler, Response } from 'express';
import type { IdempotencyStore } from '../store/index.js';
import { principalOf } from './auth/index.js';
import { HttpProblem } from './problem.js';

/** What a route answers; stored whole so a replay is byte-for-byte the same answer. */
export interface RouteResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Idempotency {
  /**
   * Wraps a POST route. With an `Idempotency-Key` header the handler runs at most
   * once per (route, client, key): the same key and body replay the stored 2xx
   * answer (with `Idempotent-Replayed: true`); a different body is 422
   * `IDEMPOTENCY_KEY_REUSED`; a first request still running is 409
   * `IDEMPOTENCY_IN_PROGRESS`. Refusals and errors are not stored, so a retry
   * after fixing the cause is evaluated afresh. Mount after the authenticator.
   */
  handle(route: string, handler: (req: Request, res: Response) => Promise<RouteResponse>): RequestHandler;
}

export interface IdempotencyDeps {
  readonly store: IdempotencyStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long an answer is kept. Default 24 h. */
  readonly ttlSeconds?: number;
  /**
   * How long a request in progress holds its key. Default 120 s, longer than any
   * request takes (a 10 s ServiceNow read, the SSM start). Past it, the process
   * that took the key is presumed dead, and a retry runs instead of being
   * answered `IDEMPOTENCY_IN_PROGRESS` until the record expires.
   */
  readonly inProgressLeaseSeconds?: number;
}


/** JSON with sorted keys, so the same body in another key order hashes the same. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    // The same order as `Object.keys(value).sort()`: stored hashes stay valid.
    return `{${Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function send(res: Response, response: RouteResponse, replayed: boolean): void {
  res.status(response.statusCode).set({ ...(response.headers ?? {}), ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  if (response.body === undefined) res.end();
  else res.json(response.body);
}

/** An in-progress record whose lease ran out: its process died mid-request (records from before leases never lapse this way). */
function abandonedByItsOwner(record: { status: string; leaseUntil?: string }, now: Date): boolean {
  return record.status === 'in-progress' && record.leaseUntil !== undefined && Date.parse(record.leaseUntil) <= now.getTime();
}

export function createIdempotency(deps: IdempotencyDeps): Idempotency {
  const ttlMs = (deps.ttlSeconds ?? 86_400) * 1000;
  const leaseMs = (deps.inProgressLeaseSeconds ?? 120) * 1000;
  return {
    handle(route, handler) {
      return async (req, res) => {
        const key = req.get('idempotency-key');
        if (key === undefined) return send(res, await handler(req, res), false);
        // The key is hashed: it is caller-chosen and only its identity matters.
        const storeKey = `${route}|${principalOf(res).clientId}|${sha256Hex(key)}`;
        const requestHash = sha256Hex(`${req.method}\n${req.path}\n${stable(req.body)}`);
        const begin = () => {
          const now = deps.clock.now().getTime();
          const expiresAt = new Date(now + ttlMs).toISOString();
          return deps.store.beginIdempotent({ key: storeKey, requestHash, status: 'in-progress', expiresAt, leaseUntil: new Date(now + leaseMs).toISOString() });
        };
        let begun = await begin();
        if (!begun.created && abandonedByItsOwner(begun.existing, deps.clock.now())) {
          deps.logger.warn({ route }, 'idempotency: the request holding this key stopped without an answer; running it again');
          await deps.store.abandonIdempotent(storeKey);
          begun = await begin();
        }
        if (!begun.created) {
          const existing = begun.existing;
          if (existing.requestHash !== requestHash) {
            throw new HttpProblem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request.');
          }
          if (existing.status !== 'completed' || !existing.response) {
            throw new HttpProblem(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed.', {
              headers: { 'retry-after': '1' },
            });
          }
          return send(res, existing.response, true);
        }
        let response: RouteResponse;
        try {
          response = await handler(req, res);
        } catch (err) {
          await deps.store.abandonIdempotent(storeKey);
          throw err;
        }
        if (response.statusCode >= 200 && response.statusCode < 300) {
          await deps.store.completeIdempotent(storeKey, { statusCode: response.statusCode, body: response.body, ...(response.headers ? { headers: response.headers } : {}) });
        } else {
          await deps.store.abandonIdempotent(storeKey);
        }
        send(res, response, false);
      };
    },
  };
}
