import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, createComplianceHarness, type ComplianceHarness, HMAC_KEY, REGION, REPORTS_TOPIC } from '../compliance/support/api-harness.js';
import { type ConnectedInstance, connectInstance, type Instance } from './instance.js';

// Journey 3 of scoped-app/README.md, "Ask for a compliance report", step by step:
// the report item's submit handler (the app's module, under the Glide stand-in,
// the ServiceNow simulator as the instance) asks a RUNNING patchbridge for the
// report; patchbridge builds it from the AWS simulator's inventory, publishes it
// to SNS and attaches the files and a summary to the requested item.

let h: ComplianceHarness;
let connected: ConnectedInstance;
let sn: Instance;
let server: ConnectedInstance['server'];

beforeAll(async () => {
  h = await createComplianceHarness();
  connected = await connectInstance({ app: h.app, sn: h.sn, clock: h.clock, key: HMAC_KEY });
  ({ sn, server } = connected);
}, 60_000);

afterAll(async () => {
  await connected?.close();
  await h?.close();
});

describe('journey 3: ask for a compliance report, find it attached to the request', () => {
  it('when a person orders the report item, then patchbridge queues the report for the request, builds it, publishes it and attaches the CSV and HTML with a summary note', async () => {
    // Step 1: order.
    const ritm = await sn.order('Request a patch compliance report', { accounts: ACCOUNT, regions: REGION, period_days: '7', format_json: 'false' });
    const sysId = ritm['sys_id'] ?? '';

    const call = sn.requests.at(-1);
    expect(call).toMatchObject({ method: 'POST', url: `${server.url}/v1/compliance/reports`, status: 202 });
    expect(call?.headers['Idempotency-Key']).toBe(sysId);
    expect(JSON.parse(call?.body ?? '{}')).toEqual({
      scope: { accounts: [ACCOUNT], regions: [REGION] },
      period: { days: 7 },
      formats: ['csv', 'html'],
      requestedItem: ritm['number'],
    });
    expect(h.sn.state.get('sc_req_item', sysId)?.['state']).toBe('2');
    const queued = h.sn.state.journal('sc_req_item', sysId).map((j) => j.value);
    expect(queued.join('\n')).toMatch(/patchbridge queued compliance report \S+ \(queued\)/);

    // Step 2: patchbridge builds it (its worker), publishes it in AWS and attaches it.
    await h.worker.drain();

    expect(h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
    const files = h.sn.state.attachments({ table: 'sc_req_item', sysId }).map((a) => a.meta['file_name']);
    expect(files.sort()).toEqual(['compliance-report.csv', 'compliance-report.html']);
    const notes = h.sn.state.journal('sc_req_item', sysId).map((j) => j.value);
    expect(notes.some((n) => n.includes('Patch compliance report'))).toBe(true);
  });

  it('when a region is malformed, then nothing is asked of patchbridge and the request fails saying why', async () => {
    const sent = sn.requests.length;
    const ritm = await sn.order('Request a patch compliance report', { regions: 'eu-west-1, Europe' });
    expect(sn.requests.length).toBe(sent);
    expect(h.sn.state.get('sc_req_item', ritm['sys_id'] ?? '')?.['state']).toBe('4');
    expect(h.sn.state.journal('sc_req_item', ritm['sys_id'] ?? '').map((j) => j.value).join('\n')).toContain('AWS region "Europe" must look like eu-west-1');
  });
});
