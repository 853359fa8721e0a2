import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, HttpProblem, startServer } from '../src/api/index.js';
import { AppError } from '../src/core/errors.js';
import { AwsError } from '../src/aws/index.js';
import { ChangeRefusedError } from '../src/domain/index.js';
import { ServiceNowError } from '../src/servicenow/index.js';
import { createLogger, silentLogger } from '../src/core/logger.js';

/** Sends raw bytes and returns the raw answer. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.on('data', (b) => {
      data += b.toString('latin1');
    });
    socket.on('close', () => resolve(data));
    socket.write(bytes, 'latin1');
  });
}

function appWith(thrown: unknown) {
  const feature = express.Router();
  feature.post('/boom', () => {
    throw thrown;
  });
  return createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: { openapi: '3.1.0' } }, features: [feature] });
}

describe('problem+json errors', () => {
  it.each([
    [new HttpProblem(429, 'RATE_LIMITED', 'Slow down.', { headers: { 'Retry-After': '7' } }), 429, 'RATE_LIMITED', 'Slow down.'],
    [new ChangeRefusedError('CHANGE_NOT_APPROVED', 'CHG0030001 is not approved.'), 409, 'CHANGE_NOT_APPROVED', 'CHG0030001 is not approved.'],
    [new ChangeRefusedError('CHANGE_UNVERIFIABLE', 'ServiceNow could not be reached.'), 503, 'CHANGE_UNVERIFIABLE', 'ServiceNow could not be reached.'],
    [new Error('db password=hunter2 leaked'), 500, 'INTERNAL', 'An unexpected error occurred.'],
    [new AppError('UNDECLARED', 'hunter2 in an undeclared code'), 500, 'INTERNAL', 'An unexpected error occurred.'],
    [
      new AwsError('ACCESS_DENIED', 'User: arn:aws:sts::111122223333:assumed-role/patchbridge-api/x is not authorized (hunter2)'),
      502,
      'UPSTREAM_FAILED',
      'A service patchbridge depends on refused or failed the request; the operators can see why in the logs.',
    ],
    [new ServiceNowError('UNAUTHORIZED', 'ServiceNow answered 401 for user hunter2'), 502, 'UPSTREAM_FAILED', 'A service patchbridge depends on refused or failed the request; the operators can see why in the logs.'],
    [new ServiceNowError('RATE_LIMITED', 'hunter2 rate limited'), 503, 'UPSTREAM_UNAVAILABLE', 'A service patchbridge depends on is unavailable or busy; retry later.'],
  ])('maps %o to %i %s without leaking internals', async (thrown, status, code, detail) => {
    const res = await request(appWith(thrown)).post('/boom').send({});
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, detail, instance: '/boom' });
    expect(res.body.type).toMatch(/^https:\/\/patchbridge\.dev\/problems\//);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    if (status === 429) expect(res.headers['retry-after']).toBe('7');
  });

  it('when the body is not JSON, then it answers 400 MALFORMED_BODY', async () => {
    const res = await request(appWith(new Error('unreached'))).post('/boom').set('content-type', 'application/json').send('{nope');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_BODY' });
  });

  it('when the body is too large, then it answers 413', async () => {
    const res = await request(appWith(new Error('unreached'))).post('/boom').set('content-type', 'application/json').send(`{"a":"${'x'.repeat(1_100_000)}"}`);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('when a caller sends a request id, then it is echoed; a malformed one is replaced', async () => {
    const ok = await request(appWith(new Error('x'))).get('/healthz').set('x-request-id', 'abc-123');
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await request(appWith(new Error('x'))).get('/healthz').set('x-request-id', 'bad id with spaces');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['deflate over a plain body', 'deflate', Buffer.from('{"a":1}'), 400, 'MALFORMED_BODY'],
    ['gzip over a plain body', 'gzip', Buffer.from('{"a":1}'), 400, 'MALFORMED_BODY'],
    ['an unknown encoding', 'x-unknown', Buffer.from('{"a":1}'), 415, 'UNSUPPORTED_ENCODING'],
  ])('when the body is %s, then it answers %i %s', async (_what, encoding, body, status, code) => {
    const res = await request(appWith(new Error('unreached'))).post('/boom').set('content-type', 'application/json').set('content-encoding', encoding).send(body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code });
  });

  it('when a deflated body is valid, then it reaches the route', async () => {
    const server = await startServer(appWith(new HttpProblem(418, 'REACHED', 'reached')), { host: '127.0.0.1', port: 0, logger: silentLogger() });
    try {
      const res = await fetch(`${server.url}/boom`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: deflateSync('{"a":1}') });
      expect(await res.json()).toMatchObject({ code: 'REACHED' });
    } finally {
      await server.close(0);
    }
  });

  it.each([
    ['arrays', (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`],
    ['objects', (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`],
  ])('when the body nests %s 5,000 deep, then it answers 400 BODY_TOO_DEEP before parsing; 32 deep passes', async (_what, nest) => {
    const deep = await request(appWith(new HttpProblem(418, 'REACHED', 'reached'))).post('/boom').set('content-type', 'application/json').send(nest(5_000));
    const ok = await request(appWith(new HttpProblem(418, 'REACHED', 'reached'))).post('/boom').set('content-type', 'application/json').send(nest(32));
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ code: 'BODY_TOO_DEEP' });
    expect(ok.body).toMatchObject({ code: 'REACHED' });
  });

  it('when a route fails unexpectedly, then it is logged once at error level without the request body', async () => {
    let logs = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const feature = express.Router();
    feature.post('/boom', () => {
      throw Object.assign(new Error('unexpected'), { body: 'request-body-marker' });
    });
    const app = createApp({ logger: createLogger({ destination }), operations: { checks: [], missing: () => [], openApi: {} }, features: [feature] });
    const res = await request(app).post('/boom').send({ secretish: 'request-body-marker' });
    expect(res.status).toBe(500);
    const errors = logs.split('\n').filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(logs).not.toContain('request-body-marker');
  });

  it.each([
    ['a 20 KB Authorization header', `GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_480)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a malformed request line', 'GET\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
  ])('when the server receives %s, then it answers %i problem+json and closes', async (_what, bytes, status, code) => {
    const server = await startServer(appWith(new Error('unreached')), { host: '127.0.0.1', port: 0, logger: silentLogger() });
    try {
      const answer = await rawExchange(server.url, bytes);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
      expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '')).toMatchObject({ status, code });
    } finally {
      await server.close(0);
    }
  });
});
