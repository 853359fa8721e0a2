import { Router } from 'express';
import type { PatchRunRequestInput, PatchRuns } from '../../flows/patch-runs/index.js';
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
  const router = Router();
  router.post(
    '/v1/patch-runs',
    auth.requireScope('patch-runs:write'),
    idempotency.handle('createPatchRun', async (_req, res) => {
      const { run } = await patchRuns.start(validated(res).body as PatchRunRequestInput);
      const body: Schemas['PatchRun'] = run;
      return { statusCode: 202, body, headers: { location: `/v1/patch-runs/${run.id}` } };
    }),
  );
  router.get('/v1/patch-runs', auth.requireScope('patch-runs:read'), async (_req, res) => {
    const q = validated(res).query as { changeRequest?: string; limit?: number; cursor?: string };
    const page = await patchRuns.list(q);
    const body: Schemas['PatchRunList'] = { ...page, items: [...page.items] };
    res.json(body);
  });
  router.get('/v1/patch-runs/:runId', auth.requireScope('patch-runs:read'), async (req, res) => {
    const q = validated(res).query as { limit?: number; cursor?: string };
    const run = await patchRuns.get(String(req.params['runId']), q);
    const body: Schemas['PatchRunDetail'] = { ...run, instances: { ...run.instances, items: [...run.instances.items] } };
    res.json(body);
  });
  router.post(
    '/v1/patch-runs/:runId/cancel',
    auth.requireScope('patch-runs:write'),
    idempotency.handle('cancelPatchRun', async (req) => {
      const body: Schemas['PatchRun'] = await patchRuns.cancel(String(req.params['runId']));
      return { statusCode: 202, body };
    }),
  );
  return router;
}
