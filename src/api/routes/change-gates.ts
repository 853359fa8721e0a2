import { Router } from 'express';
import type { ChangeGates } from '../../flows/changes/index.js';
import type { Authenticator } from '../auth/index.js';
import type { components } from '../schema.gen.js';
import { validated } from '../validation/index.js';

type Schemas = components['schemas'];

export interface ChangeGateRoutesDeps {
  readonly auth: Authenticator;
  readonly changeGates: ChangeGates;
}

/** `/v1/maintenance-windows…`: the spec validator has checked every input before these run. */
export function changeGateRoutes(deps: ChangeGateRoutesDeps): Router {
  const { auth, changeGates } = deps;
  const router = Router({ caseSensitive: true, strict: true });
  const path = '/v1/maintenance-windows/:windowId/change-gate';
  router.get('/v1/maintenance-windows', auth.authorize, async (_req, res) => {
    const q = validated(res, 'listMaintenanceWindows').query;
    const body: Schemas['MaintenanceWindowList'] = { items: await changeGates.listWindows({ accountId: q.account, region: q.region }) };
    res.json(body);
  });
  router.get(path, auth.authorize, async (_req, res) => {
    const body: Schemas['ChangeGate'] = await changeGates.get(validated(res, 'getChangeGate').params.windowId);
    res.json(body);
  });
  router.put(path, auth.authorize, async (_req, res) => {
    const { params, body: input } = validated(res, 'putChangeGate');
    const body: Schemas['ChangeGate'] = await changeGates.open({ windowId: params.windowId, ...input });
    res.json(body);
  });
  router.delete(path, auth.authorize, async (_req, res) => {
    const { params, query: q } = validated(res, 'deleteChangeGate');
    const gate = await changeGates.close({
      windowId: params.windowId,
      ...(q.account === undefined ? {} : { accountId: q.account }),
      ...(q.region === undefined ? {} : { region: q.region }),
      ...(q.reason === undefined ? {} : { reason: q.reason }),
    });
    if (!gate) return void res.status(204).end();
    const body: Schemas['ChangeGate'] = gate;
    res.json(body);
  });
  return router;
}
