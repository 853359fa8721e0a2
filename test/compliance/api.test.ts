import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComplianceHarness, createComplianceHarness } from './support/api-harness.js';

describe('compliance API', () => {
  let h: ComplianceHarness;
  beforeAll(async () => {
    h = await createComplianceHarness({ historyDays: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    return request(h.app)
      .post('/v1/compliance/reports')
      .set({ 'content-type': 'application/json', 'x-patchbridge-signature': h.sign('POST', '/v1/compliance/reports', text), ...headers })
      .send(text);
  };
  const get = (path: string) => request(h.app).get(path).set('x-patchbridge-signature', h.sign('GET', path));
  const conforms = (operationId: string, res: request.Response) => h.validator.validateResponse(operationId, res.status, res.headers['content-type'], res.body);

  it('when a report is asked for, then it answers 202 with Location, and once built the report has a summary and links', async () => {
    // Act
    const created = await post({ period: { days: 7 }, formats: ['csv', 'html'] });
    // Assess
    expect(created.status).toBe(202);
    expect(created.headers['location']).toBe(`/v1/compliance/reports/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'queued', request: { period: { days: 7, end: '2026-03-31' }, formats: ['csv', 'html'], trigger: 'api' }, files: [] });
    expect(conforms('createComplianceReport', created)).toEqual([]);
    await h.worker.drain();
    const read = await get(created.headers['location'] ?? '');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'succeeded', summary: { period: { start: '2026-03-25', end: '2026-03-31', days: 7 }, live: true, fleet: { instances: 40 } } });
    expect(read.body.files.map((f: { name: string }) => f.name)).toEqual(['compliance-report.csv', 'compliance-report.html']);
    expect(conforms('getComplianceReport', read)).toEqual([]);
  });

  it('when the same Idempotency-Key is sent twice with the same body, then the same report is answered and only one is queued', async () => {
    const before = (await h.store.listReportJobs({ limit: 100 })).items.length;
    const first = await post({ period: { days: 3 } }, { 'idempotency-key': 'report-once-1' });
    const second = await post({ period: { days: 3 } }, { 'idempotency-key': 'report-once-1' });
    const reused = await post({ period: { days: 4 } }, { 'idempotency-key': 'report-once-1' });
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(reused.status).toBe(422);
    expect((await h.store.listReportJobs({ limit: 100 })).items.length).toBe(before + 1);
  });

  it.each([
    ['an unknown format', { formats: ['pdf'] }],
    ['a period of 0 days', { period: { days: 0 } }],
    ['a malformed requested item', { requestedItem: 'REQ0001' }],
    ['an unknown field', { colour: 'blue' }],
    ['a period ending in the future', { period: { end: '2026-04-02' } }],
  ])('when the body has %s, then it is refused with 400 VALIDATION_FAILED', async (_what, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('when the caller is not authenticated, then every route but the signed download is 401', async () => {
    for (const res of [
      await request(h.app).post('/v1/compliance/reports').send({}),
      await request(h.app).get('/v1/compliance/reports'),
      await request(h.app).get('/v1/compliance/summary'),
    ]) {
      expect(res.status).toBe(401);
    }
  });

  it('when reports are listed, then the newest comes first and pages follow the cursor', async () => {
    // Later than every report the other tests asked for.
    h.clock.set('2026-03-31T06:10:00Z');
    const a = await post({ period: { days: 1 } });
    h.clock.set('2026-03-31T06:11:00Z');
    const b = await post({ period: { days: 2 } });
    const page1 = await get('/v1/compliance/reports?limit=1');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([b.body.id]);
    expect(conforms('listComplianceReports', page1)).toEqual([]);
    const page2 = await get(`/v1/compliance/reports?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
  });

  it('when an unknown report is read, then it is 404 REPORT_NOT_FOUND', async () => {
    const res = await get('/v1/compliance/reports/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'REPORT_NOT_FOUND' });
  });

  it('when the live summary is asked twice within a minute, then SSM is read once and the answer is per patch group', async () => {
    const pagesBefore = h.aws.count('DescribeInstanceInformation');
    const first = await get('/v1/compliance/summary');
    const pagesAfterFirst = h.aws.count('DescribeInstanceInformation');
    const second = await get('/v1/compliance/summary');
    expect(first.status).toBe(200);
    expect(conforms('getComplianceSummary', first)).toEqual([]);
    expect(first.body.fleet.instances).toBe(40);
    expect(first.body.byPatchGroup.map((g: { key: string }) => g.key)).toEqual(expect.arrayContaining(['db-prod', 'web-prod']));
    expect(first.body.byPatchGroup.reduce((n: number, g: { instances: number }) => n + g.instances, 0)).toBe(40);
    expect(pagesAfterFirst).toBeGreaterThan(pagesBefore);
    expect(h.aws.count('DescribeInstanceInformation')).toBe(pagesAfterFirst);
    expect(second.body).toEqual(first.body);
    await h.clock.advance(61_000);
    await get('/v1/compliance/summary');
    expect(h.aws.count('DescribeInstanceInformation')).toBeGreaterThan(pagesAfterFirst);
  });
});
