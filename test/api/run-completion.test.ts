/**
 * What a finished ad hoc run leaves on its change: the completion note with the
 * targeted instances' compliance before and after the run (read from the AWS
 * simulator), and, when PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE is on, a suggested
 * close code that never overwrites a person's choice.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceStatus, patchCountsOf } from '../../src/domain/index.js';
import { ACCOUNT, createHarness, type Harness, REGION } from './harness.js';

function harness(options: { suggestCloseCode?: boolean }) {
  const box: { h?: Harness } = {};
  beforeAll(async () => {
    box.h = await createHarness(options);
  });
  afterAll(async () => {
    await box.h?.close();
  });
  return () => box.h!;
}

async function runToEnd(h: Harness, changeNumber: string, targets: unknown, extra: Record<string, string> = {}): Promise<string> {
  const text = JSON.stringify({ changeRequest: changeNumber, accountId: ACCOUNT, region: REGION, targets, operation: 'Install', ...extra });
  h.events.length = 0;
  const res = await request(h.app).post('/v1/patch-runs').set('content-type', 'application/json').set('x-patchbridge-signature', h.sign('POST', '/v1/patch-runs', text)).send(text);
  expect(res.status).toBe(202);
  await h.aws.settle();
  for (const event of h.events) await h.patchRuns.recordPatchRunProgress(event);
  await h.worker.drain();
  return res.body.id as string;
}

/** Compliance of instances as SSM reports it now: [compliant, non-compliant, not reported]. */
async function compliance(h: Harness, ids: readonly string[]): Promise<[number, number, number]> {
  const states = new Map((await h.awsPorts.inventory.describePatchStates({ accountId: ACCOUNT, region: REGION }, ids)).map((s) => [s.instanceId, s]));
  const statuses = ids.map((id) => complianceStatus(states.has(id) ? patchCountsOf(states.get(id)!) : undefined));
  return [statuses.filter((s) => s === 'COMPLIANT').length, statuses.filter((s) => s === 'NON_COMPLIANT').length, statuses.filter((s) => s === 'UNREPORTED').length];
}

const group = (h: Harness, name: string) => h.aws.fleet.instances.filter((i) => i.tags['Patch Group'] === name).map((i) => i.instanceId);
const notes = (h: Harness, sysId: string) => h.sn.state.journal('change_request', sysId).map((j) => j.value);

describe('the completion note', () => {
  const h = harness({ suggestCloseCode: true });

  it('when an Install run finishes, then the change note gives the targeted instances\u2019 compliance before and after the run', async () => {
    const ids = group(h(), 'db-prod');
    const [c0, n0, u0] = await compliance(h(), ids);
    expect(n0 + u0, 'the seeded fleet has db-prod instances that need patches').toBeGreaterThan(0);
    const change = h().change();
    const runId = await runToEnd(h(), change.number, { patchGroups: ['db-prod'] });
    const [c1, n1, u1] = await compliance(h(), ids);
    expect([c1, n1, u1]).toEqual([ids.length, 0, 0]);
    const finished = notes(h(), change.sysId).find((n) => n.includes(`ad hoc patch run ${runId}`) && n.includes('finished'));
    expect(finished).toContain(
      `Patch compliance of the targeted instances: before the run ${c0} compliant, ${n0} non-compliant, ${u0} not reported; after it ${c1} compliant, 0 non-compliant, 0 not reported.`,
    );
    expect((await h().store.getPatchRun(runId))?.complianceBefore).toEqual({ compliant: c0, nonCompliant: n0, unreported: u0 });
  });

  it('when every instance was patched and the change has no close code, then close_code is suggested as successful with the run summary as close notes', async () => {
    const change = h().change();
    await runToEnd(h(), change.number, { patchGroups: ['web-prod'] });
    const record = h().sn.state.get('change_request', change.sysId)!;
    expect(record['close_code']).toBe('successful');
    expect(record['close_notes']).toMatch(/^patchbridge: ad hoc patch run .* finished with status Success\.\nInstances: \d+ targeted, \d+ succeeded, 0 failed/);
    expect(record['state'], 'the change is not closed by patchbridge').toBe('-1');
  });

  it('when one instance fails and the others are patched, then the suggestion is successful_issues', async () => {
    const [bad, ...rest] = group(h(), 'app-staging');
    expect(rest.length).toBeGreaterThan(0);
    h().aws.fleet.byId.get(bad!)!.forcedOutcome = 'Failed';
    try {
      const change = h().change();
      await runToEnd(h(), change.number, { patchGroups: ['app-staging'] }, { maxErrors: '100%', maxConcurrency: '100%' });
      expect(h().sn.state.get('change_request', change.sysId)!['close_code']).toBe('successful_issues');
    } finally {
      delete h().aws.fleet.byId.get(bad!)!.forcedOutcome;
    }
  });

  it('when someone already chose a close code or wrote close notes, then patchbridge leaves them as they are', async () => {
    const change = h().change();
    h().setChange(change.sysId, { close_code: 'unsuccessful', close_notes: 'Backed out by the CAB.' });
    await runToEnd(h(), change.number, { patchGroups: ['web-prod'] });
    expect(h().sn.state.get('change_request', change.sysId)).toMatchObject({ close_code: 'unsuccessful', close_notes: 'Backed out by the CAB.' });
    const other = h().change();
    h().setChange(other.sysId, { close_notes: 'Written by hand.' });
    await runToEnd(h(), other.number, { patchGroups: ['web-prod'] });
    expect(h().sn.state.get('change_request', other.sysId)).toMatchObject({ close_code: 'successful', close_notes: 'Written by hand.' });
  });
});

describe('without PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE', () => {
  const h = harness({});

  it('when a run finishes, then the change gets its note and its close code stays empty', async () => {
    const change = h().change();
    const runId = await runToEnd(h(), change.number, { patchGroups: ['web-prod'] });
    expect(notes(h(), change.sysId).some((n) => n.includes(`ad hoc patch run ${runId}`) && n.includes('Patch compliance of the targeted instances'))).toBe(true);
    expect(h().sn.state.get('change_request', change.sysId)!['close_code']).toBe('');
  });
});
