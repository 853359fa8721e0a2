import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimRecord } from '../../src/sim/servicenow/state.js';
import { ACCOUNT, createHarness, type Harness, HMAC_KEY, REGION, T0 } from '../api/harness.js';
import { type ConnectedInstance, connectInstance, type Instance } from './instance.js';

// Journey 2 of scoped-app/README.md, "Gate a maintenance window with a change",
// step by step: the registry sync fills x_pbridge_window from a RUNNING patchbridge;
// the gate item, or approving a change linked to a window, enables the window in
// AWS; closing or cancelling the change disables it. The app's own modules run
// under the Glide stand-in with the ServiceNow simulator as the instance.

const HOUR = 3_600_000;
const SYNC_JOB = 'patchbridge: sync the maintenance window registry';
const SYNC_ACTION = 'Sync from patchbridge';
const GATE_ITEM = 'Gate a maintenance window with a change';

let h: Harness;
let connected: ConnectedInstance;
let sn: Instance;
let server: ConnectedInstance['server'];

beforeAll(async () => {
  h = await createHarness();
  connected = await connectInstance({ app: h.app, sn: h.sn, clock: h.clock, key: HMAC_KEY, properties: { 'x_pbridge.sync.targets': `${ACCOUNT}:${REGION}` } });
  ({ sn, server } = connected);
}, 60_000);

afterAll(async () => {
  await connected?.close();
  await h?.close();
});

/** The AWS simulator's window for a patch group (disabled, the guard as its first task). */
function awsWindow(group: string) {
  const w = h.aws.fleet.windows.find((x) => x.name === `patch-${group}`);
  if (!w) throw new Error(`no window for ${group}`);
  return w;
}

function registryRow(windowId: string): SimRecord {
  const rows = h.sn.state.records('x_pbridge_window').filter((r) => r['window_id'] === windowId);
  expect(rows).toHaveLength(1);
  return rows[0] ?? {};
}

const futureChange = (seed: { state?: number; approval?: string } = {}) =>
  h.change({ state: -2, start: new Date(T0.getTime() + 24 * HOUR), end: new Date(T0.getTime() + 28 * HOUR), ...seed });
const notes = (table: string, sysId: string) => h.sn.state.journal(table, sysId).map((j) => j.value).join('\n');

describe('journey 2: the window registry, a change gates a window, closing the change shuts it', () => {
  it('when the registry sync runs (scheduled, or on demand), then x_pbridge_window lists every window patchbridge sees, once', async () => {
    await sn.runScheduled(SYNC_JOB);

    const windows = h.aws.fleet.windows;
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) {
      expect(registryRow(w.windowId)).toMatchObject({ account: ACCOUNT, region: REGION, name: w.name, enabled: String(w.enabled), gate_state: 'none' });
    }
    expect(sn.requests.at(-1)).toMatchObject({ method: 'GET', url: `${server.url}/v1/maintenance-windows?account=${ACCOUNT}&region=${REGION}`, status: 200 });

    // On demand, again: the same rows, updated, none added.
    await sn.runUiAction(SYNC_ACTION);
    expect(h.sn.state.records('x_pbridge_window')).toHaveLength(windows.length);
  });

  it('when a person orders the gate item for a window with an approved change, then patchbridge enables the window in AWS, and the window and the request show it', async () => {
    await sn.runScheduled(SYNC_JOB);
    const w = awsWindow('db-prod');
    w.enabled = false;
    const change = futureChange();

    const ritm = await sn.order(GATE_ITEM, { window: registryRow(w.windowId)['sys_id'] ?? '', change_request: change.sysId });

    expect(w.enabled).toBe(true);
    expect(sn.requests.at(-1)).toMatchObject({ method: 'PUT', url: `${server.url}/v1/maintenance-windows/${w.windowId}/change-gate`, status: 200 });
    expect(registryRow(w.windowId)).toMatchObject({ change_request: change.sysId, enabled: 'true', gate_state: 'scheduled' });
    expect(registryRow(w.windowId)['gate_result']).toContain(`gated by ${change.number}: scheduled`);
    expect(h.sn.state.get('sc_req_item', ritm['sys_id'] ?? '')?.['state']).toBe('3');
  });

  it('when the change linked to a window is approved, then the approval rule enables the window in AWS; when it closes, the rule disables it again', async () => {
    await sn.runScheduled(SYNC_JOB);
    const w = awsWindow('web-prod');
    w.enabled = false;
    const change = futureChange({ state: -3, approval: 'requested' });
    const row = registryRow(w.windowId);
    // The change manager links the window to the change on the window form.
    await sn.update('x_pbridge_window', row['sys_id'] ?? '', { change_request: change.sysId });

    // Step: approve. Approval moves the change to Scheduled, as the change model does.
    await sn.update('change_request', change.sysId, { approval: 'approved', state: '-2' });

    expect(w.enabled).toBe(true);
    expect(registryRow(w.windowId)).toMatchObject({ enabled: 'true', gate_state: 'scheduled' });
    expect(notes('change_request', change.sysId)).toContain(`patchbridge: window ${w.windowId}: gated by ${change.number}`);
    const gate = await (await fetch(`${server.url}/v1/maintenance-windows/${w.windowId}/change-gate`, {
      headers: { 'x-patchbridge-signature': h.sign('GET', `/v1/maintenance-windows/${w.windowId}/change-gate`) },
    })).json();
    expect(gate).toMatchObject({ changeRequest: change.number, revoked: false });

    // Step: close the change.
    await sn.update('change_request', change.sysId, { state: '3' });

    expect(w.enabled).toBe(false);
    expect(sn.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
    expect(sn.requests.at(-1)?.url).toContain(`reason=${encodeURIComponent(`change ${change.number} closed`)}`);
    expect(registryRow(w.windowId)).toMatchObject({ enabled: 'false', gate_state: 'revoked' });
  });

  it('when a change gating a window is cancelled, then the window is disabled in AWS', async () => {
    await sn.runScheduled(SYNC_JOB);
    const w = awsWindow('app-staging');
    const change = futureChange();
    await sn.order(GATE_ITEM, { window: registryRow(w.windowId)['sys_id'] ?? '', change_request: change.sysId });
    expect(w.enabled).toBe(true);

    await sn.update('change_request', change.sysId, { state: '4' });

    expect(w.enabled).toBe(false);
    expect(registryRow(w.windowId)).toMatchObject({ enabled: 'false', gate_state: 'revoked' });
    expect(notes('change_request', change.sysId)).toContain('shut by patchbridge');
  });

  it('when an update does not touch approval or state, then the rule does not call patchbridge', async () => {
    await sn.runScheduled(SYNC_JOB);
    const change = futureChange();
    const row = registryRow(awsWindow('db-prod').windowId);
    await sn.update('x_pbridge_window', row['sys_id'] ?? '', { change_request: change.sysId });
    const sent = sn.requests.length;

    await sn.update('change_request', change.sysId, { short_description: 'typo fixed' });

    expect(sn.requests.length).toBe(sent);
  });

  it('when the gate item names a change whose window has ended, then patchbridge refuses, the window stays disabled, and the request fails with the reason', async () => {
    await sn.runScheduled(SYNC_JOB);
    const w = awsWindow('db-prod');
    w.enabled = false;
    const change = h.change({ start: new Date(T0.getTime() - 5 * HOUR), end: new Date(T0.getTime() - HOUR) });

    const ritm = await sn.order(GATE_ITEM, { window: registryRow(w.windowId)['sys_id'] ?? '', change_request: change.sysId });

    expect(w.enabled).toBe(false);
    expect(sn.requests.at(-1)?.status).toBe(409);
    expect(h.sn.state.get('sc_req_item', ritm['sys_id'] ?? '')?.['state']).toBe('4');
    expect(notes('sc_req_item', ritm['sys_id'] ?? '')).toContain('patchbridge refused gating the window: HTTP 409 CHANGE_OUTSIDE_WINDOW');
    expect(registryRow(w.windowId)).toMatchObject({ enabled: 'false' });
    expect(registryRow(w.windowId)['gate_result']).toContain('CHANGE_OUTSIDE_WINDOW');
  });
});
