import { afterEach, beforeEach, describe } from 'vitest';
import { claimsContract } from './claims.js';
import { correlationsContract } from './correlations.js';
import { gatesContract } from './gates.js';
import { idempotencyContract } from './idempotency.js';
import { lifecycleContract } from './lifecycle.js';
import { outboxContract } from './outbox.js';
import { patchRunsContract } from './patch-runs.js';
import { reportJobsContract } from './report-jobs.js';
import { runInstancesContract } from './run-instances.js';
import type { StoreFixture } from './support.js';

export type { StoreFixture } from './support.js';

/**
 * The one behavioural contract every `StateStore` passes, one part per
 * aggregate. Each implementation calls this from its own test file with a
 * factory for a fresh, empty store.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name} StateStore contract`, () => {
    let current: StoreFixture | undefined;
    const fixture = (): StoreFixture => {
      if (current === undefined) throw new Error('the contract fixture is read outside a test');
      return current;
    };

    beforeEach(async () => {
      current = await makeStore();
    });

    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    claimsContract(fixture);
    patchRunsContract(fixture);
    runInstancesContract(fixture);
    idempotencyContract(fixture);
    correlationsContract(fixture);
    outboxContract(fixture);
    gatesContract(fixture);
    reportJobsContract(fixture);
    lifecycleContract(fixture);
  });
}
