import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/domain/index.js';
import { type ComplianceHarness, type ComplianceHarnessOptions, createComplianceHarness, PUBLIC_URL, REPORTS_TOPIC, TODAY } from './support/api-harness.js';

const harnesses: ComplianceHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harness(options: ComplianceHarnessOptions = {}): Promise<ComplianceHarness> {
  const h = await createComplianceHarness(options);
  harnesses.push(h);
  return h;
}

/** Queues a report, lets the outbox worker run it, and returns the finished job view. */
async function runReport(h: ComplianceHarness, input: Record<string, unknown> = {}) {
  const job = await h.reports.request(input, 'api');
  await h.worker.drain();
  return h.reports.get(job.id);
}

describe('report delivery: files and S3 presigned links', () => {
  it.each([
    [3600, 3600],
    [604_800, 604_800],
    [2 * 604_800, 604_800],
  ])('when the link lifetime is %i s, then each presigned URL says X-Amz-Expires=%i and the report files sit under reports/', async (ttl, expected) => {
    // Prepare
    const h = await harness({ links: 's3', linkTtlSeconds: ttl });
    // Act
    const view = await runReport(h);
    // Assess
    expect(view.status).toBe('succeeded');
    expect(view.files.map((f) => f.name)).toEqual(['compliance-report.csv', 'compliance-report.html', 'compliance-summary.json']);
    for (const f of view.files) {
      const url = new URL(f.url ?? '');
      expect(url.hostname).toBe('acme-patchbridge.s3.eu-west-1.amazonaws.com');
      expect(decodeURIComponent(url.pathname)).toBe(`/prod/reports/dt=${TODAY}/${view.id}/${f.name}`);
      expect(url.searchParams.get('X-Amz-Expires')).toBe(String(expected));
      expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(Date.parse(f.expiresAt ?? '') - h.clock.now().getTime()).toBe(expected * 1000);
      expect((await h.blobs.head(`reports/dt=${TODAY}/${view.id}/${f.name}`))?.size).toBeGreaterThan(0);
    }
  });
});

describe('report delivery: SNS', () => {
  it('when a report is built, then one SNS message with the summary and the links goes to the reports topic', async () => {
    const h = await harness({ links: 's3', linkTtlSeconds: 3600 });
    const view = await runReport(h);
    await h.aws.sinks.settled();
    const published = h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC);
    expect(published).toHaveLength(1);
    const [message] = published;
    const summary = view.summary as { fleet: { compliancePct: number; compliant: number; instances: number } };
    expect(message?.envelope.Subject).toBe(`Patch compliance ${TODAY}: ${summary.fleet.compliancePct.toFixed(1)}% (${summary.fleet.compliant}/${summary.fleet.instances} instances)`);
    expect(message?.message).toContain(`Fleet: ${summary.fleet.compliancePct.toFixed(1)}% compliant, ${summary.fleet.compliant} of ${summary.fleet.instances} instances.`);
    for (const f of view.files) expect(message?.message).toContain(new URL(f.url ?? '').pathname);
    expect(message?.message).toContain('X-Amz-Expires=3600');
    expect(message?.message).toContain(`Report id: ${view.id}`);
  });

  it('when the same report is run again, then nothing is published twice', async () => {
    const h = await harness();
    const view = await runReport(h);
    await h.reports.run(view.id);
    await h.aws.sinks.settled();
    expect(h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
  });

  it('when an earlier attempt died while publishing, then a later run publishes once its claim has lapsed', async () => {
    // Prepare: the publish fails and the process "dies" before it can release its claim.
    const h = await harness();
    const job = await h.reports.request({}, 'api');
    h.aws.injectFault('Publish', { name: 'InternalError', status: 500, times: 2 });
    const release = h.store.release.bind(h.store);
    h.store.release = async (key, owner) => {
      if (key === `report:${job.id}:sns`) throw new Error('process died');
      return release(key, owner);
    };
    await h.reports.run(job.id).catch(() => undefined);
    h.store.release = release;
    await h.aws.sinks.settled();
    const afterCrash = h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC).length;

    // Act
    await h.clock.advance(16 * 60_000);
    await h.reports.run(job.id);
    await h.reports.run(job.id);
    await h.aws.sinks.settled();

    // Assess
    expect(afterCrash).toBe(0);
    expect(h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
  });
});

describe('report delivery: ServiceNow requested item', () => {
  it('when a requested item asked for the report, then the CSV and HTML are attached to it and a work note carries the summary', async () => {
    // Prepare
    const h = await harness();
    const ritm = h.sn.seed.requestedItem();
    const number = String(ritm['number']);
    const sysId = String(ritm['sys_id']);
    // Act
    const view = await runReport(h, { requestedItem: number, formats: ['csv', 'html', 'json'] });
    // Assess
    expect(view.status).toBe('succeeded');
    const attachments = h.sn.state.attachments({ table: 'sc_req_item', sysId });
    expect(attachments.map((a) => a.meta['file_name']).sort()).toEqual(['compliance-report.csv', 'compliance-report.html']);
    const csv = attachments.find((a) => a.meta['file_name'] === 'compliance-report.csv');
    const rows: string[][] = parse(csv?.data.toString('utf8') ?? '');
    expect(rows[0]).toEqual(REPORT_COLUMNS.map(([name]) => name));
    expect(rows).toHaveLength(41);
    const html = attachments.find((a) => a.meta['file_name'] === 'compliance-report.html');
    expect(html?.data.toString('utf8')).toContain('<svg id="trend-chart"');
    const notes = h.sn.state.journal('sc_req_item', sysId, 'work_notes');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.value).toContain(`Patch compliance report`);
    expect(notes[0]?.value).toContain(`${PUBLIC_URL}/v1/compliance/reports/${view.id}/files/compliance-report.csv?expires=`);
  });

  it('when the instance refuses .html attachments, then the CSV is attached and the work note says where the HTML report is instead', async () => {
    // Prepare: a hardened instance (glide.attachment.extensions without html).
    const h = await harness();
    h.sn.configure({ blockedAttachmentExtensions: ['html', 'htm'] });
    const ritm = h.sn.seed.requestedItem();
    const sysId = String(ritm['sys_id']);
    // Act
    const view = await runReport(h, { requestedItem: String(ritm['number']), formats: ['csv', 'html'] });
    // Assess
    expect(view.status).toBe('succeeded');
    expect(view.error).toBeUndefined();
    expect(h.sn.state.attachments({ table: 'sc_req_item', sysId }).map((a) => a.meta['file_name'])).toEqual(['compliance-report.csv']);
    const notes = h.sn.state.journal('sc_req_item', sysId, 'work_notes').map((n) => n.value);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/compliance-report\.html was not attached/);
    expect(notes[0]).toContain(`${PUBLIC_URL}/v1/compliance/reports/${view.id}/files/compliance-report.html?expires=`);
  });

  it('when the requested item is given by sys_id and the job runs twice, then it is attached once', async () => {
    const h = await harness();
    const ritm = h.sn.seed.requestedItem();
    const sysId = String(ritm['sys_id']);
    const view = await runReport(h, { requestedItem: sysId, formats: ['csv'] });
    await h.reports.run(view.id);
    expect(h.sn.state.attachments({ table: 'sc_req_item', sysId }).map((a) => a.meta['file_name'])).toEqual(['compliance-report.csv']);
    expect(h.sn.state.journal('sc_req_item', sysId, 'work_notes')).toHaveLength(1);
  });

  it('when the requested item does not exist, then the report still succeeds and SNS is sent, with the delivery error noted', async () => {
    const h = await harness();
    const view = await runReport(h, { requestedItem: 'RITM9999999' });
    await h.aws.sinks.settled();
    expect(view.status).toBe('succeeded');
    expect(view.error).toMatch(/RITM9999999 does not exist/);
    expect(h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
  });

  it('when ServiceNow is down, then the report is kept and the attachment is delivered on a later retry', async () => {
    const h = await harness();
    const ritm = h.sn.seed.requestedItem();
    const sysId = String(ritm['sys_id']);
    h.sn.configure({ outages: [{ from: 0, to: 8.64e15 }] });
    const job = await h.reports.request({ requestedItem: sysId, formats: ['csv'] }, 'api');
    const first = await h.worker.drain();
    expect(first.retried).toBe(1);
    expect((await h.reports.get(job.id)).status).toBe('succeeded');
    h.sn.configure({ outages: [] });
    await h.clock.advance(3_600_000);
    await h.worker.drain();
    expect(h.sn.state.attachments({ table: 'sc_req_item', sysId })).toHaveLength(1);
    await h.aws.sinks.settled();
    expect(h.aws.sinks.published.filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
  });
});

describe('report delivery: standalone signed links', () => {
  async function linkOf(h: ComplianceHarness, name: string): Promise<string> {
    const view = await runReport(h);
    const url = view.files.find((f) => f.name === name)?.url ?? '';
    expect(url.startsWith(`${PUBLIC_URL}/v1/compliance/reports/${view.id}/files/${name}?expires=`)).toBe(true);
    return url.slice(PUBLIC_URL.length);
  }

  it('when a fresh link is followed, then the file is served as stored, as an attachment', async () => {
    const h = await harness({ linkTtlSeconds: 3600 });
    const path = await linkOf(h, 'compliance-report.csv');
    const res = await request(h.app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="compliance-report.csv"');
    const rows: string[][] = parse(res.text);
    expect(rows).toHaveLength(41);
  });

  it('when the HTML link is followed, then it is served inline with a CSP that forbids loading anything', async () => {
    const h = await harness({ linkTtlSeconds: 3600 });
    const res = await request(h.app).get(await linkOf(h, 'compliance-report.html'));
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('inline; filename="compliance-report.html"');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('when the link is used after it expires, then it is refused with 410 LINK_EXPIRED', async () => {
    const h = await harness({ linkTtlSeconds: 3600 });
    const path = await linkOf(h, 'compliance-report.csv');
    await h.clock.advance(3600_000);
    const res = await request(h.app).get(path);
    expect(res.status).toBe(410);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 410, code: 'LINK_EXPIRED' });
  });

  it.each([
    ['its expiry pushed back a day', (u: URL) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 86_400))],
    ['its signature changed', (u: URL) => u.searchParams.set('sig', `${u.searchParams.get('sig')?.slice(0, -2)}AA`)],
    ['its signature removed', (u: URL) => u.searchParams.delete('sig')],
    [
      'another file name',
      (u: URL) => {
        u.pathname = u.pathname.replace('compliance-report.csv', 'compliance-summary.json');
      },
    ],
  ])('when the link has %s, then it is refused with 403 LINK_INVALID', async (_what, tamper) => {
    const h = await harness({ linkTtlSeconds: 3600 });
    const url = new URL(`http://x${await linkOf(h, 'compliance-report.csv')}`);
    tamper(url);
    const res = await request(h.app).get(`${url.pathname}${url.search}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, code: 'LINK_INVALID' });
  });
});
