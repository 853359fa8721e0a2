/**
 * PATCHBRIDGE_CHANGE_SCOPE over the real API: the change is read from the ServiceNow
 * simulator (its affected CIs from `task_ci`, the instances' CIs from the CMDB), the
 * patch groups are resolved by the AWS simulator, and a run outside the scope never
 * reaches SSM.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeScopeMode } from '../../src/domain/index.js';
import { ACCOUNT, createHarness, type Harness, REGION } from './harness.js';

function harnessFor(mode: ChangeScopeMode | undefined) {
  const box: { h?: Harness } = {};
  beforeAll(async () => {
    box.h = await createHarness(mode ? { changeScope: mode } : {});
  });
  afterAll(async () => {
    await box.h?.close();
  });
  return () => box.h!;
}

function post(h: Harness, body: unknown) {
  const text = JSON.stringify(body);
  return request(h.app)
    .post('/v1/patch-runs')
    .set('content-type', 'application/json')
    .set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', text))
    .send(text);
}

function runBody(changeRequest: string, targets: unknown) {
  return { changeRequest, accountId: ACCOUNT, region: REGION, targets, operation: 'Install' };
}

/** Instance ids of a patch group in the AWS simulator's fleet. */
function group(h: Harness, name: string): string[] {
  return h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === name).map((i) => i.instanceId);
}

/** A CMDB CI for each instance (as the cloud connector discovers them); returns instance id → CI sys_id. */
function cis(h: Harness, instanceIds: readonly string[]): Map<string, string> {
  return new Map(h.sn.seed.cisForInstances(instanceIds).map((ci) => [String(ci['object_id']), String(ci['sys_id'])]));
}

/** Links CIs to a change as affected CIs (`task_ci`). */
function affect(h: Harness, changeSysId: string, ciSysIds: readonly string[]): void {
  for (const ci of ciSysIds) h.sn.seed.record('task_ci', { task: changeSysId, ci_item: ci });
}

/** Asserts a refusal: 403 problem+json `CHANGE_SCOPE_MISMATCH`, nothing started, nothing stored. */
async function expectRefused(h: Harness, res: request.Response, named: readonly string[]) {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('CHANGE_SCOPE_MISMATCH');
  for (const target of named) expect(res.body.detail).toContain(target);
  expect(h.validator.validateResponse('createPatchRun', res.status, res.headers['content-type'], res.body)).toEqual([]);
}

describe('PATCHBRIDGE_CHANGE_SCOPE=affected-cis', () => {
  const h = harnessFor('affected-cis');

  it('when every targeted instance is an affected CI of the change, then 202 and the runbook starts', async () => {
    const ids = group(h(), 'db-prod').slice(0, 2);
    const change = h().change();
    affect(h(), change.sysId, [...cis(h(), ids).values()]);
    const before = h().aws.count('StartAutomationExecution');
    const res = await post(h(), runBody(change.number, { instanceIds: ids }));
    expect(res.status).toBe(202);
    expect(h().aws.count('StartAutomationExecution')).toBe(before + 1);
  });

  it('when one targeted instance is not an affected CI, then 403 CHANGE_SCOPE_MISMATCH names it and nothing reaches SSM or the store', async () => {
    const [inside, outside] = group(h(), 'web-prod');
    const change = h().change();
    const ciOf = cis(h(), [inside!, outside!]);
    affect(h(), change.sysId, [ciOf.get(inside!)!]);
    const before = h().aws.count('StartAutomationExecution');
    const runsBefore = (await h().store.listPatchRuns({ limit: 100 })).items.length;
    const res = await post(h(), runBody(change.number, { instanceIds: [inside!, outside!] }));
    await expectRefused(h(), res, [outside!]);
    expect(res.body.detail).not.toContain(inside!);
    expect(h().aws.count('StartAutomationExecution')).toBe(before);
    expect((await h().store.listPatchRuns({ limit: 100 })).items).toHaveLength(runsBefore);
  });

  it("when the instance is the change's own CI (cmdb_ci) rather than a task_ci row, then it is covered", async () => {
    const [id] = group(h(), 'app-staging');
    const change = h().change();
    h().setChange(change.sysId, { cmdb_ci: cis(h(), [id!]).get(id!)! });
    const res = await post(h(), runBody(change.number, { instanceIds: [id!] }));
    expect(res.status).toBe(202);
  });

  it('when an instance has no CI in the CMDB at all, then it is not covered', async () => {
    const known = new Set(h().sn.state.records('cmdb_ci_vm_instance').map((ci) => ci['object_id']));
    const id = h().aws.fleet.instances.map((i) => i.instanceId).find((i) => !known.has(i));
    expect(id).toBeDefined();
    const change = h().change();
    const res = await post(h(), runBody(change.number, { instanceIds: [id!] }));
    await expectRefused(h(), res, [id!]);
  });

  it('when the targets are a patch group, then its instances are resolved in AWS and each must be an affected CI', async () => {
    const members = group(h(), 'web-prod');
    expect(members.length).toBeGreaterThan(1);
    const ciOf = cis(h(), members);
    const partial = h().change();
    affect(h(), partial.sysId, members.slice(1).map((id) => ciOf.get(id)!));
    const before = h().aws.count('StartAutomationExecution');
    await expectRefused(h(), await post(h(), runBody(partial.number, { patchGroups: ['web-prod'] })), [members[0]!]);
    expect(h().aws.count('StartAutomationExecution')).toBe(before);

    const full = h().change();
    affect(h(), full.sysId, members.map((id) => ciOf.get(id)!));
    const res = await post(h(), runBody(full.number, { patchGroups: ['web-prod'] }));
    expect(res.status).toBe(202);
    expect(h().aws.count('StartAutomationExecution')).toBe(before + 1);
  });

  it('when the targets match no managed instance, then the run is refused rather than started unchecked', async () => {
    const change = h().change();
    const res = await post(h(), runBody(change.number, { patchGroups: ['no-such-group'] }));
    await expectRefused(h(), res, []);
    expect(res.body.detail).toMatch(/match no managed instance/);
  });

  it('when an ACL hides the change\'s task_ci rows from the integration user, then the instances count as uncovered (fail closed)', async () => {
    const [id] = group(h(), 'db-prod');
    const change = h().change();
    affect(h(), change.sysId, [cis(h(), [id!]).get(id!)!]);
    const knobs = h().sn.knobs;
    h().sn.configure({ ...knobs, aclHidden: { table: 'task_ci', field: 'task', value: change.sysId } });
    try {
      await expectRefused(h(), await post(h(), runBody(change.number, { instanceIds: [id!] })), [id!]);
    } finally {
      h().sn.configure(knobs);
    }
    expect((await post(h(), runBody(change.number, { instanceIds: [id!] }))).status).toBe(202);
  });

  it("when another change's affected CIs cover the instance, then they do not count for this change", async () => {
    const [id] = group(h(), 'db-prod');
    const other = h().change();
    affect(h(), other.sysId, [cis(h(), [id!]).get(id!)!]);
    const change = h().change();
    await expectRefused(h(), await post(h(), runBody(change.number, { instanceIds: [id!] })), [id!]);
  });
});

describe('PATCHBRIDGE_CHANGE_SCOPE=patch-groups', () => {
  const h = harnessFor('patch-groups');

  it("when the change's description names the patch group as a word, then 202", async () => {
    const change = h().change();
    h().setChange(change.sysId, { description: 'Monthly patching of web-prod, db-prod.' });
    const res = await post(h(), runBody(change.number, { patchGroups: ['web-prod', 'db-prod'] }));
    expect(res.status).toBe(202);
  });

  it('when an affected CI is named after the patch group, then 202', async () => {
    const change = h().change();
    const ci = h().sn.seed.record('cmdb_ci_service', { name: 'app-staging' });
    affect(h(), change.sysId, [String(ci['sys_id'])]);
    const res = await post(h(), runBody(change.number, { tags: [{ key: 'Patch Group', values: ['app-staging'] }] }));
    expect(res.status).toBe(202);
  });

  it('when the description only names a longer group ("web-prod-eu" for web-prod), then 403 names web-prod and nothing starts', async () => {
    const change = h().change();
    h().setChange(change.sysId, { short_description: 'Patch web-prod-eu and db-prod', description: '' });
    const before = h().aws.count('StartAutomationExecution');
    const res = await post(h(), runBody(change.number, { patchGroups: ['db-prod', 'web-prod'] }));
    await expectRefused(h(), res, ['web-prod']);
    expect(res.body.detail).toContain('1 of 2');
    expect(h().aws.count('StartAutomationExecution')).toBe(before);
  });

  it('when the targets are instances, then each must be an affected CI, whatever the description says', async () => {
    const [id] = group(h(), 'web-prod');
    const change = h().change();
    h().setChange(change.sysId, { description: `web-prod ${id}` });
    await expectRefused(h(), await post(h(), runBody(change.number, { instanceIds: [id!] })), [id!]);
    affect(h(), change.sysId, [cis(h(), [id!]).get(id!)!]);
    expect((await post(h(), runBody(change.number, { instanceIds: [id!] }))).status).toBe(202);
  });
});

describe('PATCHBRIDGE_CHANGE_SCOPE=none (default)', () => {
  const h = harnessFor(undefined);

  it('when the change names no CI and no group, then an approved change still starts the run', async () => {
    const [id] = group(h(), 'web-prod');
    const change = h().change();
    const res = await post(h(), runBody(change.number, { instanceIds: [id!] }));
    expect(res.status).toBe(202);
  });
});
