import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import type { ComplianceReports, LiveSummary } from '../../flows/compliance/index.js';
import type { Authenticator } from '../auth/index.js';
import type { Idempotency } from '../idempotency.js';
import { HttpProblem } from '../problem.js';

export interface ComplianceRoutesDeps {
  readonly reports: Pick<ComplianceReports, 'request' | 'get' | 'list' | 'openSignedFile'>;
  /** The cached live summary (`createLiveSummary`). */
  readonly liveSummary: () => Promise<LiveSummary>;
  readonly auth: Pick<Authenticator, 'requireScope'>;
  readonly idempotency: Pick<Idempotency, 'handle'>;
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

// Downloaded HTML is served from our own origin: it must not run or load anything.
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * `/v1/compliance/*`: request reports, read them, download their files through
 * signed links (standalone), and the live summary. Every route but the signed
 * download needs `compliance:read`; the download link's signature is its credential.
 */
export function complianceRoutes(deps: ComplianceRoutesDeps): Router {
  const router = Router();
  const read = deps.auth.requireScope('compliance:read');

  router.post(
    '/v1/compliance/reports',
    read,
    deps.idempotency.handle('createComplianceReport', async (req) => {
      const job = await deps.reports.request(req.body ?? {}, 'api');
      return { statusCode: 202, body: await deps.reports.get(job.id), headers: { location: `/v1/compliance/reports/${job.id}` } };
    }),
  );

  router.get('/v1/compliance/reports', read, async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw new HttpProblem(400, 'VALIDATION_FAILED', 'The query is not valid.', { errors: issues(q.error) });
    res.json(await deps.reports.list({ limit: q.data.limit, ...(q.data.cursor ? { cursor: q.data.cursor } : {}) }));
  });

  router.get('/v1/compliance/reports/:reportId', read, async (req, res) => {
    res.json(await deps.reports.get(param(req.params, 'reportId')));
  });

  router.get('/v1/compliance/reports/:reportId/files/:fileName', async (req, res) => {
    const fileName = param(req.params, 'fileName');
    const { body, contentType } = await deps.reports.openSignedFile(param(req.params, 'reportId'), fileName, req.query['expires'], req.query['sig']);
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

function param(params: Readonly<Record<string, string | string[] | undefined>>, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

function issues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
