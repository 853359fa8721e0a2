import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, createHarness, type Harness, REGION, T0 } from './harness.js';

const HOUR = 3_600_000;
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.clock.set(T0);
  h.serviceNowDown(false);
});

function runBody(changeRequest: string, extra: Record<string, unknown> = {}) {
  return { changeRequest, accountId: ACCOUNT, region: REGION, targets: { patchGroups: ['web-prod'] }, operation: 'Install', ...extra };
}

/** POST /v1/patch-runs signed with HMAC; returns the response. */
function post(body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  return request(h.app)
    .post('/v1/patch-runs')
    .set('content-type', 'application/json')
    .set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', text))
    .set(headers)
    .send(text);
}

function get(path: string) {
  return request(h.app).get(path).set('x-patchbridge-signature', h.sign('GET', path));
}

function conforms(operationId: string, res: request.Response) {
  expect(h.validator.validateResponse(operationId, res.status, res.headers['content-type'], res.body)).toEqual([]);
}

describe('POST /v1/patch-runs', () => {
  it('when the change is approved, in Implement and inside its window, then 202 with the run, a Location, and the runbook started with ClientToken = run id', async () => {
    const change = h.change();
    const before = h.aws.count('StartAutomationExecution');
    const res = await post(runBody(change.number, { requestedItem: 'RITM0010001', targets: { instanceIds: [h.aws.fleet.instances[0]!.instanceId] } }));
    expect(res.status).toBe(202);
    conforms('createPatchRun', res);
    expect(res.headers['location']).toBe(`/v1/patch-runs/${res.body.id}`);
    expect(res.body).toMatchObject({ changeRequest: change.number, status: 'InProgress', operation: 'Install', rebootOption: 'RebootIfNeeded', maxConcurrency: '10%' });
    expect(h.aws.count('StartAutomationExecution')).toBe(before + 1);
    const automation = h.aws.state(ACCOUNT, REGION).automations.get(res.body.executionId);
    expect(automation?.documentName).toBe('patchbridge-AdHocPatch');
    expect(h.aws.state(ACCOUNT, REGION).clientTokens.get(res.body.id)?.executionId).toBe(res.body.executionId);
  });

  it('when called with a JWT carrying patch-runs:write, then the run starts', async () => {
    const change = h.change();
    const body = JSON.stringify(runBody(change.number));
    const res = await request(h.app).post('/v1/patch-runs').set('authorization', `Bearer ${await h.token()}`).set('content-type', 'application/json').send(body);
    expect(res.status).toBe(202);
  });

  it.each([
    ['an unapproved change (approval requested)', { approval: 'requested' }, 'CHANGE_NOT_APPROVED'],
    ['a rejected change', { approval: 'rejected' }, 'CHANGE_NOT_APPROVED'],
    ['a change in Assess', { state: -4 }, 'CHANGE_WRONG_STATE'],
    ['a closed change', { state: 3 }, 'CHANGE_WRONG_STATE'],
    ['a change whose window has not started', { start: new Date(T0.getTime() + HOUR), end: new Date(T0.getTime() + 2 * HOUR) }, 'CHANGE_OUTSIDE_WINDOW'],
    ['a change whose window is over', { start: new Date(T0.getTime() - 3 * HOUR), end: new Date(T0.getTime() - HOUR) }, 'CHANGE_OUTSIDE_WINDOW'],
  ])('when the request names %s, then 409 %s and nothing starts', async (_name, seed, code) => {
    const change = h.change(seed);
    const before = h.aws.count('StartAutomationExecution');
    const res = await post(runBody(change.number));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe(code);
    conforms('createPatchRun', res);
    expect(h.aws.count('StartAutomationExecution')).toBe(before);
  });

  it('when the change does not exist, then 409 CHANGE_NOT_FOUND', async () => {
    const res = await post(runBody('CHG9999999'));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CHANGE_NOT_FOUND');
  });

  it('when the body claims approval, then the claim is refused as an unknown field (400) and nothing starts; the change read from ServiceNow decides', async () => {
    const change = h.change({ approval: 'requested' });
    const before = h.aws.count('StartAutomationExecution');
    const forged = await post({ ...runBody(change.number), approval: 'approved', state: -1 });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('VALIDATION_FAILED');
    const res = await post({ ...runBody(change.number) });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CHANGE_NOT_APPROVED');
    expect(h.aws.count('StartAutomationExecution')).toBe(before);
  });

  it('when ServiceNow is down, then 503 CHANGE_UNVERIFIABLE and nothing starts', async () => {
    const change = h.change();
    h.serviceNowDown(true);
    const before = h.aws.count('StartAutomationExecution');
    const res = await post(runBody(change.number));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('CHANGE_UNVERIFIABLE');
    conforms('createPatchRun', res);
    expect(h.aws.count('StartAutomationExecution')).toBe(before);
    expect((await h.store.listPatchRuns({ changeNumber: change.number, limit: 10 })).items).toHaveLength(0);
  });

  it('when the same Idempotency-Key is replayed with the same body, then the same response comes back and one execution exists', async () => {
    const change = h.change();
    const before = h.aws.count('StartAutomationExecution');
    const first = await post(runBody(change.number), { 'idempotency-key': 'key-replay-1' });
    const again = await post(runBody(change.number), { 'idempotency-key': 'key-replay-1' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(h.aws.count('StartAutomationExecution')).toBe(before + 1);
  });

  it('when the same Idempotency-Key comes with a different body, then 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const change = h.change();
    await post(runBody(change.number), { 'idempotency-key': 'key-conflict-1' });
    const res = await post(runBody(change.number, { operation: 'Scan' }), { 'idempotency-key': 'key-conflict-1' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    conforms('createPatchRun', res);
  });

  it('when a refusal is answered under a key, then a retry with that key after approval starts the run', async () => {
    const change = h.change({ approval: 'requested' });
    const refused = await post(runBody(change.number), { 'idempotency-key': 'key-after-approval' });
    h.setChange(change.sysId, { approval: 'approved' });
    const retried = await post(runBody(change.number), { 'idempotency-key': 'key-after-approval' });
    expect(refused.status).toBe(409);
    expect(retried.status).toBe(202);
  });

  it('when the same request is posted again without a key, then the ClientToken maps it to the same run', async () => {
    const change = h.change();
    const before = h.aws.count('StartAutomationExecution');
    const a = await post(runBody(change.number, { targets: { patchGroups: ['web-prod', 'db-prod'] } }));
    const b = await post(runBody(change.number, { targets: { patchGroups: ['db-prod', 'web-prod'] } }));
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.executionId).toBe(a.body.executionId);
    expect(h.aws.count('StartAutomationExecution')).toBe(before + 1);
  });

  it.each([
    ['two kinds of targets', { targets: { patchGroups: ['web-prod'], instanceIds: ['i-0123456789abcdef0'] } }, 'body/targets'],
    ['51 instance ids', { targets: { instanceIds: Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`) } }, 'body/targets/instanceIds'],
    ['an unknown field', { priority: 'high' }, 'body'],
    ['a bad operation', { operation: 'Reboot' }, 'body/operation'],
    ['an aws: tag key', { targets: { tags: [{ key: 'aws:cloudformation:stack-name', values: ['x'] }] } }, 'body/targets/tags/0/key'],
  ])('when the body has %s, then 400 VALIDATION_FAILED naming the field', async (_name, extra, path) => {
    const change = h.change();
    const res = await post(runBody(change.number, extra));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    conforms('createPatchRun', res);
  });

  it('when the account is not managed, then 400 ACCOUNT_NOT_MANAGED before ServiceNow or AWS is asked', async () => {
    const change = h.change();
    const snCalls = h.sn.calls();
    const res = await post(runBody(change.number, { accountId: '999999999999' }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ACCOUNT_NOT_MANAGED');
    expect(h.sn.calls()).toBe(snCalls);
  });
});

describe('when SSM fails', () => {
  it('when StartAutomationExecution is throttled, then 503 AWS_UNAVAILABLE, the run waits as Pending, and a retry starts it under the same id', async () => {
    const change = h.change();
    h.aws.injectFault('StartAutomationExecution', { name: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
    const throttled = await post(runBody(change.number));
    expect(throttled.status).toBe(503);
    expect(throttled.body.code).toBe('AWS_UNAVAILABLE');
    conforms('createPatchRun', throttled);
    const pending = (await h.store.listPatchRuns({ changeNumber: change.number, limit: 5 })).items;
    expect(pending.map((r) => r.status)).toEqual(['Pending']);
    const retried = await post(runBody(change.number));
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(pending[0]?.id);
  });

  it('when SSM denies access, then 502 AWS_REJECTED and the run is marked Failed', async () => {
    const change = h.change();
    h.aws.injectFault('StartAutomationExecution', { name: 'AccessDeniedException', status: 400, message: 'not authorized to perform ssm:StartAutomationExecution' });
    const res = await post(runBody(change.number));
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('AWS_REJECTED');
    expect(res.body.detail).not.toContain('not authorized');
    conforms('createPatchRun', res);
    expect((await h.store.listPatchRuns({ changeNumber: change.number, limit: 5 })).items.map((r) => r.status)).toEqual(['Failed']);
  });
});

describe('authentication through the whole app', () => {
  it('when the signed body is tampered with, then 401 and nothing starts', async () => {
    const change = h.change();
    const signedText = JSON.stringify(runBody(change.number, { operation: 'Scan' }));
    const before = h.aws.count('StartAutomationExecution');
    const res = await request(h.app)
      .post('/v1/patch-runs')
      .set('content-type', 'application/json')
      .set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', signedText))
      .send(signedText.replace('"Scan"', '"Install"'));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
    expect(h.aws.count('StartAutomationExecution')).toBe(before);
  });

  it('when an unauthenticated body also breaks the schema, then 401 comes first and the schema is not checked', async () => {
    const res = await request(h.app).post('/v1/patch-runs').set('content-type', 'application/json').send({ changeRequest: 42, extra: true });
    expect(res.status).toBe(401);
    expect(res.body.errors).toBeUndefined();
  });

  it('when HEAD is sent for a list, then it is answered like GET without a body', async () => {
    const head = await request(h.app).head('/v1/patch-runs').set('x-patchbridge-signature', h.sign('HEAD', '/v1/patch-runs', ''));
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
    expect(head.text ?? '').toBe('');
  });

  it('when a list is read, then the answer may not be cached and carries no ETag or framework banner', async () => {
    const res = await request(h.app).get('/v1/patch-runs').set('x-patchbridge-signature', h.sign('GET', '/v1/patch-runs', ''));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['etag']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when the timestamp is stale, then 401', async () => {
    const res = await request(h.app)
      .get('/v1/patch-runs')
      .set('x-patchbridge-signature', h.sign('GET', '/v1/patch-runs', '', { ts: Math.floor(T0.getTime() / 1000) - 600 }));
    expect(res.status).toBe(401);
  });

  it('when a nonce is replayed, then 401', async () => {
    const header = h.sign('GET', '/v1/patch-runs', '', { nonce: 'replayed-nonce-000000001' });
    const first = await request(h.app).get('/v1/patch-runs').set('x-patchbridge-signature', header);
    const second = await request(h.app).get('/v1/patch-runs').set('x-patchbridge-signature', header);
    expect([first.status, second.status]).toEqual([200, 401]);
  });

  it('when the JWT has the wrong audience, then 401', async () => {
    const res = await request(h.app).get('/v1/patch-runs').set('authorization', `Bearer ${await h.token({ aud: 'another-api' })}`);
    expect(res.status).toBe(401);
    conforms('listPatchRuns', res);
  });

  it('when the JWT lacks the route scope, then 403', async () => {
    const change = h.change();
    const res = await request(h.app)
      .post('/v1/patch-runs')
      .set('authorization', `Bearer ${await h.token({ scope: 'patch-runs:read' })}`)
      .send(runBody(change.number));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    conforms('createPatchRun', res);
  });
});

describe('reading, listing and cancelling', () => {
  it('when a run has finished in SSM, then GET shows per-instance status, paged, and the stored status follows', async () => {
    const change = h.change();
    const started = await post(runBody(change.number, { targets: { patchGroups: ['db-prod'] }, operation: 'Scan' }));
    await h.aws.settle();
    const page1 = await get(`/v1/patch-runs/${started.body.id}?limit=2`);
    expect(page1.status).toBe(200);
    conforms('getPatchRun', page1);
    expect(page1.body.status).toBe('Success');
    expect(page1.body.instances.items).toHaveLength(2);
    const total = page1.body.counts.total;
    expect(total).toBe(h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === 'db-prod').length);
    const page2 = await get(`/v1/patch-runs/${started.body.id}?limit=2&cursor=${page1.body.instances.nextCursor}`);
    expect(page2.body.instances.items[0].instanceId > page1.body.instances.items[1].instanceId).toBe(true);
    expect((await h.store.getPatchRun(started.body.id))?.status).toBe('Success');
  });

  it('when listing by change request, then only that change’s runs come back', async () => {
    const a = h.change();
    const b = h.change();
    await post(runBody(a.number));
    await post(runBody(b.number));
    const res = await get(`/v1/patch-runs?changeRequest=${a.number}`);
    expect(res.status).toBe(200);
    conforms('listPatchRuns', res);
    expect(res.body.items.map((r: { changeRequest: string }) => r.changeRequest)).toEqual([a.number]);
  });

  it('when the run id is unknown, then 404 PATCH_RUN_NOT_FOUND', async () => {
    const res = await get('/v1/patch-runs/6a1f0e62-1b2c-5d3e-8f4a-0123456789ab');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PATCH_RUN_NOT_FOUND');
    conforms('getPatchRun', res);
  });

  it('when an unknown query parameter is sent, then 400 rather than an unfiltered list', async () => {
    const res = await get('/v1/patch-runs?changeRequst=CHG0000001');
    expect(res.status).toBe(400);
  });

  it('when a running run is cancelled, then 202 Cancelling and SSM is told; cancelling it again once finished is 409', async () => {
    const change = h.change();
    const started = await post(runBody(change.number));
    const path = `/v1/patch-runs/${started.body.id}/cancel`;
    const res = await request(h.app).post(path).set('x-patchbridge-signature', h.sign('POST', path));
    expect(res.status).toBe(202);
    conforms('cancelPatchRun', res);
    expect(res.body.status).toBe('Cancelling');
    await h.aws.settle();
    await get(`/v1/patch-runs/${started.body.id}`);
    const again = await request(h.app).post(path).set('x-patchbridge-signature', h.sign('POST', path));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PATCH_RUN_FINISHED');
  });
});

describe('rate limiting', () => {
  it('when a client exceeds its per-minute budget, then 429 with Retry-After', async () => {
    const limited = await createHarness({ rateLimitPerMinute: 2 });
    try {
      const go = () => request(limited.app).get('/v1/patch-runs').set('x-patchbridge-signature', limited.sign('GET', '/v1/patch-runs'));
      const statuses = [(await go()).status, (await go()).status];
      const third = await go();
      expect(statuses).toEqual([200, 200]);
      expect(third.status).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.validator.validateResponse('listPatchRuns', 429, third.headers['content-type'], third.body)).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe('write-back to ServiceNow', () => {
  function patchRunRecord(runId: string) {
    return h.sn.state.records('x_pbridge_patch_run').find((r) => r['run_id'] === runId);
  }

  it('when a run starts and then completes, then its x_pbridge_patch_run record follows it and the change gets a start and a summary note', async () => {
    const change = h.change();
    h.events.length = 0;
    const started = await post(runBody(change.number, { requestedItem: 'RITM0010042', targets: { patchGroups: ['web-prod'] } }));
    await h.worker.drain();
    expect(patchRunRecord(started.body.id)).toMatchObject({ status: 'InProgress', execution_id: started.body.executionId, change_request: change.sysId, account: ACCOUNT });
    await h.aws.settle();
    expect(h.events.some((e) => e.kind === 'automation' && e.executionId === started.body.executionId && e.phase === 'succeeded')).toBe(true);
    for (const event of h.events) await h.patchRuns.recordPatchRunProgress(event);
    await h.worker.drain();
    const total = h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === 'web-prod').length;
    const record = patchRunRecord(started.body.id);
    expect(record?.['status']).toBe('Success');
    expect(JSON.parse(String(record?.['counts']))).toMatchObject({ total, succeeded: total, failed: 0 });
    const notes = h.sn.state.journal('change_request', change.sysId).map((j) => j.value);
    expect(notes.some((n) => n.includes(`ad hoc patch run ${started.body.id} started`))).toBe(true);
    expect(notes.filter((n) => n.includes(`ad hoc patch run ${started.body.id}`) && n.includes('finished with status Success'))).toHaveLength(1);
    expect(notes.join('\n')).toContain(`${total} targeted, ${total} succeeded`);
  });

  it('when only Run Command events arrive, then the run is still found through its command and updated', async () => {
    const change = h.change();
    h.events.length = 0;
    const started = await post(runBody(change.number, { targets: { patchGroups: ['db-prod'] }, operation: 'Scan', maxErrors: '1' }));
    await h.aws.settle();
    const commandEvents = h.events.filter((e) => e.kind === 'command');
    expect(commandEvents.length).toBeGreaterThan(0);
    const outcomes = [];
    for (const event of commandEvents) outcomes.push(await h.patchRuns.recordPatchRunProgress(event));
    expect(outcomes).toContain('updated');
    expect((await h.store.getPatchRun(started.body.id))?.status).toBe('Success');
  });

  it('when an event is for an execution patchbridge did not start, then it is ignored', async () => {
    const outcome = await h.patchRuns.recordPatchRunProgress({
      kind: 'automation',
      source: 'eventbridge',
      accountId: ACCOUNT,
      region: REGION,
      time: T0.toISOString(),
      status: 'Success',
      phase: 'succeeded',
      executionId: '00000000-0000-4000-8000-000000000000',
      definition: 'AWS-Something',
    });
    expect(outcome).toBe('ignored');
  });
});

describe('paths as the spec spells them', () => {
  it.each(['/v1/patch-runs/', '/V1/patch-runs', '/v1/PATCH-RUNS/', '/v1/patch-runs//'])('when %s is asked for, signed with a valid key, then it is a 404 problem, not a 500', async (p) => {
    // Act
    const res = await get(p);

    // Assess
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('when the exact path is asked for, then it still answers', async () => {
    // Act
    const res = await get('/v1/patch-runs');

    // Assess
    expect(res.status).toBe(200);
  });
});
