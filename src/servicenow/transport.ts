import type { Readable } from 'node:stream';
import got, { type Got, RequestError, type Response } from 'got';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { type Clock, fullJitterDelay, type Logger, ValidationError } from '../core/index.js';
import { AdaptiveLimit } from './adaptive-limit.js';
import { ServiceNowError, type ServiceNowErrorCode, type ServiceNowErrorEnvelope } from './errors.js';
import type { CallOptions, CredentialSource, ServiceNowCredentialsResolved, ServiceNowLimits } from './ports.js';

export const DEFAULT_LIMITS: ServiceNowLimits = {
  maxInFlight: 4,
  timeoutMs: 30_000,
  retryBudgetMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetries: 8,
  tokenSkewMs: 60_000,
  pageSize: 100,
  importPollMs: 30_000,
  referenceCacheMs: 300_000,
};

/** Codes the client itself retries (within the budget). */
const RETRIED: ReadonlySet<ServiceNowErrorCode> = new Set(['RATE_LIMITED', 'UNAVAILABLE', 'TIMEOUT']);

export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Absolute URL on the instance (built from `Urls`). */
  readonly url: string;
  readonly json?: unknown;
  /** A replayable body, or a one-shot stream (then the request is never retried). */
  readonly body?: Buffer | string | Readable | (() => Readable);
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * `false` for requests that create something (Table API POST, attachment upload):
   * they are re-sent only when the failure proves ServiceNow did not act on them
   * (429, 503, or no connection at all), never after a timeout, a reset or a
   * 502/504, after which the first attempt may have been committed. Default `true`.
   */
  readonly idempotent?: boolean;
}

/** Connection errors that mean the request never reached ServiceNow. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a failed attempt certainly left no trace on the instance. */
export function provablyNotApplied(error: ServiceNowError): boolean {
  if (error.code === 'RATE_LIMITED' || error.status === 503) return true;
  const cause: unknown = error.cause;
  const causeCode = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  return error.status === undefined && causeCode !== undefined && NEVER_SENT.has(causeCode);
}

export interface RawResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, or `undefined` when the body was not JSON (e.g. an HTML page). */
  readonly json: unknown;
}

export interface Urls {
  readonly origin: string;
  readonly token: string;
  table(table: string, sysId?: string): string;
  importSet(staging: string, multiple: boolean): string;
  readonly attachment: string;
}

function buildUrls(instanceUrl: string): Urls {
  let base: URL;
  try {
    base = new URL(instanceUrl);
  } catch (cause) {
    throw new ValidationError('VALIDATION_FAILED', 'ServiceNow instance URL is not a URL', { cause });
  }
  if (!['http:', 'https:'].includes(base.protocol) || base.username || base.password) {
    throw new ValidationError('VALIDATION_FAILED', 'ServiceNow instance URL must be http(s) without credentials');
  }
  const origin = base.origin;
  return {
    origin,
    token: `${origin}/oauth_token.do`,
    table: (table, sysId) => `${origin}/api/now/table/${table}${sysId ? `/${sysId}` : ''}`,
    importSet: (staging, multiple) => `${origin}/api/now/import/${staging}${multiple ? '/insertMultiple' : ''}`,
    attachment: `${origin}/api/now/attachment/file`,
  };
}

function header(headers: RawResult['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseEnvelope(json: unknown): ServiceNowErrorEnvelope | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const error = (json as Record<string, unknown>)['error'];
  if (typeof error === 'object' && error !== null) {
    const { message, detail } = error as Record<string, unknown>;
    if (typeof message === 'string') return { message, ...(typeof detail === 'string' ? { detail } : {}) };
  }
  // /oauth_token.do answers {error, error_description} rather than the REST envelope.
  const { error_description: description } = json as Record<string, unknown>;
  if (typeof error === 'string') return { message: error, ...(typeof description === 'string' ? { detail: description } : {}) };
  return undefined;
}

/**
 * How long a 429 asks us to wait: the later of `Retry-After` (seconds or an
 * HTTP-date) and `X-RateLimit-Reset` (Unix seconds). `undefined` if neither.
 */
export function retryAfterMs(headers: RawResult['headers'], now: Date): number | undefined {
  const waits: number[] = [];
  const retryAfter = header(headers, 'retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) waits.push(Number(retryAfter) * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) waits.push(at - now.getTime());
    }
  }
  const reset = header(headers, 'x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) waits.push(Number(reset) * 1000 - now.getTime());
  return waits.length ? Math.max(0, ...waits) : undefined;
}

function codeFor(status: number): ServiceNowErrorCode {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status >= 300 && status < 400) return 'INSTANCE_UNAVAILABLE';
  if (status >= 500) return 'SERVER_ERROR';
  return 'BAD_REQUEST';
}

export interface TransportOptions {
  readonly instanceUrl?: string;
  readonly credentials: CredentialSource;
  readonly limits: ServiceNowLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
}

/**
 * The one path every ServiceNow call takes: URLs built once, auth (Basic or
 * OAuth client credentials with a single-flight token cache), a limit on
 * requests in flight, p-retry with full-jitter backoff under a time budget,
 * and one mapping from HTTP outcomes to `ServiceNowError`.
 */
export class Transport {
  readonly #http: Got;
  readonly #limit: AdaptiveLimit;
  /** The guard lane's own slot: a guard's read never waits behind bulk writes. */
  readonly #guardSlot: LimitFunction = pLimit(1);
  readonly #o: TransportOptions;
  #urls: Urls | undefined;
  /** `refreshAt` is expiry minus the skew (at most half the lifetime, so short-lived tokens still get reused). */
  #token: { value: string; refreshAt: number } | undefined;
  #tokenFlight: Promise<string> | undefined;
  #refreshFlight: Promise<ServiceNowCredentialsResolved> | undefined;

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#limit = new AdaptiveLimit(options.limits.maxInFlight, options.clock);
    this.#urls = options.instanceUrl ? buildUrls(options.instanceUrl) : undefined;
    this.#http = got.extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      timeout: { request: options.limits.timeoutMs },
      responseType: 'text',
      headers: { accept: 'application/json', 'user-agent': 'patchbridge' },
    });
  }

  /** The instance URLs; from the options, else from the credentials' `instanceUrl` on first use. */
  async urls(): Promise<Urls> {
    if (this.#urls) return this.#urls;
    const credentials = await this.#o.credentials();
    if (!credentials.instanceUrl) {
      throw new ValidationError('VALIDATION_FAILED', 'No ServiceNow instance URL in the options or the credentials secret');
    }
    this.#urls ??= buildUrls(credentials.instanceUrl);
    return this.#urls;
  }

  /**
   * Sends `build()`'s request with auth, retries and the in-flight limit, and
   * returns the raw result of a 2xx. Every other outcome throws `ServiceNowError`.
   */
  async send(build: (urls: Urls) => RawRequest, call: CallOptions = {}): Promise<RawResult> {
    const urls = await this.urls();
    const request = build(urls);
    const oneShot = isStream(request.body) || call.lane === 'guard';
    const started = this.#o.clock.now().getTime();
    const { limits, clock, logger, random } = this.#o;
    return pRetry(() => this.#attempt(request, call), {
      retries: oneShot ? 0 : limits.maxRetries,
      ...(call.signal ? { signal: call.signal } : {}),
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (!(error instanceof ServiceNowError) || !RETRIED.has(error.code)) return false;
        if (request.idempotent === false && !provablyNotApplied(error)) {
          logger.warn({ code: error.code, status: error.status, path: new URL(request.url).pathname }, 'servicenow: not retrying a create whose outcome is unknown');
          return false;
        }
        const backoff = fullJitterDelay(retriesConsumed, limits.baseDelayMs, limits.maxDelayMs, random);
        const delay = Math.max(backoff, error.retryAfterMs ?? 0);
        const remaining = limits.retryBudgetMs - (clock.now().getTime() - started);
        if (delay > remaining) {
          logger.warn({ code: error.code, status: error.status, delayMs: delay, remainingMs: remaining }, 'servicenow: retry budget exhausted');
          return false;
        }
        logger.warn(
          { code: error.code, status: error.status, attempt: retriesConsumed + 1, delayMs: delay, path: new URL(request.url).pathname },
          'servicenow: retrying',
        );
        await clock.sleep(delay);
        return true;
      },
    });
  }

  async #attempt(request: RawRequest, call: CallOptions): Promise<RawResult> {
    const urls = await this.urls();
    let auth = await this.#authorization(urls);
    let result = await this.#limited(request, auth.header, call);
    if (result.status === 401 && !isStream(request.body)) {
      // A 401 means a revoked/expired token or a rotated secret: drop both and try once more.
      await this.#invalidate(auth.token);
      auth = await this.#authorization(urls);
      result = await this.#limited(request, auth.header, call);
    }
    return this.#check(request, result);
  }

  /**
   * One request in an in-flight slot; a 429 halves the limit for a while (see
   * `AdaptiveLimit`). The guard lane has a slot of its own, outside that limit.
   */
  #limited(request: RawRequest, authorization: string, call: CallOptions): Promise<RawResult> {
    if (call.lane === 'guard') return this.#guardSlot(() => this.#http1(request, authorization, call.signal));
    return this.#limit.run(async (generation) => {
      const result = await this.#http1(request, authorization, call.signal);
      if (result.status === 429) {
        this.#limit.throttled(generation);
        this.#o.logger.warn({ limit: this.#limit.limit, path: new URL(request.url).pathname }, 'servicenow: 429, in-flight limit lowered');
      }
      return result;
    });
  }

  #check(request: RawRequest, result: RawResult): RawResult {
    if (result.status >= 200 && result.status < 300) {
      if (result.json === undefined) {
        throw new ServiceNowError('INSTANCE_UNAVAILABLE', 'ServiceNow answered with a page instead of JSON (hibernating instance?)', {
          status: result.status,
          request: { method: request.method, path: new URL(request.url).pathname },
        });
      }
      return result;
    }
    const code = codeFor(result.status);
    const envelope = parseEnvelope(result.json);
    const wait = code === 'RATE_LIMITED' ? retryAfterMs(result.headers, this.#o.clock.now()) : undefined;
    const path = new URL(request.url).pathname;
    throw new ServiceNowError(
      code,
      `ServiceNow ${request.method} ${path} failed with ${result.status}${envelope ? `: ${envelope.message}` : ''}`,
      {
        status: result.status,
        ...(envelope ? { envelope } : {}),
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        request: { method: request.method, path },
      },
    );
  }

  async #http1(request: RawRequest, authorization?: string, signal?: AbortSignal): Promise<RawResult> {
    const { logger, clock } = this.#o;
    signal?.throwIfAborted();
    const started = clock.now().getTime();
    const body = typeof request.body === 'function' ? request.body() : request.body;
    let response: Response<string>;
    try {
      response = await this.#http(request.url, {
        method: request.method,
        headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
        ...(request.json !== undefined ? { json: request.json } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw transportError(request, error);
    }
    logger.debug(
      { method: request.method, path: new URL(request.url).pathname, status: response.statusCode, ms: clock.now().getTime() - started },
      'servicenow: response',
    );
    return { status: response.statusCode, headers: response.headers, json: parseJson(response) };
  }

  async #authorization(urls: Urls): Promise<{ header: string; token?: string }> {
    const credentials = await this.#o.credentials();
    if (credentials.kind === 'basic') {
      return { header: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    }
    const now = this.#o.clock.now().getTime();
    if (this.#token && this.#token.refreshAt > now) {
      return { header: `Bearer ${this.#token.value}`, token: this.#token.value };
    }
    this.#tokenFlight ??= this.#fetchToken(urls, credentials).finally(() => {
      this.#tokenFlight = undefined;
    });
    const token = await this.#tokenFlight;
    return { header: `Bearer ${token}`, token };
  }

  /** Drops the token that failed (unless already replaced) and re-reads the credentials once per failure. */
  async #invalidate(failedToken: string | undefined): Promise<void> {
    if (failedToken !== undefined && this.#token?.value !== failedToken) return;
    this.#token = undefined;
    this.#refreshFlight ??= this.#o.credentials.refresh().finally(() => {
      this.#refreshFlight = undefined;
    });
    await this.#refreshFlight;
  }

  async #fetchToken(urls: Urls, first: ServiceNowCredentialsResolved): Promise<string> {
    let credentials = first;
    for (let round = 0; ; round++) {
      if (credentials.kind !== 'oauth') throw new ValidationError('VALIDATION_FAILED', 'credentials changed kind during a token request');
      const request: RawRequest = { method: 'POST', url: urls.token };
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      }).toString();
      const result = await this.#http1({ ...request, body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (result.status === 401 && round === 0) {
        // The client secret may have been rotated: read the secret again, once.
        credentials = await this.#o.credentials.refresh();
        continue;
      }
      const ok = this.#check(request, result);
      const body = ok.json as Record<string, unknown>;
      const token = body['access_token'];
      const expiresIn = Number(body['expires_in'] ?? 1800);
      if (typeof token !== 'string' || token === '') {
        throw new ServiceNowError('INSTANCE_UNAVAILABLE', 'ServiceNow token response has no access_token', {
          status: result.status,
          request: { method: 'POST', path: '/oauth_token.do' },
        });
      }
      const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 1800) * 1000;
      const skewMs = Math.min(this.#o.limits.tokenSkewMs, lifetimeMs / 2);
      this.#token = { value: token, refreshAt: this.#o.clock.now().getTime() + lifetimeMs - skewMs };
      this.#o.logger.debug({ expiresIn }, 'servicenow: token issued');
      return token;
    }
  }
}

function isStream(body: RawRequest['body']): body is Readable {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body);
}

function parseJson(response: Response<string>): unknown {
  const type = String(response.headers['content-type'] ?? '');
  if (!/json/i.test(type) && !/^\s*[{[]/.test(response.body)) return undefined;
  try {
    return JSON.parse(response.body);
  } catch {
    return undefined;
  }
}

function transportError(request: RawRequest, error: unknown): ServiceNowError {
  const path = new URL(request.url).pathname;
  const code = error instanceof RequestError ? error.code : undefined;
  const timeout = error instanceof RequestError && (error.name === 'TimeoutError' || code === 'ETIMEDOUT');
  return new ServiceNowError(
    timeout ? 'TIMEOUT' : 'UNAVAILABLE',
    `ServiceNow ${request.method} ${path} failed: ${timeout ? 'timed out' : (code ?? 'connection error')}`,
    { cause: error, request: { method: request.method, path } },
  );
}
