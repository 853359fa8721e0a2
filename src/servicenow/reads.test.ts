import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../core/testing.js';
import { createServiceNowSimHarness, type ServiceNowSim, type ServiceNowSimHarness, type ServiceNowSimOptions } from '../sim/servicenow/index.js';
import { encodedQuery, isServiceNowError, type ServiceNowClient } from './index.js';
import { SteppingClock } from './testing.js';

/** Table API reads as a real instance answers them (issue 14, point 5). */

const harnesses: ServiceNowSimHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function setup(options: ServiceNowSimOptions = {}): Promise<{ sim: ServiceNowSim; sn: ServiceNowClient }> {
  const clock = new SteppingClock('2026-05-01T12:00:00Z');
  const harness = await createServiceNowSimHarness({ sim: { clock, ...options }, clock, limits: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
  harnesses.push(harness);
  return { sim: harness.sim, sn: harness.client };
}

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

describe('pagination', () => {
  it('when ACLs empty a page while more rows exist, then listing follows rel="next" to the rows after it', async () => {
    // Prepare: sysparm_limit applies before ACLs, so the first page of two comes back empty.
    const { sim, sn } = await setup({ aclHidden: { table: 'cmdb_ci_vm_instance', field: 'short_description', value: 'restricted' } });
    for (let n = 1; n <= 5; n++) sim.seed.ci({ object_id: id(n), short_description: n <= 2 ? 'restricted' : '' });
    // Act
    const seen: string[] = [];
    for await (const r of sn.listRecords('cmdb_ci_vm_instance', { fields: ['object_id'], pageSize: 2 })) seen.push(r.object_id);
    // Assess
    expect(seen).toEqual([id(3), id(4), id(5)]);
    expect(sim.calls('GET /api/now/table/cmdb_ci_vm_instance')).toBe(3);
  });

  it('when an instance keeps answering rel="next" past X-Total-Count, then listing stops at the count', async () => {
    // Prepare
    const { sim, sn } = await setup({ endlessNextLink: true });
    for (let n = 1; n <= 3; n++) sim.seed.ci({ object_id: id(n) });
    // Act
    const seen: string[] = [];
    for await (const r of sn.listRecords('cmdb_ci_vm_instance', { fields: ['object_id'], pageSize: 2 })) seen.push(r.object_id);
    // Assess
    expect(seen).toEqual([id(1), id(2), id(3)]);
    expect(sim.calls('GET /api/now/table/cmdb_ci_vm_instance')).toBeLessThanOrEqual(3);
  });
});

describe('every returned row is checked against the keys asked for', () => {
  it('when the instance drops the query condition and returns every change, then getChangeRequest refuses rather than answer with another change', async () => {
    // Prepare
    const { sim, sn } = await setup({ dropQueryConditions: true });
    sim.seed.changeRequest();
    sim.seed.changeRequest();
    // Act
    const error = await rejectionOf(sn.getChangeRequest('CHG0030002'));
    // Assess
    expect(isServiceNowError(error, 'QUERY_NOT_APPLIED')).toBe(true);
  });

  it.each([
    ['findCisByInstanceIds', (sn: ServiceNowClient) => sn.findCisByInstanceIds([id(9)])],
    ['findActiveIncidentByCorrelationId', (sn: ServiceNowClient) => sn.findActiveIncidentByCorrelationId('pb:wanted')],
    ['listRecords', async (sn: ServiceNowClient) => {
      for await (const _ of sn.listRecords('incident', { query: encodedQuery().eq('correlation_id', 'pb:wanted').build(), fields: ['correlation_id'] })) { /* drain */ }
    }],
  ] as const)('when the instance drops the query condition, then %s refuses the unrelated rows', async (_name, act) => {
    // Prepare
    const { sim, sn } = await setup({ dropQueryConditions: true });
    sim.seed.ci({ object_id: id(1) });
    sim.seed.incident({ correlation_id: 'pb:other' });
    // Act
    const error = await rejectionOf(act(sn));
    // Assess
    expect(isServiceNowError(error, 'QUERY_NOT_APPLIED')).toBe(true);
  });
});

describe('CMDB lookup', () => {
  it('when an instance has a retired CI, then it is skipped for the live one', async () => {
    // Prepare
    const { sim, sn } = await setup();
    sim.seed.ci({ object_id: id(1), install_status: '1', name: 'live' });
    sim.seed.ci({ object_id: id(1), install_status: '7', name: 'retired later' });
    sim.seed.ci({ object_id: id(2), install_status: '7' });
    // Act
    const found = await sn.findCisByInstanceIds([id(1), id(2)]);
    // Assess
    expect(found.get(id(1))?.name).toBe('live');
    expect(found.has(id(2))).toBe(false);
  });

  it('when an instance or a hybrid mi- node is only in cmdb_ci_server, then the lookup falls back to it by object_id', async () => {
    // Prepare
    const { sim, sn } = await setup();
    const managed = 'mi-0123456789abcdef0';
    sim.seed.ci({ object_id: id(1) });
    const server = sim.seed.record('cmdb_ci_server', { object_id: id(2), name: 'ec2 server' });
    const hybrid = sim.seed.record('cmdb_ci_server', { object_id: managed, name: 'on-prem node' });
    // Act
    const found = await sn.findCisByInstanceIds([id(1), id(2), managed]);
    // Assess
    expect([...found.keys()].sort()).toEqual([id(1), id(2), managed].sort());
    expect(found.get(id(2))?.sys_id).toBe(server['sys_id']);
    expect(found.get(managed)?.sys_id).toBe(hybrid['sys_id']);
  });
});
