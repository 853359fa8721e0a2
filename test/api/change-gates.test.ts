import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WindowExecutionEvent } from '../../src/domain/index.js';
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

/** The simulator's windows: one per patch group, disabled, with the guard Lambda as their first task. */
function windowOf(group: string) {
  const w = h.aws.fleet.windows.find((x) => x.name === `patch-${group}`);
  if (!w) throw new Error(`no window for ${group}`);
  return w;
}

function gatePath(windowId: string) {
  return `/v1/maintenance-windows/${windowId}/change-gate`;
}

function put(windowId: string, changeRequest: string) {
  const path = gatePath(windowId);
  const text = JSON.stringify({ accountId: ACCOUNT, region: REGION, changeRequest });
  return request(h.app).put(path).set('content-type', 'application/json').set('x-patchbridge-signature', h.sign('PUT', path, text)).send(text);
}

function call(method: 'GET' | 'DELETE', pathWithQuery: string) {
  const r = method === 'GET' ? request(h.app).get(pathWithQuery) : request(h.app).delete(pathWithQuery);
  return r.set('x-patchbridge-signature', h.sign(method, pathWithQuery));
}

function conforms(operationId: string, res: request.Response) {
  expect(h.validator.validateResponse(operationId, res.status, res.headers['content-type'], res.body)).toEqual([]);
}

/** Runs the window now (as its schedule would) and lets the simulator finish the execution. */
async function runWindow(windowId: string) {
  const executionId = h.aws.runMaintenanceWindow(windowId, { accountId: ACCOUNT, region: REGION });
  await h.aws.settle();
  return executionId;
}

function execution(id: string | undefined) {
  return id === undefined ? undefined : h.aws.state(ACCOUNT, REGION).windowExecutions.get(id);
}

function notesOn(sysId: string): string[] {
  return h.sn.state.journal('change_request', sysId).map((j) => j.value);
}

describe('PUT /v1/maintenance-windows/{windowId}/change-gate', () => {
  it('when the change is approved and Scheduled for a future window, then the gate is recorded for that window and the window enabled', async () => {
    const w = windowOf('web-prod');
    const change = h.change({ state: -2, start: new Date(T0.getTime() + 24 * HOUR), end: new Date(T0.getTime() + 28 * HOUR) });
    const res = await put(w.windowId, change.number);
    expect(res.status).toBe(200);
    conforms('putChangeGate', res);
    expect(res.body).toMatchObject({
      windowId: w.windowId,
      changeRequest: change.number,
      start: new Date(T0.getTime() + 24 * HOUR).toISOString(),
      end: new Date(T0.getTime() + 28 * HOUR).toISOString(),
      state: 'scheduled',
      revoked: false,
    });
    expect(w.enabled).toBe(true);
    const read = await call('GET', gatePath(w.windowId));
    conforms('getChangeGate', read);
    expect(read.body.changeRequest).toBe(change.number);
    await h.worker.drain();
    expect(notesOn(change.sysId).join('\n')).toContain(`maintenance window ${w.windowId}`);
  });

  it.each([
    ['not approved', { approval: 'requested' }, 'CHANGE_NOT_APPROVED'],
    ['in the wrong state', { state: -4 }, 'CHANGE_WRONG_STATE'],
    ['past its window', { start: new Date(T0.getTime() - 5 * HOUR), end: new Date(T0.getTime() - HOUR) }, 'CHANGE_OUTSIDE_WINDOW'],
  ])('when the change is %s, then 409 %s and the window stays disabled', async (_name, seed, code) => {
    const w = windowOf('db-prod');
    w.enabled = false;
    const before = (await h.store.getGate(w.windowId))?.changeNumber;
    const res = await put(w.windowId, h.change(seed).number);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe(code);
    conforms('putChangeGate', res);
    expect(w.enabled).toBe(false);
    expect((await h.store.getGate(w.windowId))?.changeNumber).toBe(before);
  });

  it('when the gating change is reported cancelled through the same endpoint, then the gate is revoked and the window disabled', async () => {
    const w = windowOf('db-prod');
    const change = h.change();
    expect((await put(w.windowId, change.number)).status).toBe(200);
    expect(w.enabled).toBe(true);
    h.setChange(change.sysId, { state: '4' });
    const res = await put(w.windowId, change.number);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CHANGE_WRONG_STATE');
    expect(w.enabled).toBe(false);
    expect(await h.store.getGate(w.windowId)).toMatchObject({ revoked: true, changeNumber: change.number });
  });

  it('when ServiceNow is down, then 503 CHANGE_UNVERIFIABLE and nothing changes', async () => {
    const w = windowOf('db-prod');
    w.enabled = false;
    const change = h.change();
    h.serviceNowDown(true);
    const res = await put(w.windowId, change.number);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('CHANGE_UNVERIFIABLE');
    expect(w.enabled).toBe(false);
  });

  it('when the window does not exist, then 404 WINDOW_NOT_FOUND', async () => {
    const res = await put('mw-0123456789abcdef0', h.change().number);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('WINDOW_NOT_FOUND');
    conforms('putChangeGate', res);
  });
});

describe('change gates with JWTs', () => {
  it('when a token with gates:write opens a gate, then it works; a token with only patch-run scopes is 403', async () => {
    const w = windowOf('web-prod');
    const change = h.change();
    const body = { accountId: ACCOUNT, region: REGION, changeRequest: change.number };
    const ok = await request(h.app).put(gatePath(w.windowId)).set('authorization', `Bearer ${await h.token({ scope: 'gates:write' })}`).send(body);
    const denied = await request(h.app)
      .get(gatePath(w.windowId))
      .set('authorization', `Bearer ${await h.token({ scope: 'patch-runs:write patch-runs:read' })}`);
    expect(ok.status).toBe(200);
    expect(denied.status).toBe(403);
    conforms('getChangeGate', denied);
    await call('DELETE', gatePath(w.windowId));
  });
});

describe('GET, DELETE and the window list', () => {
  it('when a gate is deleted, then it is revoked and the window disabled; the list shows the state', async () => {
    const w = windowOf('web-prod');
    const change = h.change();
    await put(w.windowId, change.number);
    const listed = await call('GET', `/v1/maintenance-windows?account=${ACCOUNT}&region=${REGION}`);
    expect(listed.status).toBe(200);
    conforms('listMaintenanceWindows', listed);
    expect(listed.body.items.find((x: { windowId: string }) => x.windowId === w.windowId)).toMatchObject({ enabled: true, gateState: 'open' });
    const deleted = await call('DELETE', `${gatePath(w.windowId)}?reason=maintenance%20postponed`);
    expect(deleted.status).toBe(200);
    conforms('deleteChangeGate', deleted);
    expect(deleted.body).toMatchObject({ state: 'revoked', revoked: true, revokedReason: 'maintenance postponed' });
    expect(w.enabled).toBe(false);
    const after = await call('GET', `/v1/maintenance-windows?account=${ACCOUNT}&region=${REGION}`);
    expect(after.body.items.find((x: { windowId: string }) => x.windowId === w.windowId)).toMatchObject({ enabled: false, gateState: 'revoked' });
  });

  it('when no gate is recorded, then GET is 404, DELETE alone is 404, and DELETE with account and region still disables the window (204)', async () => {
    const w = windowOf('app-staging');
    w.enabled = true;
    const read = await call('GET', gatePath(w.windowId));
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('GATE_NOT_FOUND');
    expect((await call('DELETE', gatePath(w.windowId))).status).toBe(404);
    expect(w.enabled).toBe(true);
    const res = await call('DELETE', `${gatePath(w.windowId)}?account=${ACCOUNT}&region=${REGION}`);
    expect(res.status).toBe(204);
    conforms('deleteChangeGate', res);
    expect(w.enabled).toBe(false);
  });

  it('when the account is not managed, then the list is 400 ACCOUNT_NOT_MANAGED', async () => {
    const res = await call('GET', `/v1/maintenance-windows?account=999999999999&region=${REGION}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ACCOUNT_NOT_MANAGED');
  });

  it('when account or region is missing from the list query, then 400', async () => {
    const res = await call('GET', `/v1/maintenance-windows?account=${ACCOUNT}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('query');
  });
});

describe('the guard (first task of every window)', () => {
  it('when a window runs under a valid authorisation, then its patch task runs and the result goes to the change', async () => {
    const w = windowOf('web-prod');
    const change = h.change();
    expect((await put(w.windowId, change.number)).status).toBe(200);
    const patchCommands = () => [...h.aws.state(ACCOUNT, REGION).commands.values()].filter((c) => c.documentName === 'AWS-RunPatchBaseline' && c.comment?.includes(w.windowId));
    const before = patchCommands().length;
    const id = await runWindow(w.windowId);
    const ex = execution(id);
    expect(ex?.status).toBe('SUCCESS');
    expect(ex?.tasks.map((t) => t.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(patchCommands().length).toBeGreaterThan(before);
    const event: WindowExecutionEvent = {
      kind: 'window-execution',
      source: 'eventbridge',
      accountId: ACCOUNT,
      region: REGION,
      time: T0.toISOString(),
      status: 'SUCCESS',
      phase: 'succeeded',
      windowId: w.windowId,
      windowExecutionId: id!,
    };
    await h.changeGates.recordWindowResult(event);
    await h.worker.drain();
    const notes = notesOn(change.sysId).join('\n');
    expect(notes).toContain(`execution ${id} started under this change`);
    expect(notes).toContain(`execution ${id} finished with status SUCCESS`);
  });

  it('when the gating change was cancelled in ServiceNow, then the guard cancels the execution before the patch task and revokes the gate', async () => {
    const w = windowOf('db-prod');
    const change = h.change();
    expect((await put(w.windowId, change.number)).status).toBe(200);
    h.setChange(change.sysId, { state: '4' });
    const commandsBefore = h.aws.state(ACCOUNT, REGION).commands.size;
    const id = await runWindow(w.windowId);
    expect(execution(id)?.status).toBe('CANCELLED');
    expect(execution(id)?.tasks.map((t) => t.status)).not.toContain('IN_PROGRESS');
    expect(h.aws.state(ACCOUNT, REGION).commands.size).toBe(commandsBefore);
    expect(await h.store.getGate(w.windowId)).toMatchObject({ revoked: true });
    expect(w.enabled).toBe(false);
    await h.worker.drain();
    expect(notesOn(change.sysId).join('\n')).toContain(`execution ${id} was cancelled by the change guard`);
  });

  it('when the window runs outside the authorised span, then it is cancelled without asking ServiceNow', async () => {
    const w = windowOf('web-prod');
    const change = h.change({ state: -2, start: new Date(T0.getTime() + 24 * HOUR), end: new Date(T0.getTime() + 26 * HOUR) });
    expect((await put(w.windowId, change.number)).status).toBe(200);
    const reads = () => h.sn.calls(/^GET \/api\/now\/table\/change_request/);
    const before = reads();
    const id = await runWindow(w.windowId);
    expect(execution(id)?.status).toBe('CANCELLED');
    expect(reads()).toBe(before);
  });

  it('when ServiceNow is down, then the execution is cancelled (fail closed) and the incident follows once ServiceNow is back', async () => {
    const w = windowOf('web-prod');
    const change = h.change();
    expect((await put(w.windowId, change.number)).status).toBe(200);
    h.serviceNowDown(true);
    const id = await runWindow(w.windowId);
    expect(execution(id)?.status).toBe('CANCELLED');
    expect(await h.store.outboxDepth('pb.incident')).toBe(1);
    await h.worker.drain();
    expect(await h.store.outboxDepth('pb.incident')).toBe(1);
    h.serviceNowDown(false);
    await h.clock.advance(60 * 60_000);
    await h.worker.drain();
    expect(await h.store.outboxDepth('pb.incident')).toBe(0);
    const incidents = h.sn.state.records('incident').filter((i) => String(i['correlation_id']).endsWith(id!));
    expect(incidents).toHaveLength(1);
    expect(String(incidents[0]?.['short_description'])).toContain('ServiceNow unreachable');
    expect(notesOn(change.sysId).join('\n')).toContain(`execution ${id} was cancelled by the change guard`);
  });

  it('when no change gates the window, then a forced execution is cancelled', async () => {
    const w = windowOf('db-prod');
    await h.store.putGate({ ...(await h.store.getGate(w.windowId))!, revoked: true });
    const id = h.aws.runMaintenanceWindow(w.windowId, { accountId: ACCOUNT, region: REGION, force: true });
    await h.aws.settle();
    expect(execution(id)?.status).toBe('CANCELLED');
  });
});
