import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardInput } from '../../src/flows/changes/index.js';
import { createApiHandler } from '../../src/handlers/api.js';
import { createGuardTask } from '../../src/flows/changes/index.js';
import { failClosedGuard } from '../../src/runtime/lambda/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { ACCOUNT, createHarness, type Harness, REGION } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** An API Gateway REST API (payload 1.0) proxy event. */
function restEvent(method: string, path: string, body: string | null, headers: Record<string, string>) {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { host: 'api.example.com', ...headers },
    multiValueHeaders: Object.fromEntries(Object.entries({ host: 'api.example.com', ...headers }).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: { accountId: ACCOUNT, stage: 'prod', httpMethod: method, path: `/prod${path}`, requestId: 'req-1', identity: { sourceIp: '203.0.113.7' } },
    body,
    isBase64Encoded: false,
  };
}

/** An HTTP API (payload 2.0) event. */
function httpApiEvent(method: string, path: string, rawQueryString: string, body: string | null, headers: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'api.example.com', ...headers },
    requestContext: { accountId: ACCOUNT, http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' }, requestId: 'req-2', stage: '$default' },
    body,
    isBase64Encoded: false,
  };
}

describe('API Gateway → express', () => {
  it('when a signed POST arrives as a REST proxy event, then the run starts and the result is a proxy response', async () => {
    const handler = createApiHandler({ app: h.app });
    const change = h.change();
    const body = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });
    const result = await handler(
      restEvent('POST', '/v1/patch-runs', body, { 'content-type': 'application/json', 'x-patchbridge-signature': h.sign('POST', '/v1/patch-runs', body) }),
      {},
    );
    expect(result.statusCode).toBe(202);
    const run = JSON.parse(result.body);
    expect(run.changeRequest).toBe(change.number);
    expect(await h.store.getPatchRun(run.id)).toBeDefined();
  });

  it('when a signed GET with a query arrives as an HTTP API event, then the list answers', async () => {
    const handler = createApiHandler({ app: h.app });
    const change = h.change();
    const path = `/v1/patch-runs?changeRequest=${change.number}`;
    const result = await handler(httpApiEvent('GET', '/v1/patch-runs', `changeRequest=${change.number}`, null, { 'x-patchbridge-signature': h.sign('GET', path) }), {});
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ items: [] });
  });

  it('when the signature does not match, then the proxy response is a 401 problem', async () => {
    const handler = createApiHandler({ app: h.app });
    const result = await handler(restEvent('GET', '/v1/patch-runs', null, { 'x-patchbridge-signature': h.sign('GET', '/v1/other') }), {});
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).code).toBe('UNAUTHORIZED');
  });
});

describe('the window guard Lambda', () => {
  function capture() {
    const calls: GuardInput[] = [];
    const handler = createGuardTask({
      logger: silentLogger(),
      changeGates: {
        guard: async (input) => {
          calls.push(input);
          return { action: 'allow', reason: 'test', windowId: input.windowId, windowExecutionId: input.windowExecutionId };
        },
      },
    });
    return { calls, handler };
  }

  it('when the payload names only the window, then account and region come from the function ARN', async () => {
    const { calls, handler } = capture();
    await handler(
      { windowId: 'mw-0123456789abcdef0', windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000' },
      { invokedFunctionArn: 'arn:aws:lambda:eu-central-1:444455556666:function:patchbridge-guard' },
    );
    expect(calls).toEqual([{ windowId: 'mw-0123456789abcdef0', windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000', accountId: '444455556666', region: 'eu-central-1' }]);
  });

  it.each([
    ['a scheduled EventBridge event', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }],
    ['{"action":"drain"}', { action: 'drain' }],
  ])('when invoked with %s, then it drains the queued ServiceNow writes and guards nothing', async (_name, event) => {
    let drains = 0;
    const calls: GuardInput[] = [];
    const handler = createGuardTask({
      logger: silentLogger(),
      worker: { drain: async () => ({ delivered: ++drains, retried: 0, deadLettered: 0 }) },
      changeGates: {
        guard: async (input) => {
          calls.push(input);
          return { action: 'allow', reason: '', windowId: '', windowExecutionId: '' };
        },
      },
    });
    expect(await handler(event)).toEqual({ drained: { delivered: 1, retried: 0, deadLettered: 0 } });
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['no window id', { windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000' }],
    ['an unrendered window placeholder', { windowId: '{{WINDOW_ID}}', windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000' }],
  ])('when the payload has %s but names the execution, then the execution is still guarded (no gate can match: it is cancelled)', async (_name, event) => {
    const { calls, handler } = capture();
    await handler(event, { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:g' });
    expect(calls).toEqual([{ windowId: 'unnamed-window', windowExecutionId: '14bea65d-5ccc-462d-a2f3-e99c80000000', accountId: '111122223333', region: 'eu-west-1' }]);
  });

  it.each([
    ['no execution id', { windowId: 'mw-0123456789abcdef0' }],
    ['an unrendered placeholder', { windowId: '{{WINDOW_ID}}', windowExecutionId: '{{WINDOW_EXECUTION_ID}}' }],
    ['a body that is not JSON', '{windowId'],
  ])('when the payload has %s, then it throws INVALID_EVENT and guards nothing', async (_name, event) => {
    const { calls, handler } = capture();
    await expect(handler(event, { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:g' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(calls).toHaveLength(0);
  });
});

describe('the window guard Lambda when it cannot be built', () => {
  const EXECUTION = '14bea65d-5ccc-462d-a2f3-e99c80000000';
  const ARN = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:g' };
  const broken = () => Promise.reject(new Error('Secrets Manager: ThrottlingException'));

  it('when the composition root fails, then the execution is still cancelled (fail closed) and the guard does not throw', async () => {
    // Prepare
    const cancelled: GuardInput[] = [];
    const handler = failClosedGuard(broken, { logger: silentLogger(), cancel: async (input) => void cancelled.push(input) });

    // Act
    const result = await handler({ windowId: 'mw-0123456789abcdef0', windowExecutionId: EXECUTION }, ARN);

    // Assess
    expect(result).toMatchObject({ action: 'cancel', windowExecutionId: EXECUTION });
    expect(cancelled).toEqual([{ windowId: 'mw-0123456789abcdef0', windowExecutionId: EXECUTION, accountId: '111122223333', region: 'eu-west-1' }]);
  });

  it('when even the fallback cancellation fails, then the guard throws', async () => {
    const handler = failClosedGuard(broken, { logger: silentLogger(), cancel: () => Promise.reject(new Error('AccessDenied')) });
    await expect(handler({ windowId: 'mw-0123456789abcdef0', windowExecutionId: EXECUTION }, ARN)).rejects.toThrow('AccessDenied');
  });

  it('when a drain cannot be built, then it fails and cancels nothing', async () => {
    const cancelled: GuardInput[] = [];
    const handler = failClosedGuard(broken, { logger: silentLogger(), cancel: async (input) => void cancelled.push(input) });
    await expect(handler({ action: 'drain' })).rejects.toThrow('ThrottlingException');
    expect(cancelled).toEqual([]);
  });

  it('when the composition root works, then the built guard answers', async () => {
    const handler = failClosedGuard(
      async () => async () => ({ action: 'allow', reason: 'built', windowId: 'mw-0123456789abcdef0', windowExecutionId: EXECUTION }),
      { logger: silentLogger(), cancel: () => Promise.reject(new Error('must not cancel')) },
    );
    expect(await handler({ windowId: 'mw-0123456789abcdef0', windowExecutionId: EXECUTION }, ARN)).toMatchObject({ action: 'allow', reason: 'built' });
  });
});

describe('the Lambda composition of the API', () => {
  it('when built from a core context over the simulators, then a signed request starts a run end to end', async () => {
    const { loadConfig } = await import('../../src/config/index.js');
    const { createCoreContext } = await import('../../src/runtime/index.js');
    const { lambdaApiApp } = await import('../../src/runtime/api-app/index.js');
    const { SIM_BASIC_CREDENTIALS } = await import('../../src/sim/servicenow/index.js');
    const config = loadConfig({
      PATCHBRIDGE_STORE: 'sqlite::memory:',
      PATCHBRIDGE_AWS_REGIONS: REGION,
      PATCHBRIDGE_AWS_ACCOUNTS: ACCOUNT,
      PATCHBRIDGE_API_HMAC_KEYS: 'lambda-key:lambda-secret-lambda-secret-lambda-secret',
      PATCHBRIDGE_SERVICENOW_URL: h.sn.url,
      PATCHBRIDGE_SERVICENOW_USERNAME: SIM_BASIC_CREDENTIALS.username,
      PATCHBRIDGE_SERVICENOW_PASSWORD: SIM_BASIC_CREDENTIALS.password,
      PATCHBRIDGE_LOG_LEVEL: 'silent',
    });
    const ctx = await createCoreContext(config, {
      logger: silentLogger(),
      clock: h.clock,
      overrides: {
        awsEndpoint: h.aws.url,
        awsCredentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
      },
    });
    try {
      const handler = createApiHandler({ app: await lambdaApiApp(ctx) });
      const change = h.change();
      const body = JSON.stringify({ changeRequest: change.number, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['db-prod'] }, operation: 'Scan' });
      const key = { id: 'lambda-key', secret: 'lambda-secret-lambda-secret-lambda-secret' };
      const result = await handler(
        restEvent('POST', '/v1/patch-runs', body, { 'content-type': 'application/json', 'x-patchbridge-signature': h.sign('POST', '/v1/patch-runs', body, { key }) }),
        {},
      );
      expect(result.statusCode).toBe(202);
      expect(await ctx.store.getPatchRun(JSON.parse(result.body).id)).toMatchObject({ changeNumber: change.number, status: 'InProgress' });
    } finally {
      await ctx.close();
    }
  });
});
