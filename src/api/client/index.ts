import { randomBytes } from 'node:crypto';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { SIGNATURE_HEADER, signRequest } from '../auth/hmac.js';
import type { components, paths } from '../schema.gen.js';

export type { components, paths } from '../schema.gen.js';

/** The typed patchbridge API client: `openapi-fetch` over the types generated from `openapi/patchbridge.yaml`. */
export type PatchbridgeClient = Client<paths>;
export type PatchRun = components['schemas']['PatchRun'];
export type PatchRunDetail = components['schemas']['PatchRunDetail'];
export type ChangeGate = components['schemas']['ChangeGate'];
export type ComplianceReport = components['schemas']['ComplianceReport'];
export type Problem = components['schemas']['Problem'];

export interface HmacKey {
  readonly id: string;
  readonly secret: string;
}

export interface PatchbridgeClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8080` (`PATCHBRIDGE_API_URL`). */
  readonly baseUrl: string;
  /** Signs every request with `X-Patchbridge-Signature` (see docs/api.md). */
  readonly hmacKey?: HmacKey;
  /** Or an OAuth client-credentials access token, sent as a bearer token. */
  readonly accessToken?: string;
  readonly fetch?: typeof fetch;
  /** Seconds since the epoch for the signature's `ts`; injectable for tests. */
  readonly now?: () => number;
}

/**
 * Signs the request exactly as sent: method, path with query, timestamp, a
 * fresh nonce and the SHA-256 of the body bytes.
 */
export function hmacSigning(key: HmacKey, now: () => number = () => Math.floor(Date.now() / 1000)): Middleware {
  return {
    async onRequest({ request }) {
      const body = request.body === null ? '' : Buffer.from(await request.clone().arrayBuffer());
      const url = new URL(request.url);
      const signature = signRequest(key, { method: request.method, pathWithQuery: `${url.pathname}${url.search}`, body }, { ts: now(), nonce: randomBytes(16).toString('hex') });
      request.headers.set(SIGNATURE_HEADER, signature);
      return request;
    },
  };
}

/**
 * A client for scripts, the CLI, the console's tests and the scoped app's tests.
 * Every call resolves to `{ data, error, response }`: `error` is the
 * problem+json body (with its stable `code`) on a 4xx/5xx answer.
 */
export function createPatchbridgeClient(options: PatchbridgeClientOptions): PatchbridgeClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch ? { fetch: options.fetch } : {}) });
  if (options.hmacKey) client.use(hmacSigning(options.hmacKey, options.now));
  const token = options.accessToken;
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
