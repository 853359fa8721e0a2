import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeScopeMode } from '../../src/domain/index.js';
import { ACCOUNT, createHarness, type Harness, HMAC_KEY, REGION } from '../api/harness.js';
import { connectInstance, type ConnectedInstance } from './instance.js';

// Journey 1 of scoped-app/README.md, "Order ad hoc patching", step by step: the
// app's own modules (submit handler, PatchbridgeClient, run follow-up rule) run
// under the Glide stand-in with the ServiceNow simulator as the instance, against
// a RUNNING patchbridge API (HMAC auth, both simulators behind it). Each test
// checks what happened in AWS, and what the requester sees on the request.

const ITEM = 'Request ad hoc patching';
const FIVE_S = 5_000;

interface Setup extends ConnectedInstance {
  readonly h: Harness;
}

async function setup(options: { rateLimitPerMinute?: number; changeScope?: ChangeScopeMode; properties?: Record<string, string> } = {}): Promise<Setup> {
  const h = await createHarness({
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    ...(options.changeScope ? { changeScope: options.changeScope } : {}),
  });
  const connected = await connectInstance({ app: h.app, sn: h.sn, clock: h.clock, key: HMAC_KEY, properties: options.properties ?? {}, oauthToken: () => h.token() });
  return { ...connected, h };
}

async function teardown(s: Setup | undefined): Promise<void> {
  await s?.close();
  await s?.h.close();
}

let s: Setup;
beforeAll(async () => {
  s = await setup();
}, 60_000);
afterAll(() => teardown(s));

const notes = (table: string, sysId: string) => s.h.sn.state.journal(table, sysId).map((j) => j.value);
const ritmOf = (sysId: string) => s.h.sn.state.get('sc_req_item', sysId) ?? {};
const runRecordOf = (ritmSysId: string) => s.h.sn.state.records('x_pbridge_patch_run').filter((r) => r['requested_item'] === ritmSysId);
const webProd = () => s.h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === 'web-prod');

function order(changeSysId: string, values: Record<string, string> = {}) {
  return s.sn.order(ITEM, { change_request: changeSysId, account_id: ACCOUNT, region: REGION, patch_groups: 'web-prod', operation: 'Install', ...values });
}

/** What patchbridge does when SSM's events arrive (the event intake), then its outbox delivers the write-back; the instance fires its rules. */
async function patchbridgeFollowsTheRun(): Promise<void> {
  await s.h.aws.settle();
  for (const event of s.h.events.splice(0)) await s.h.patchRuns.recordPatchRunProgress(event);
  await s.h.worker.drain();
  await s.sn.fireChanges('x_pbridge_patch_run');
}

describe('journey 1: order ad hoc patching, see the run, see the request close', () => {
  it('when a person orders patching of a patch group under an approved change, then patchbridge starts the runbook in SSM, the run record is created and the request follows the run to Closed Complete', async () => {
    // Step 1: order (the catalog item, submitted; its async rule calls patchbridge).
    const change = s.h.change();
    const starts = s.h.aws.count('StartAutomationExecution');
    s.h.events.length = 0;
    const ritm = await order(change.sysId);
    const ritmSysId = ritm['sys_id'] ?? '';
    s.sn.watch('x_pbridge_patch_run');

    // In AWS: the ad hoc runbook started, on the patch group asked for.
    expect(s.h.aws.count('StartAutomationExecution')).toBe(starts + 1);
    const [call] = s.sn.requests.slice(-1);
    expect(call).toMatchObject({ method: 'POST', status: 202 });
    expect(call?.headers['Idempotency-Key']).toBe(ritmSysId);
    expect(call?.headers['X-Patchbridge-Signature']).toMatch(/^keyId=sn-test,ts=\d+,nonce=[0-9a-f]{32},sig=/);
    const body = JSON.parse(call?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ changeRequest: change.number, requestedItem: ritm['number'], targets: { patchGroups: ['web-prod'] }, operation: 'Install' });
    const runs = await s.h.store.listPatchRuns({ changeNumber: change.number, limit: 50 });
    const run = runs.items.find((r) => r.requestedItem === ritm['number']);
    expect(run).toBeDefined();
    expect(s.h.aws.state(ACCOUNT, REGION).automations.get(run?.executionId ?? '')?.documentName).toBe('patchbridge-AdHocPatch');

    // In ServiceNow: the run record, under the sys_id patchbridge's write-back uses, and the request In Progress.
    const [record] = runRecordOf(ritmSysId);
    expect(record).toMatchObject({ sys_id: run?.id.replace(/-/g, ''), run_id: run?.id, change_request: change.sysId, account: ACCOUNT, region: REGION });
    expect(record?.['number']).toMatch(/^PBR\d{7}$/);
    expect(ritmOf(ritmSysId)['state']).toBe('2');
    expect(notes('sc_req_item', ritmSysId).join('\n')).toContain(`patchbridge started patch run ${record?.['number']}`);

    // Step 2: the run goes on in SSM; patchbridge writes status and counts back; the request follows.
    await patchbridgeFollowsTheRun();
    const total = webProd().length;
    expect(runRecordOf(ritmSysId)).toHaveLength(1);
    expect(runRecordOf(ritmSysId)[0]).toMatchObject({ status: 'Success', instances_total: String(total), instances_succeeded: String(total) });
    expect(ritmOf(ritmSysId)['state']).toBe('3');
    expect(notes('sc_req_item', ritmSysId).join('\n')).toContain(`finished: Success. ${total} targeted, ${total} succeeded, 0 failed`);
  });

  it('when an instance fails, then the request closes Closed Incomplete and names the incident patchbridge raised for the change', async () => {
    const change = s.h.change();
    const [victim] = webProd();
    if (!victim) throw new Error('the fleet has no web-prod instance');
    victim.forcedOutcome = 'Failed';
    try {
      s.h.events.length = 0;
      const ritm = await order(change.sysId, { patch_groups: 'web-prod', operation: 'Install' });
      const ritmSysId = ritm['sys_id'] ?? '';
      s.sn.watch('x_pbridge_patch_run');
      // patchbridge raises the failure's incident through the app's import set, linked to the change.
      const imported = await s.h.servicenow.importRow('x_pbridge_failure_import', {
        correlation_id: `pb:${ACCOUNT}:${REGION}:exec-of-${ritmSysId.slice(0, 8)}:web-prod`,
        correlation_display: 'patchbridge',
        short_description: `Patching failed on ${victim.instanceId}`,
        impact: '2',
        urgency: '2',
        change_request: change.number,
        instance_ids: victim.instanceId,
      });
      const incident = s.h.sn.state.get('incident', imported.sys_id);
      await patchbridgeFollowsTheRun();

      expect(runRecordOf(ritmSysId)[0]?.['instances_failed']).toBe('1');
      expect(ritmOf(ritmSysId)['state']).toBe('4');
      const last = notes('sc_req_item', ritmSysId).join('\n');
      expect(last).toContain('1 failed');
      expect(last).toContain(`Incidents raised: ${incident?.['number']}`);
    } finally {
      delete victim.forcedOutcome;
    }
  });

  it("when the person targets instance CIs and asks for it, then they become the change's affected CIs and SSM gets their instance ids", async () => {
    const change = s.h.change();
    const picked = webProd().slice(0, 2);
    const cis = s.h.sn.seed.cisForInstances(picked.map((i) => i.instanceId));
    const starts = s.h.aws.count('StartAutomationExecution');

    const ritm = await order(change.sysId, {
      target_type: 'instances',
      patch_groups: '',
      instances: cis.map((c) => c['sys_id']).join(','),
      add_affected_cis: 'true',
      operation: 'Scan',
    });

    expect(s.h.aws.count('StartAutomationExecution')).toBe(starts + 1);
    const body = JSON.parse(s.sn.requests.at(-1)?.body ?? '{}') as { targets?: { instanceIds?: string[] } };
    expect(body.targets?.instanceIds?.sort()).toEqual(picked.map((i) => i.instanceId).sort());
    const affected = s.h.sn.state.records('task_ci').filter((t) => t['task'] === change.sysId);
    expect(affected.map((t) => t['ci_item']).sort()).toEqual(cis.map((c) => c['sys_id']).sort());
    expect(ritmOf(ritm['sys_id'] ?? '')['state']).toBe('2');
  });

  it('when the change is not approved, then patchbridge refuses with 409, nothing starts in SSM, and the request gets the reason and Closed Incomplete', async () => {
    const change = s.h.change({ approval: 'requested' });
    const starts = s.h.aws.count('StartAutomationExecution');

    const ritm = await order(change.sysId);

    expect(s.h.aws.count('StartAutomationExecution')).toBe(starts);
    expect(s.sn.requests.at(-1)?.status).toBe(409);
    expect(ritmOf(ritm['sys_id'] ?? '')['state']).toBe('4');
    expect(notes('sc_req_item', ritm['sys_id'] ?? '').join('\n')).toContain('patchbridge refused the patch run: HTTP 409 CHANGE_NOT_APPROVED');
    expect(runRecordOf(ritm['sys_id'] ?? '')).toHaveLength(0);
  });

  it('when a variable is malformed on the server side too, then nothing is sent and the request says which one', async () => {
    const change = s.h.change();
    const sent = s.sn.requests.length;

    const ritm = await order(change.sysId, { account_id: '11112222333' });

    expect(s.sn.requests.length).toBe(sent);
    expect(ritmOf(ritm['sys_id'] ?? '')['state']).toBe('4');
    expect(notes('sc_req_item', ritm['sys_id'] ?? '').join('\n')).toContain('the AWS account id must be 12 digits');
  });

  it('when patchbridge answers 503 because it cannot reach ServiceNow, then the call is retried later through the retry event with the same request and Idempotency-Key, and the run starts once', async () => {
    const change = s.h.change();
    const starts = s.h.aws.count('StartAutomationExecution');
    s.h.serviceNowDown(true);
    let ritmSysId = '';
    try {
      const ritm = await order(change.sysId);
      ritmSysId = ritm['sys_id'] ?? '';
    } finally {
      s.h.serviceNowDown(false);
    }
    const first = s.sn.requests.at(-1);
    expect(first?.status).toBe(503);
    expect(s.h.aws.count('StartAutomationExecution')).toBe(starts);
    expect(ritmOf(ritmSysId)['state']).toBe('2');
    expect(notes('sc_req_item', ritmSysId).join('\n')).toContain('attempt 2 of 5 is scheduled');
    const [event] = s.sn.events;
    expect(event).toMatchObject({ name: 'x_pbridge.call.retry', table: 'sc_req_item', instance: ritmSysId });
    // No Retry-After on this 503: the first backoff step, 5 s.
    expect(event?.processOn).toBe(s.h.clock.now().getTime() + FIVE_S);

    expect(await s.sn.processEvents(s.h.clock.now().getTime() + FIVE_S - 1)).toBe(0);
    expect(await s.sn.processEvents(s.h.clock.now().getTime() + FIVE_S)).toBe(1);

    const retry = s.sn.requests.at(-1);
    expect(retry?.status).toBe(202);
    expect(retry?.headers['Idempotency-Key']).toBe(ritmSysId);
    expect(retry?.headers['Idempotency-Key']).toBe(first?.headers['Idempotency-Key']);
    expect(retry?.body).toBe(first?.body);
    expect(retry?.headers['X-Patchbridge-Signature']).not.toBe(first?.headers['X-Patchbridge-Signature']);
    expect(s.h.aws.count('StartAutomationExecution')).toBe(starts + 1);
    expect(runRecordOf(ritmSysId)).toHaveLength(1);
    expect(s.sn.events).toHaveLength(0);
  });

  it('when patchbridge keeps answering 503, then after the fifth attempt the request is Closed Incomplete with the reason, and nothing more is scheduled', async () => {
    const change = s.h.change();
    const starts = s.h.aws.count('StartAutomationExecution');
    s.h.serviceNowDown(true);
    try {
      const ritm = await order(change.sysId);
      const ritmSysId = ritm['sys_id'] ?? '';
      for (let attempt = 2; attempt <= 5; attempt++) {
        const [next] = s.sn.events;
        expect(next?.processOn).toBeGreaterThan(s.h.clock.now().getTime());
        expect(await s.sn.processEvents(next?.processOn ?? 0)).toBe(1);
      }
      const sent = s.sn.requests.filter((r) => r.headers['Idempotency-Key'] === ritmSysId);
      expect(sent.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(s.sn.events).toHaveLength(0);
      expect(ritmOf(ritmSysId)['state']).toBe('4');
      expect(notes('sc_req_item', ritmSysId).at(-1)).toContain('no success after 5 attempts');
      expect(s.h.aws.count('StartAutomationExecution')).toBe(starts);
    } finally {
      s.h.serviceNowDown(false);
    }
  });

  it('when the API is reached with an OAuth 2.0 client-credentials token instead of a signature, then the run starts the same way', async () => {
    s.sn.properties['x_pbridge.api.auth'] = 'oauth2';
    s.sn.properties['x_pbridge.api.oauth_profile'] = '5b3f0c1e2d4a4f6b8c9d0e1f2a3b4c5d';
    try {
      const change = s.h.change();
      const starts = s.h.aws.count('StartAutomationExecution');
      const ritm = await order(change.sysId, { patch_groups: 'db-prod', operation: 'Scan' });

      const call = s.sn.requests.at(-1);
      expect(call?.status).toBe(202);
      expect(call?.headers['Authorization']).toMatch(/^Bearer ey/);
      expect(call?.headers['X-Patchbridge-Signature']).toBeUndefined();
      expect(s.h.aws.count('StartAutomationExecution')).toBe(starts + 1);
      expect(runRecordOf(ritm['sys_id'] ?? '')).toHaveLength(1);
    } finally {
      delete s.sn.properties['x_pbridge.api.auth'];
      delete s.sn.properties['x_pbridge.api.oauth_profile'];
    }
  });
});

describe('journey 1 under patchbridge rate limits', () => {
  let limited: Setup;
  beforeAll(async () => {
    limited = await setup({ rateLimitPerMinute: 2 });
  }, 60_000);
  afterAll(() => teardown(limited));

  it('when patchbridge answers 429 with Retry-After, then the retry is scheduled for exactly that time, with the same Idempotency-Key, and succeeds once the budget refills', async () => {
    const { h, sn } = limited;
    // Another caller of the same key used this minute's budget.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${limited.server.url}/v1/patch-runs`, { headers: { 'x-patchbridge-signature': h.sign('GET', '/v1/patch-runs') } });
      expect(res.status).toBe(200);
    }
    const change = h.change();
    const starts = h.aws.count('StartAutomationExecution');

    const ritm = await sn.order(ITEM, { change_request: change.sysId, account_id: ACCOUNT, region: REGION, patch_groups: 'web-prod', operation: 'Scan' });

    const first = sn.requests.at(-1);
    expect(first?.status).toBe(429);
    const [event] = sn.events;
    const retryAfter = Number(
      (await fetch(`${limited.server.url}/v1/patch-runs`, { headers: { 'x-patchbridge-signature': h.sign('GET', '/v1/patch-runs') } })).headers.get('retry-after'),
    );
    expect(retryAfter).toBeGreaterThan(0);
    expect(event?.processOn).toBe(h.clock.now().getTime() + retryAfter * 1000);
    expect(h.aws.count('StartAutomationExecution')).toBe(starts);

    await h.clock.advance(retryAfter * 1000);
    expect(await sn.processEvents(h.clock.now().getTime())).toBe(1);

    const retry = sn.requests.at(-1);
    expect(retry?.status).toBe(202);
    expect(retry?.headers['Idempotency-Key']).toBe(ritm['sys_id']);
    expect(retry?.body).toBe(first?.body);
    expect(h.aws.count('StartAutomationExecution')).toBe(starts + 1);
  });
});

describe('journey 1 when patchbridge requires the change to cover what is patched (PATCHBRIDGE_CHANGE_SCOPE=affected-cis)', () => {
  let scoped: Setup;
  beforeAll(async () => {
    scoped = await setup({ changeScope: 'affected-cis' });
  }, 60_000);
  afterAll(() => teardown(scoped));

  function orderInstances(changeSysId: string, ciSysIds: readonly string[], addAffectedCis: boolean) {
    return scoped.sn.order(ITEM, {
      change_request: changeSysId,
      account_id: ACCOUNT,
      region: REGION,
      target_type: 'instances',
      instances: ciSysIds.join(','),
      add_affected_cis: String(addAffectedCis),
      operation: 'Scan',
    });
  }

  it("when the person ticks 'add the targeted instances to the affected CIs', then the change covers them and the run starts", async () => {
    const { h } = scoped;
    const change = h.change();
    const picked = h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === 'db-prod').slice(0, 2);
    const cis = h.sn.seed.cisForInstances(picked.map((i) => i.instanceId));
    const starts = h.aws.count('StartAutomationExecution');

    const ritm = await orderInstances(change.sysId, cis.map((c) => c['sys_id'] ?? ''), true);

    expect(scoped.sn.requests.at(-1)?.status).toBe(202);
    expect(h.aws.count('StartAutomationExecution')).toBe(starts + 1);
    expect(h.sn.state.get('sc_req_item', ritm['sys_id'] ?? '')?.['state']).toBe('2');
  });

  it('when the targeted instances are not affected CIs of the change, then patchbridge refuses with 403 CHANGE_SCOPE_MISMATCH, nothing reaches SSM, and the request says so', async () => {
    const { h } = scoped;
    const change = h.change();
    const picked = h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === 'app-staging').slice(0, 1);
    const cis = h.sn.seed.cisForInstances(picked.map((i) => i.instanceId));
    const starts = h.aws.count('StartAutomationExecution');

    const ritm = await orderInstances(change.sysId, cis.map((c) => c['sys_id'] ?? ''), false);

    expect(scoped.sn.requests.at(-1)?.status).toBe(403);
    expect(h.aws.count('StartAutomationExecution')).toBe(starts);
    expect(h.sn.state.get('sc_req_item', ritm['sys_id'] ?? '')?.['state']).toBe('4');
    const notes = h.sn.state.journal('sc_req_item', ritm['sys_id'] ?? '').map((j) => j.value).join('\n');
    expect(notes).toContain('patchbridge refused the patch run: HTTP 403 CHANGE_SCOPE_MISMATCH');
    expect(notes).toContain(picked[0]?.instanceId);
  });
});
