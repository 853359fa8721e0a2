/**
 * AWS and ServiceNow failures as the API's callers see them, on the routes that
 * call either synchronously: never an ARN or an upstream message in the answer,
 * never the upstream's 401/403 as if the caller's own credentials had failed
 * (the mapper's side of that, for ServiceNow's 401, is in test/api-problem.test.ts).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComplianceHarness, createComplianceHarness } from '../compliance/support/api-harness.js';
import { ACCOUNT, createHarness, type Harness, REGION } from './harness.js';

const ROLE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/patchbridge-api/session-7`;
/** The next `times` calls of an SSM operation are refused as AWS refuses a role without the permission. */
const denied = (times = 1) => ({ name: 'AccessDeniedException', status: 400, message: `User: ${ROLE_ARN} is not authorized to perform this action`, times });

/** What no answer may carry: the role's ARN, the upstream's words. */
function expectNothingUpstream(res: request.Response) {
  const text = JSON.stringify(res.body);
  expect(text).not.toContain('arn:aws');
  expect(text).not.toContain('is not authorized');
  expect(text).not.toContain('assumed-role');
}

describe('GET /v1/compliance/summary when SSM denies patchbridge', () => {
  let h: ComplianceHarness;
  beforeAll(async () => {
    h = await createComplianceHarness({ historyDays: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("then 502 UPSTREAM_FAILED, not the upstream's 403, and no ARN in the body", async () => {
    h.aws.injectFault('DescribeInstanceInformation', denied(1_000));
    const res = await request(h.app).get('/v1/compliance/summary').set('x-patchbridge-signature', h.sign('GET', '/v1/compliance/summary'));
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('UPSTREAM_FAILED');
    expectNothingUpstream(res);
    expect(h.validator.validateResponse('getComplianceSummary', res.status, res.headers['content-type'], res.body)).toEqual([]);
  });
});

describe('patch runs and change gates when SSM denies patchbridge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  const send = (method: 'post' | 'put' | 'delete' | 'get', url: string, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = request(h.app)[method](url).set('x-patchbridge-signature', h.sign(method.toUpperCase(), url, text));
    return body === undefined ? req : req.set('content-type', 'application/json').send(text);
  };
  const runBody = (changeRequest: string) => ({ changeRequest, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });

  it('when starting a run is denied, then 502 AWS_REJECTED with no ARN', async () => {
    h.aws.injectFault('StartAutomationExecution', denied());
    const res = await send('post', '/v1/patch-runs', runBody(h.change().number));
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('AWS_REJECTED');
    expectNothingUpstream(res);
  });

  it('when reading and cancelling a run are denied, then the read answers from the store and the cancel is 502, neither with an ARN', async () => {
    const started = await send('post', '/v1/patch-runs', runBody(h.change().number));
    expect(started.status).toBe(202);
    h.aws.injectFault('GetAutomationExecution', denied(100));
    h.aws.injectFault('StopAutomationExecution', denied(100));
    await h.clock.advance(60_000);
    const read = await send('get', `/v1/patch-runs/${started.body.id}`);
    expect(read.status).toBe(200);
    expectNothingUpstream(read);
    const cancel = await send('post', `/v1/patch-runs/${started.body.id}/cancel`);
    if (cancel.status !== 409) {
      expect(cancel.status).toBe(502);
      expectNothingUpstream(cancel);
    }
  });

  it('when the maintenance window cannot be read, then the gate answer carries no ARN', async () => {
    const windowId = h.aws.fleet.windows[0]!.windowId;
    h.aws.injectFault('GetMaintenanceWindow', denied(100));
    h.aws.injectFault('UpdateMaintenanceWindow', denied(100));
    const put = await send('put', `/v1/maintenance-windows/${windowId}/change-gate`, { changeRequest: h.change().number, accountId: ACCOUNT, region: REGION });
    expect([502, 503]).toContain(put.status);
    expectNothingUpstream(put);
    const del = await send('delete', `/v1/maintenance-windows/${windowId}/change-gate?accountId=${ACCOUNT}&region=${REGION}`);
    expect(del.status).not.toBe(500);
    expectNothingUpstream(del);
  });
});
