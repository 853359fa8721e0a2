/**
 * The API fuzz: schema-derived requests (signed and unsigned) plus hostile
 * requests no schema describes (nesting depth, encodings, duplicate keys,
 * `__proto__`, huge strings and headers, malformed HTTP), over real sockets.
 * Every answer must be below 500, and every error must be problem+json.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { signRequest } from '../../../src/api/auth/hmac.js';
import { loadOpenApiDocument } from '../../../src/api/openapi-document.js';
import { HOSTILE_STRINGS, type SpecRequest, specRequests } from '../support/arbitraries.js';

export interface FuzzOutcome {
  readonly label: string;
  readonly status: number;
  readonly contentType: string;
}

export interface FuzzResult {
  readonly requests: number;
  readonly serverErrors: readonly FuzzOutcome[];
  /** 4xx/5xx answers that are not `application/problem+json`. */
  readonly nonProblem: readonly FuzzOutcome[];
}

interface RawCase {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly sign?: boolean;
}

const nested = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const GATE = '/v1/maintenance-windows/mw-0123456789abcdef0/change-gate';
const PATCH_RUN = { changeRequest: 'CHG0000001', accountId: '123456789012', region: 'us-east-1', targets: { patchGroups: ['web-prod'] }, operation: 'Scan' };

/** Requests no schema generates: each once per round. */
export function hostileCases(): RawCase[] {
  const json = { 'content-type': 'application/json' };
  const cases: RawCase[] = [];
  for (const sign of [false, true]) {
    for (const depth of [64, 1_000, 5_000, 100_000]) {
      cases.push({ label: `array nested ${depth}`, method: 'POST', path: '/v1/patch-runs', headers: json, body: nested(depth, '[', ']'), sign });
      cases.push({ label: `object nested ${depth}`, method: 'PUT', path: GATE, headers: json, body: nested(depth, '{"a":', '}'), sign });
      cases.push({ label: `events nested ${depth}`, method: 'POST', path: '/v1/events', headers: json, body: nested(depth, '{"detail":', '}', '{}'), sign });
    }
    const plain = Buffer.from(JSON.stringify(PATCH_RUN));
    for (const [encoding, body] of [
      ['deflate', plain],
      ['gzip', plain],
      ['br', plain],
      ['x-unknown', plain],
      ['deflate', deflateSync(plain)],
      ['gzip', gzipSync(plain).subarray(0, 20)],
      ['gzip, deflate', gzipSync(plain)],
    ] as const) {
      cases.push({ label: `content-encoding ${encoding}`, method: 'POST', path: '/v1/patch-runs', headers: { ...json, 'content-encoding': encoding }, body, sign });
    }
    cases.push({ label: 'duplicate keys', method: 'POST', path: '/v1/patch-runs', headers: json, body: '{"changeRequest":"CHG0000001","changeRequest":"CHG0000002","accountId":"123456789012","accountId":"x"}', sign });
    cases.push({ label: '__proto__ body', method: 'POST', path: '/v1/patch-runs', headers: json, body: `{"__proto__":{"admin":true},${JSON.stringify(PATCH_RUN).slice(1)}`, sign });
    cases.push({ label: 'constructor.prototype body', method: 'PUT', path: GATE, headers: json, body: '{"constructor":{"prototype":{"polluted":1}},"accountId":"123456789012","region":"us-east-1","changeRequest":"CHG0000001"}', sign });
    cases.push({ label: 'huge string', method: 'POST', path: '/v1/patch-runs', headers: json, body: JSON.stringify({ ...PATCH_RUN, changeRequest: 'C'.repeat(900_000) }), sign });
    cases.push({ label: 'body over the limit', method: 'POST', path: '/v1/patch-runs', headers: json, body: JSON.stringify({ pad: 'x'.repeat(2_000_000) }), sign });
    cases.push({ label: 'many keys', method: 'POST', path: '/v1/compliance/reports', headers: json, body: JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))), sign });
    cases.push({ label: 'invalid utf-8', method: 'POST', path: '/v1/patch-runs', headers: json, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), sign });
    cases.push({ label: 'utf-16 charset', method: 'POST', path: '/v1/patch-runs', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}', sign });
    cases.push({ label: 'unknown charset', method: 'POST', path: '/v1/patch-runs', headers: { 'content-type': 'application/json; charset=x-klingon' }, body: '{}', sign });
    cases.push({ label: 'text/plain to JSON route', method: 'POST', path: '/v1/patch-runs', headers: { 'content-type': 'text/plain' }, body: '{}', sign });
    cases.push({ label: 'no content-type', method: 'POST', path: '/v1/patch-runs', body: JSON.stringify(PATCH_RUN), sign });
    cases.push({ label: 'truncated JSON', method: 'POST', path: '/v1/patch-runs', headers: json, body: '{"changeRequest":', sign });
    cases.push({ label: 'JSON scalar', method: 'POST', path: '/v1/patch-runs', headers: json, body: '"x"', sign });
    cases.push({ label: 'JSON null', method: 'PUT', path: GATE, headers: json, body: 'null', sign });
    cases.push({ label: 'bad percent-encoding', method: 'GET', path: '/v1/patch-runs/%E0%A4%A', sign });
    cases.push({ label: 'encoded slash', method: 'GET', path: '/v1/patch-runs/..%2F..%2Fetc', sign });
    cases.push({ label: 'repeated query', method: 'GET', path: '/v1/patch-runs?limit=1&limit=2', sign });
    cases.push({ label: '__proto__ query', method: 'GET', path: '/v1/patch-runs?__proto__=1&constructor=2', sign });
    cases.push({ label: 'query injection', method: 'GET', path: `/v1/patch-runs?changeRequest=${encodeURIComponent('CHG0000001^ORactive=true')}`, sign });
    cases.push({ label: 'long url', method: 'GET', path: `/v1/patch-runs/${'a'.repeat(8_000)}`, sign });
    for (const method of ['HEAD', 'OPTIONS', 'PATCH', 'PROPFIND']) {
      for (const p of ['/healthz', '/readyz', '/openapi.json', '/v1/patch-runs', '/v1/patch-runs/pr-1', GATE, '/v1/maintenance-windows?account=123456789012&region=us-east-1', '/v1/compliance/summary', '/v1/compliance/reports/x', '/v1/events', '/nowhere']) {
        cases.push({ label: `${method} ${p}`, method, path: p, sign });
      }
    }
    // Header values must be printable ASCII for fetch to send them.
    for (const value of HOSTILE_STRINGS.filter((s) => [...s].every((c) => c >= ' ' && c <= '~'))) {
      cases.push({ label: `hostile idempotency key ${value.slice(0, 12)}`, method: 'POST', path: '/v1/patch-runs', headers: { ...json, 'idempotency-key': value }, body: JSON.stringify(PATCH_RUN), sign });
      cases.push({ label: `hostile request id ${value.slice(0, 12)}`, method: 'GET', path: '/v1/patch-runs', headers: { 'x-request-id': value }, sign });
    }
  }
  cases.push({ label: 'bearer garbage', method: 'GET', path: '/v1/patch-runs', headers: { authorization: 'Bearer a.b.c' } });
  cases.push({ label: 'bearer huge', method: 'GET', path: '/v1/patch-runs', headers: { authorization: `Bearer ${'a'.repeat(6_000)}.b.c` } });
  cases.push({ label: 'signature garbage', method: 'GET', path: '/v1/patch-runs', headers: { 'x-patchbridge-signature': 'keyId=x,ts=abc,nonce=,sig=' } });
  cases.push({ label: 'events basic garbage', method: 'POST', path: '/v1/events', headers: { ...json, authorization: 'Basic %%%' }, body: '{}' });
  cases.push({ label: 'sns garbage', method: 'POST', path: '/v1/events', headers: { 'content-type': 'text/plain', 'x-amz-sns-message-type': 'Notification' }, body: nested(5_000, '{"a":', '}') });
  return cases;
}

/** Bytes sent straight to the socket: what `fetch` would refuse to send. */
const RAW_WIRE: readonly { label: string; bytes: string }[] = [
  { label: '20 KB authorization header', bytes: `GET /v1/patch-runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_480)}\r\n\r\n` },
  { label: '100 headers of 300 bytes', bytes: `GET /v1/patch-runs HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 100 }, (_, i) => `X-H${i}: ${'v'.repeat(300)}\r\n`).join('')}\r\n` },
  { label: 'malformed request line', bytes: 'GET\r\n\r\n' },
  { label: 'header without colon', bytes: 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n' },
  { label: 'bad chunked body', bytes: 'POST /v1/patch-runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n' },
  { label: 'content-length and chunked', bytes: 'POST /v1/patch-runs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
  { label: 'bad content-length', bytes: 'POST /v1/patch-runs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}' },
  { label: 'HTTP/0.9', bytes: 'GET /healthz\r\n\r\n' },
  { label: 'TRACE', bytes: 'TRACE /v1/patch-runs HTTP/1.1\r\nHost: x\r\n\r\n' },
  { label: 'CONNECT', bytes: 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n' },
  { label: 'bad method token', bytes: 'G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n' },
  { label: 'control char in path', bytes: 'GET /v1/\u0001 HTTP/1.1\r\nHost: x\r\n\r\n' },
];

function rawRequest(baseUrl: string, bytes: string): Promise<FuzzOutcome & { body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    const finish = () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
      const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(data)?.[1] ?? '';
      resolve({ label: '', status, contentType, body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    };
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (b) => {
      data += b.toString('latin1');
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(bytes, 'latin1');
  });
}

export interface FuzzTarget {
  readonly url: string;
  readonly hmacKey: { id: string; secret: string };
}

async function send(target: FuzzTarget, r: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string; sign?: boolean }): Promise<{ status: number; contentType: string }> {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  if (r.sign) {
    headers['x-patchbridge-signature'] = signRequest(
      target.hmacKey,
      { method: r.method, pathWithQuery: r.path, body: body ?? Buffer.alloc(0) },
      { ts: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('hex') },
    );
  }
  try {
    const res = await fetch(`${target.url}${r.path}`, { method: r.method, headers, ...(body === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { body }) });
    await res.arrayBuffer();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '' };
  } catch {
    // The connection was dropped without an answer: as bad as a 5xx for a client.
    return { status: 599, contentType: '' };
  }
}

/**
 * Sends `count` schema-derived requests (seeded) plus every hostile case and
 * raw-wire case, `concurrency` at a time, and classifies the answers.
 */
export async function fuzzApi(target: FuzzTarget, options: { count: number; seed: number; concurrency?: number }): Promise<FuzzResult> {
  const doc = loadOpenApiDocument() as Record<string, unknown>;
  const generated = fc.sample(specRequests(doc), { numRuns: options.count, seed: options.seed });
  const cases: { label: string; run: () => Promise<{ status: number; contentType: string }> }[] = [
    ...generated.map((r: SpecRequest) => ({
      label: `${r.operationId} ${r.method} ${r.path.slice(0, 80)}`,
      run: () => send(target, { method: r.method, path: r.path, ...(r.body === undefined ? {} : { body: r.body, headers: { 'content-type': r.contentType ?? 'application/json' } }), sign: r.sign }),
    })),
    ...hostileCases().map((c) => ({ label: c.label, run: () => send(target, c) })),
    ...RAW_WIRE.map((c) => ({ label: c.label, run: () => rawRequest(target.url, c.bytes) })),
  ];
  const outcomes: FuzzOutcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i] as (typeof cases)[number];
      const { status, contentType } = await c.run();
      outcomes.push({ label: c.label, status, contentType });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return {
    requests: outcomes.length,
    serverErrors: outcomes.filter((o) => o.status >= 500 || o.status === 0),
    nonProblem: outcomes.filter((o) => o.status >= 400 && !o.contentType.startsWith('application/problem+json')),
  };
}
