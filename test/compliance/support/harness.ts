import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AwsPorts, createAwsAdapters, createAwsClients } from '../../../src/aws/index.js';
import { type BlobStore, createFileBlobStore } from '../../../src/blobs/index.js';
import type { Clock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { AwsContext } from '../../../src/flows/compliance/index.js';
import { type AwsSim, type CreateAwsSimOptions, createAwsSim } from '../../../src/sim/aws/index.js';
import { createSqliteStore, type StateStore } from '../../../src/store/index.js';

export interface Harness {
  readonly sim: AwsSim;
  readonly aws: AwsPorts;
  readonly blobs: BlobStore;
  readonly store: StateStore;
  readonly dir: string;
  readonly ctx: AwsContext;
  close(): Promise<void>;
}

/**
 * The AWS fleet simulator on an ephemeral port, the real AWS adapters pointed at
 * it, the file blob store in a temp folder and an in-memory SQLite store.
 */
export async function startHarness(options: { clock: Clock; sim: CreateAwsSimOptions; region?: string }): Promise<Harness> {
  const logger = silentLogger();
  const sim = createAwsSim({ clock: options.clock, time: { mode: 'instant' }, ...options.sim });
  const url = await sim.listen(0);
  const region = options.region ?? sim.fleet.region;
  const clients = createAwsClients({
    accounts: [],
    defaultRegion: region,
    logger,
    endpointOverrides: url,
    credentials: { accessKeyId: 'AKIAPATCHBRIDGETEST', secretAccessKey: 'test-secret-access-key' },
    maxAttempts: 6,
    clock: options.clock,
  });
  const aws = createAwsAdapters({ clients, clock: options.clock, logger, runbook: 'patchbridge-AdHocPatch' });
  const dir = await mkdtemp(path.join(tmpdir(), 'pb-compliance-'));
  const blobs = createFileBlobStore({ dir: path.join(dir, 'blobs'), clock: options.clock });
  const store = createSqliteStore({ path: ':memory:', clock: options.clock, logger });
  return {
    sim,
    aws,
    blobs,
    store,
    dir,
    ctx: { accountId: sim.fleet.accountId, region },
    async close() {
      clients.destroy();
      await store.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
