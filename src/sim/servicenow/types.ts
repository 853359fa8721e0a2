import type { Clock, Logger } from '../../core/index.js';

/** Added latency per request: fixed, uniform, or normal (clamped at 0). */
export type LatencyKnob =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly stdDevMs: number };

/**
 * A per-user fixed-window rate limit, like a `sys_rate_limit_rules` rule but
 * scaled to seconds so tests stay fast. Over the limit → 429 with `Retry-After`,
 * `X-RateLimit-Limit`, `X-RateLimit-Reset` (Unix seconds) and `X-RateLimit-Rule`.
 */
export interface RateLimitKnob {
  readonly requestsPerSecond: number;
  /** Window length; default 1000 ms. */
  readonly windowMs?: number;
  /** sys_id reported in `X-RateLimit-Rule`. */
  readonly ruleSysId?: string;
}

/** Random server errors, drawn from the seeded PRNG. */
export interface ErrorRateKnob {
  /** 0..1 */
  readonly rate: number;
  /** Default [500, 503]. */
  readonly statuses?: readonly (500 | 503)[];
}

/** Every call inside [from, to) of the simulator's clock gets a 503. */
export interface OutageWindow {
  readonly from: Date | string | number;
  readonly to: Date | string | number;
}

export interface SimKnobs {
  readonly latency?: LatencyKnob | undefined;
  readonly rateLimit?: RateLimitKnob | undefined;
  readonly errorRate?: ErrorRateKnob | undefined;
  readonly outages?: readonly OutageWindow[];
  /** Every call answers 200 with the hibernation HTML page. */
  readonly hibernating?: boolean;
  /**
   * `async` (default, as on the platform): insertMultiple loads the rows into the
   * staging table, answers only `import_set_id` / `multi_import_set_id`, and
   * transforms them `asyncTransformDelayMs` later; outcomes are in `sys_import_set_row`.
   * `sync`: per-row results come back, as a `sys_rest_insert_multiple` record
   * with a synchronous transform configures it.
   */
  readonly insertMultiple?: 'sync' | 'async';
  /**
   * Import set mode of the staging table for single-row imports. `synchronous`
   * (default) transforms before answering; `asynchronous` answers with the
   * staging row (`table` = the staging table) and transforms later.
   */
  readonly importSetMode?: 'synchronous' | 'asynchronous';
  /**
   * Rows an ACL hides from the integration user. As on the platform,
   * `sysparm_limit` is applied before ACLs, so a page can come back short or empty
   * while `X-Total-Count` and `rel="next"` still count the hidden rows.
   */
  readonly aclHidden?: { readonly table: string; readonly field: string; readonly value: string } | undefined;
  /**
   * The instance drops every query condition (as it does with one it cannot
   * apply, `glide.invalid_query.returns_no_rows=false`) and returns all rows.
   */
  readonly dropQueryConditions?: boolean;
  /** A faulty proxy or instance that always answers `rel="next"`, even past the last page. */
  readonly endlessNextLink?: boolean;
  /**
   * The instance's inbound REST semaphore pool: `threads` transactions run at
   * once (about 4 integration threads per node), up to `queue` more wait (50 on
   * a real node), and a request that finds the queue full gets a 429 with no
   * rate-limit headers. `holdMs` is how long each transaction holds its thread.
   */
  readonly semaphores?: { readonly threads: number; readonly queue: number; readonly holdMs?: number } | undefined;
  /**
   * Fields a field-level write ACL denies the integration user, per table: a
   * PATCH that sets them answers 200 and silently leaves them unchanged.
   */
  readonly readOnlyFields?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * File extensions the instance refuses to attach (`glide.attachment.extensions`
   * on a hardened instance), e.g. `['html', 'htm']`: the upload answers 403.
   */
  readonly blockedAttachmentExtensions?: readonly string[] | undefined;
  /** Delay (simulator clock) before an asynchronous transform runs. Default 0. */
  readonly asyncTransformDelayMs?: number;
  /**
   * Forces the transform's answer for every row, as a misconfigured transform
   * map does: `ignored` (an onBefore script sets `ignore`), `skipped` (no field changed).
   */
  readonly transformOutcome?: 'ignored' | 'skipped' | undefined;
  /**
   * When true, REST callers need `snc_platform_rest_api_access`
   * (instances with `glide.rest.enable_role_based_access`).
   */
  readonly requireRestApiAccessRole?: boolean;
}

export interface SimUser {
  readonly userName: string;
  readonly password: string;
  readonly roles: readonly string[];
}

export interface SimOAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The user tokens from this client act as (the OAuth Application User). */
  readonly userName: string;
}

export interface ServiceNowSimOptions extends SimKnobs {
  /** PRNG seed for sys_ids, tokens, latency and error draws. Default 1. */
  readonly seed?: number;
  /** Timestamps, token expiry, rate windows, outages and latency use this clock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Default: one integration user (see `SIM_DEFAULTS`). */
  readonly users?: readonly SimUser[];
  /** Default: one client acting as the integration user. */
  readonly oauthClients?: readonly SimOAuthClient[];
  /** `expires_in` of issued tokens. Default 1799 (ServiceNow's default 30 minutes less a second). */
  readonly tokenTtlSeconds?: number;
  /** Oldest request-log entries are dropped past this. Default 10 000. */
  readonly requestLogLimit?: number;
}

export interface SimRequest {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** `METHOD /path` with sys_ids replaced by `:sys_id`, the counter key. */
  readonly key: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  readonly user: string | undefined;
  readonly auth: 'basic' | 'bearer' | 'none';
  /** Milliseconds by the simulator's clock from arrival to response. */
  readonly durationMs: number;
  /** Whether the request presented a `Cookie` header (the value is never logged). */
  readonly cookie: boolean;
}
