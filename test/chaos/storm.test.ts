import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stormWithKills } from './scenarios/storm.js';
import { createWorld, SECRETS, type World } from './support/world.js';

describe('chaos: a storm with a SIGKILL (patchbridge serve as a child process; `npm run bench -- chaos` runs 2,000 instances and two kills)', () => {
  let world: World;
  beforeAll(async () => {
    // A busy instance: every call takes a while, so the kill lands while writes are in flight.
    // Hostile AWS data: tags, host names, patch titles and command output with query characters, markup, control characters and 10 KB tails.
    world = await createWorld({ fleetSize: 650, patchGroups: 6, hostile: true, serviceNow: { latency: { kind: 'fixed', ms: 150 } } });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('when patchbridge is killed with SIGKILL mid-delivery and restarted on hostile AWS data, then within 60 s every failed instance is named in ServiceNow, in one incident per patch group, with no control character, [code] tag, cut value or hostile query, and no secret was logged', async () => {
    // Act
    const result = await stormWithKills(world, { failed: 600, kills: 1, deadlineMs: 60_000 });
    await result.pb.stop();
    const logs = [...result.outputs, result.pb.output()].join('\n');

    // Assess
    expect({
      complete: result.complete,
      incidents: result.incidents,
      duplicated: result.duplicated,
      missing: result.missing.length,
      unsafeText: result.unsafeText,
      truncated: result.truncated,
      queryViolations: result.queryViolations,
      secretsInLogs: SECRETS.filter((s) => logs.includes(s)).length,
    }).toEqual({ complete: true, incidents: result.expected, duplicated: 0, missing: 0, unsafeText: 0, truncated: 0, queryViolations: 0, secretsInLogs: 0 });
    expect(result.recoverySeconds[0]).toBeLessThanOrEqual(60);
  }, 240_000);
});
