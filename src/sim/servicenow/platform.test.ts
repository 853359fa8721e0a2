import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { createServiceNowSim, SIM_DEFAULTS, type ServiceNowSim, type ServiceNowSimOptions } from './index.js';

/** Behaviours of a real instance that patchbridge's promises depend on (issue 14). */

const BASIC = `Basic ${Buffer.from(`${SIM_DEFAULTS.userName}:${SIM_DEFAULTS.password}`).toString('base64')}`;

function sim(options: ServiceNowSimOptions = {}): ServiceNowSim {
  return createServiceNowSim({ clock: new ManualClock('2026-05-01T12:00:00Z'), ...options });
}

const patch = (s: ServiceNowSim, path: string, body: object) => request(s.app).patch(path).set('Authorization', BASIC).send(body);

describe('incident lifecycle', () => {
  it.each([
    { state: '6', name: 'Resolved', active: 'true' },
    { state: '7', name: 'Closed', active: 'false' },
    { state: '8', name: 'Cancelled', active: 'false' },
  ])('when an incident becomes $name, then active is $active (a resolved incident stays active until it is closed)', async ({ state, active }) => {
    // Prepare
    const s = sim();
    const incident = s.seed.incident();
    // Act
    const res = await patch(s, `/api/now/table/incident/${incident['sys_id']}`, { state });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ state, active });
  });
});
