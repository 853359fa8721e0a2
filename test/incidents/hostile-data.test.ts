import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditIncidents } from '../chaos/scenarios/incidents.js';
import type { Harness } from './support/harness.js';
import { windowWith37Failures } from './support/scenario.js';

// A whole-fleet scenario over both simulators (see window-failures.test.ts for the time it takes).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('hostile data from AWS', () => {
  it.each(['import-set', 'table'] as const)(
    'when tags, host names, patch titles and command output hold query characters, markup, control characters, [code] tags and 10 KB strings (%s mode), then every incident names its instances in plain text within its columns and none of it reaches a ServiceNow query',
    async (mode) => {
      // Prepare
      const { h, failing } = await windowWith37Failures({ mode, hostile: true });
      open.push(h);
      const hostileInstances = [...failing.values()].flat().filter((id) => h.aws.fleet.instances.find((i) => i.instanceId === id)?.tags['Owner']?.length === 256);

      // Act
      await h.postAll(h.deliveries);
      await h.drain();

      // Assess
      const audit = auditIncidents(h.sn, [...failing.values()].flat());
      expect(hostileInstances.length).toBeGreaterThan(0);
      expect(audit).toMatchObject({ incidents: 3, duplicated: 0, missing: [], unsafeText: 0, truncated: 0, queryViolations: 0 });
      expect(h.sn.queryViolations).toEqual([]);
      expect(h.sn.state.truncations).toEqual([]);
      // Table mode reads ServiceNow by key (incidents by correlation id, CIs by instance id): the strict check saw those queries.
      if (mode === 'table') expect(h.sn.requests.filter((r) => r.query['sysparm_query'] !== undefined).length).toBeGreaterThan(0);
    },
  );
});
