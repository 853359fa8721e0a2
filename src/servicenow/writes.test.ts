import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../core/testing.js';
import { createServiceNowSimHarness, type ServiceNowSimHarness } from '../sim/servicenow/index.js';
import { isServiceNowError } from './index.js';

/** Writes a real instance may accept and still not apply (issue 14, point 6). */

const harnesses: ServiceNowSimHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

describe('work notes are verified by reading them back', () => {
  it('when a field ACL makes the instance skip work_notes on a PATCH (200, nothing written), then addWorkNote fails with WRITE_IGNORED', async () => {
    // Prepare
    const h = await createServiceNowSimHarness({ sim: { readOnlyFields: { incident: ['work_notes'] } } });
    harnesses.push(h);
    const incident = h.sim.seed.incident();
    // Act
    const error = await rejectionOf(h.client.addWorkNote('incident', incident['sys_id'] ?? '', 'patching failed on i-0123456789abcdef0'));
    // Assess
    expect(isServiceNowError(error, 'WRITE_IGNORED')).toBe(true);
    expect(h.sim.state.journal('incident', incident['sys_id'] ?? '')).toHaveLength(0);
  });

  it('when the note is written, then addWorkNote resolves and the note is there once', async () => {
    // Prepare
    const h = await createServiceNowSimHarness();
    harnesses.push(h);
    const incident = h.sim.seed.incident();
    // Act
    await h.client.addWorkNote('incident', incident['sys_id'] ?? '', 'a note');
    // Assess
    expect(h.sim.state.journal('incident', incident['sys_id'] ?? '').map((j) => j.value)).toEqual(['a note']);
  });
});
