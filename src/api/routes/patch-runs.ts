import { Router } from 'express';
import type { PatchRuns } from '../../flows/changes/index.js';
import type { Authenticator } from '../auth/index.js';
import type { Idempotency } from '../idempotency.js';
import type { components } from '../schema.gen.js';
import { validated } from '../validation/index.js';

type Schemas = components['schemas'];

export interface PatchRunRoutesDeps {
  readonly auth: Authenticator;
  readonly idempotency: Idempotency;
  readonly patchRuns: PatchRuns;
}

/** `/v1/patch-runs…`: the spec validator has checked every input before these run. */
export function patchRunRoutes(deps: PatchRunRoutesDeps): Router {
  const { auth, idempotency, patchRuns } = deps;
  const router = Router({ caseSensitive: true, strict: true });
  router.post(
    '/v1/patch-runs',
    auth.authorize,
    idempotency.handle('createPatchRun', async (_req, res) => {
      const { run } = await patchRuns.start(validated(res, 'createPatchRun').body);
      const body: Schemas['PatchRun'] = run;
      return { statusCode: 202, body, headers: { location: `/v1/patch-runs/${run.id}` } };
    }),
  );
  router.get('/v1/patch-runs', auth.authorize, async (_req, res) => {
    const page = await patchRuns.list(validated(res, 'listPatchRuns').query);
    const body: Schemas['PatchRunList'] = { ...page, items: [...page.items] };
    res.json(body);
  });
  router.get('/v1/patch-runs/:runId', auth.authorize, async (_req, res) => {
    const { params, query } = validated(res, 'getPatchRun');
    const run = await patchRuns.get(params.runId, query);
    const body: Schemas['PatchRunDetail'] = { ...run, instances: { ...run.instances, items: [...run.instances.items] } };
    res.json(body);
  });
  router.post(
    '/v1/patch-runs/:runId/cancel',
    auth.authorize,
    idempotency.handle('cancelPatchRun', async (_req, res) => {
      const body: Schemas['PatchRun'] = await patchRuns.cancel(validated(res, 'cancelPatchRun').params.runId);
      return { statusCode: 202, body };
    }),
  );
  return router;
}
