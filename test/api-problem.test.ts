import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, HttpProblem } from '../src/api/index.js';
import { AppError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';

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
    [new AppError('CHANGE_NOT_APPROVED', 'CHG0030001 is not approved.'), 409, 'CHANGE_NOT_APPROVED', 'CHG0030001 is not approved.'],
    [new AppError('CHANGE_UNVERIFIABLE', 'ServiceNow could not be reached.'), 503, 'CHANGE_UNVERIFIABLE', 'ServiceNow could not be reached.'],
    [new Error('db password=hunter2 leaked'), 500, 'INTERNAL', 'An unexpected error occurred.'],
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
});
