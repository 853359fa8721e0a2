/**
 * The request id reaches every log line of the work a request starts: the API's
 * request-id middleware runs the request in an AsyncLocalStorage context and the
 * logger's mixin adds the id to each line written in it, in the flow and in the
 * AWS adapter the flow calls (here over the AWS and ServiceNow simulators).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { currentRequestContext } from '../../src/core/request-context.js';
import { ACCOUNT, createHarness, type Harness, REGION } from './harness.js';

interface Line {
  readonly msg?: string;
  readonly requestId?: string;
  readonly flow?: string;
  readonly runId?: string;
  readonly executionId?: string;
  readonly accountId?: string;
}

const lines: Line[] = [];
const raw: string[] = [];
let h: Harness;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(text);
        lines.push(JSON.parse(text));
      }
      cb();
    },
  });
  h = await createHarness({ logger: createLogger({ level: 'debug', destination }) });
});
afterAll(async () => {
  await h.close();
});

function startRun(requestId: string) {
  const change = h.change();
  const text = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Install' });
  return request(h.app)
    .post('/v1/patch-runs')
    .set('content-type', 'application/json')
    .set('x-request-id', requestId)
    .set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', text))
    .send(text);
}

/** The flow's and the AWS adapter's "patch run started" lines for one run. */
function startedLines(runId: string, executionId: string) {
  const flow = lines.filter((l) => l.msg === 'patch run started' && l.flow === 'patch-runs' && l.runId === runId);
  const adapter = lines.filter((l) => l.msg === 'patch run started' && l.flow === undefined && l.executionId === executionId && l.accountId === ACCOUNT);
  return { flow, adapter };
}

describe('request id on every log line of the flow a request started', () => {
  it('when a request starts a patch run, then the flow\'s and the AWS adapter\'s lines carry its request id, once', async () => {
    const res = await startRun('req-single-0001');
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toBe('req-single-0001');

    const { flow, adapter } = startedLines(res.body.id, res.body.executionId);
    expect(flow).toHaveLength(1);
    expect(adapter).toHaveLength(1);
    expect(flow[0]?.requestId).toBe('req-single-0001');
    expect(adapter[0]?.requestId).toBe('req-single-0001');
    // Every line naming the run carries the id, and no line carries the key twice.
    expect(lines.filter((l) => l.runId === res.body.id).every((l) => l.requestId === 'req-single-0001')).toBe(true);
    expect(raw.filter((t) => t.includes('req-single-0001')).every((t) => t.split('"requestId"').length === 2)).toBe(true);
  });

  it('when requests start runs concurrently, then each run\'s lines carry its own request\'s id, never another\'s', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `req-concurrent-${i}`);
    const responses = await Promise.all(ids.map((id) => startRun(id)));

    for (const [i, res] of responses.entries()) {
      expect(res.status).toBe(202);
      const { flow, adapter } = startedLines(res.body.id, res.body.executionId);
      expect(flow.map((l) => l.requestId)).toEqual([ids[i]]);
      expect(adapter.map((l) => l.requestId)).toEqual([ids[i]]);
    }
  });

  it('when work runs outside any request (the outbox worker draining), then its lines carry no request id', async () => {
    const before = lines.length;
    await startRun('req-before-drain');
    const duringRequest = lines.length;
    await h.worker.drain();
    const drained = lines.slice(duringRequest);

    expect(duringRequest).toBeGreaterThan(before);
    expect(drained.length).toBeGreaterThan(0);
    expect(drained.filter((l) => l.requestId !== undefined)).toEqual([]);
  });
});

describe('request context across the body parser', () => {
  it('when bodies arrive in pieces on one kept-alive connection, then each handler runs in its own request\'s context', async () => {
    // The JSON parser resumes the chain from the socket's data events: the
    // context must still be this request's, not the connection's first one.
    const seen: (string | undefined)[] = [];
    const router = Router();
    router.post('/probe', (_req, res) => {
      seen.push(currentRequestContext()?.requestId);
      res.json({});
    });
    const app = createApp({ logger: silentLogger(), operations: { checks: [], missing: () => [], openApi: {} }, features: [router] });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (id: string, pauseMs: number) =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/probe', agent, headers: { 'content-type': 'application/json', 'content-length': '11', 'x-request-id': id } },
          (res) => res.resume().on('end', resolve),
        );
        req.on('error', reject);
        req.write('{"a":');
        setTimeout(() => req.end('12345}'), pauseMs);
      });
    try {
      await send('piece-1', 0);
      await send('piece-2', 30);
      await Promise.all([send('piece-3', 30), send('piece-4', 10)]);
    } finally {
      agent.destroy();
      server.close();
    }
    expect(seen).toEqual(['piece-1', 'piece-2', 'piece-3', 'piece-4']);
  });
});

describe('the access line', () => {
  function appLogging(level: 'debug' | 'info') {
    const written: Line[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) written.push(JSON.parse(text));
        cb();
      },
    });
    const router = Router();
    router.get('/probe', (_req, res) => void res.json({}));
    const app = createApp({ logger: createLogger({ level, destination }), operations: { checks: [], missing: () => [], openApi: {} }, features: [router] });
    return { app, written };
  }

  it('when the level is debug, then each request writes one line with its id, method, path without the query and status', async () => {
    const { app, written } = appLogging('debug');
    await request(app).get('/probe?token=secret-in-query').set('x-request-id', 'req-access-1');
    expect(written.filter((l) => l.msg === 'request')).toEqual([
      expect.objectContaining({ requestId: 'req-access-1', method: 'GET', path: '/probe', status: 200, ms: expect.any(Number) }),
    ]);
    expect(JSON.stringify(written)).not.toContain('secret-in-query');
  });

  it('when the level is info (the default), then requests write no access line', async () => {
    const { app, written } = appLogging('info');
    await request(app).get('/probe').set('x-request-id', 'req-access-2');
    expect(written.filter((l) => l.msg === 'request')).toEqual([]);
  });
});
