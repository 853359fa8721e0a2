import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { ComplianceReports, LiveSummary } from '../../flows/compliance/index.js';
import type { Authenticator } from '../auth/index.js';
import type { Idempotency } from '../idempotency.js';
import { validated } from '../validation/index.js';

export interface ComplianceRoutesDeps {
  readonly reports: Pick<ComplianceReports, 'request' | 'get' | 'list' | 'openSignedFile'>;
  /** The cached live summary (`createLiveSummary`). */
  readonly liveSummary: () => Promise<LiveSummary>;
  readonly auth: Pick<Authenticator, 'authorize'>;
  readonly idempotency: Pick<Idempotency, 'handle'>;
}

// Downloaded HTML is served from our own origin: it must not run or load anything.
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * `/v1/compliance/*`: request reports, read them, download their files through
 * signed links (standalone), and the live summary. Every route but the signed
 * download needs `compliance:read`; the download link's signature is its credential.
 */
export function complianceRoutes(deps: ComplianceRoutesDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const read = deps.auth.authorize;

  router.post(
    '/v1/compliance/reports',
    read,
    deps.idempotency.handle('createComplianceReport', async (req) => {
      const job = await deps.reports.request(req.body ?? {}, 'api');
      return { statusCode: 202, body: await deps.reports.get(job.id), headers: { location: `/v1/compliance/reports/${job.id}` } };
    }),
  );

  router.get('/v1/compliance/reports', read, async (_req, res) => {
    // The spec declares the page size's default (50) and bounds; the validator filled and checked it.
    const { limit = 50, cursor } = validated(res, 'listComplianceReports').query;
    res.json(await deps.reports.list({ limit, ...(cursor ? { cursor } : {}) }));
  });

  router.get('/v1/compliance/reports/:reportId', read, async (_req, res) => {
    res.json(await deps.reports.get(validated(res, 'getComplianceReport').params.reportId));
  });

  router.get('/v1/compliance/reports/:reportId/files/:fileName', async (_req, res) => {
    const { params, query } = validated(res, 'downloadComplianceReportFile');
    const { fileName } = params;
    const { body, contentType } = await deps.reports.openSignedFile(params.reportId, fileName, query.expires, query.sig);
    const html = contentType.startsWith('text/html');
    // fileName is one of the known report file names here: a signature over any other would not have matched.
    res.status(200).type(contentType).set('content-disposition', `${html ? 'inline' : 'attachment'}; filename="${fileName}"`);
    if (html) res.set('content-security-policy', HTML_CSP);
    await pipeline(body, res);
  });

  router.get('/v1/compliance/summary', read, async (_req, res) => {
    res.json(await deps.liveSummary());
  });

  return router;
}
