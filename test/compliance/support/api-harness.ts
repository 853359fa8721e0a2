/**
 * The compliance feature as a composition root wires it, against both simulators
 * over HTTP: the AWS simulator (real SDK clients and adapters, SNS publications
 * captured) and the ServiceNow simulator (real client). The app is production's
 * `createApiApp` with the compliance flows (HMAC auth from configuration,
 * idempotency, the OpenAPI validator); the shared outbox worker, an in-memory
 * SQLite store and the file blob store in a temp folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Express } from 'express';
import { signRequest } from '../../../src/api/auth/index.js';
import { loadOpenApiDocument } from '../../../src/api/openapi-document.js';
import { createApiApp } from '../../../src/runtime/api-app/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createSpecValidator, type SpecValidator } from '../../../src/api/validation/index.js';
import type { AwsPorts } from '../../../src/aws/index.js';
import { type BlobStore, createFileBlobStore, createS3BlobStore } from '../../../src/blobs/index.js';
import { ManualClock, randomIds } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { addDays } from '../../../src/domain/index.js';
import {
  type AwsContext,
  type ComplianceReports,
  type ComplianceSnapshot,
  createComplianceReports,
  createComplianceSnapshot,
  createLinkSigner,
  createLiveSummary,
  type LinkSigner,
} from '../../../src/flows/compliance/index.js';
import { createOutboxWorker, type OutboxWorker } from '../../../src/flows/outbox/index.js';
import { type AwsSim, createAwsSimHarness } from '../../../src/sim/aws/index.js';
import { createServiceNowSimHarness, type ServiceNowSim } from '../../../src/sim/servicenow/index.js';
import { createSqliteStore, type StateStore } from '../../../src/store/index.js';
import { harnessCore } from '../../support/core-context.js';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const TODAY = '2026-03-31';
export const REPORTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:patchbridge-reports`;
export const HMAC_KEY = { id: 'sn-test', secret: 'h'.repeat(48) };
export const PUBLIC_URL = 'http://patchbridge.test:8080';

export interface ComplianceHarness {
  readonly app: Express;
  readonly clock: ManualClock;
  readonly store: StateStore;
  readonly blobs: BlobStore;
  readonly aws: AwsSim;
  readonly awsPorts: AwsPorts;
  readonly sn: ServiceNowSim;
  readonly reports: ComplianceReports;
  readonly snapshot: ComplianceSnapshot;
  readonly worker: OutboxWorker;
  readonly signer: LinkSigner;
  readonly validator: SpecValidator;
  readonly ctx: AwsContext;
  sign(method: string, pathWithQuery: string, body?: string): string;
  close(): Promise<void>;
}

export interface ComplianceHarnessOptions {
  readonly linkTtlSeconds?: number;
  /** `s3`: links are SigV4 presigned by the S3 blob store; `standalone`: patchbridge signs its own. */
  readonly links?: 's3' | 'standalone';
  /** Days of snapshots taken before today. Default 3. */
  readonly historyDays?: number;
}

export async function createComplianceHarness(options: ComplianceHarnessOptions = {}): Promise<ComplianceHarness> {
  const logger = silentLogger();
  const clock = new ManualClock(`${TODAY}T06:00:00Z`);
  const closers: (() => Promise<void>)[] = [];

  const snHarness = await createServiceNowSimHarness({ sim: { seed: 7 }, logger });
  closers.push(() => snHarness.close());
  const { sim: sn, client: servicenow } = snHarness;

  const harness = await createAwsSimHarness({
    sim: {
      seed: 21,
      clock,
      topics: [REPORTS_TOPIC],
      fleet: { size: 40, seed: 21, accountId: ACCOUNT, region: REGION, patchGroups: ['web-prod', 'db-prod'], windows: false, now: new Date(`${TODAY}T00:00:00Z`) },
    },
    clock,
    logger,
    maxAttempts: 2,
  });
  closers.push(() => harness.close());
  const { sim: aws, ports: awsPorts } = harness;
  const ctx = { accountId: ACCOUNT, region: REGION };

  const store = createSqliteStore({ path: ':memory:', clock, logger });
  closers.push(() => store.close());
  const dir = await mkdtemp(path.join(tmpdir(), 'pb-compliance-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const files = createFileBlobStore({ dir, clock });
  let blobs: BlobStore = files;
  if (options.links === 's3') {
    // Objects stay on disk (there is no S3 here); links come from the real S3 blob store's presigner, which signs offline.
    const s3 = createS3BlobStore({
      client: new S3Client({ region: REGION, credentials: { accessKeyId: 'AKIDPRESIGN', secretAccessKey: 'presign-secret' } }),
      bucket: 'acme-patchbridge',
      prefix: 'prod',
      clock,
    });
    blobs = { ...files, presign: (key, seconds, o) => s3.presign(key, seconds, o) };
  }

  const signer = createLinkSigner({ key: 'l'.repeat(40), clock });
  const targets = [ctx];
  let worker: OutboxWorker | undefined;
  const reports = createComplianceReports({
    store,
    blobs,
    inventory: awsPorts.inventory,
    clock,
    ids: randomIds,
    logger,
    targets,
    settings: { staleDays: 7, reportDays: 30, linkTtlSeconds: options.linkTtlSeconds ?? 604_800, reportsTopicArn: REPORTS_TOPIC },
    publisher: awsPorts.publisher,
    servicenow,
    standaloneLinks: { signer, baseUrl: PUBLIC_URL },
    onQueued: () => worker?.wake(),
  });
  worker = createOutboxWorker({ store, clock, logger, handlers: [reports.outboxHandler], random: () => 0.5 });
  const snapshot = createComplianceSnapshot({ inventory: awsPorts.inventory, blobs, clock, logger, targets, staleDays: 7 });
  for (let d = options.historyDays ?? 3; d >= 1; d--) {
    clock.set(`${addDays(TODAY, -d)}T02:15:00Z`);
    await snapshot.run();
  }
  clock.set(`${TODAY}T06:00:00Z`);

  // What the harness hand-built before, now said in configuration: the HMAC key, and a rate limit no test reaches.
  const config = loadConfig({
    PATCHBRIDGE_AWS_REGIONS: REGION,
    PATCHBRIDGE_DATA_DIR: dir,
    PATCHBRIDGE_API_HMAC_KEYS: `${HMAC_KEY.id}:${HMAC_KEY.secret}`,
    PATCHBRIDGE_API_RATE_LIMIT: '1000000',
  });
  const core = harnessCore({ config, logger, clock, store, blobs, awsClients: harness.clients, aws: awsPorts, servicenow });
  const liveSummary = createLiveSummary({ inventory: awsPorts.inventory, clock, logger, targets, staleDays: 7 });
  const app = createApiApp(core, { compliance: { reports, liveSummary } });
  const validator = createSpecValidator(loadOpenApiDocument());

  return {
    app,
    clock,
    store,
    blobs,
    aws,
    awsPorts,
    sn,
    reports,
    snapshot,
    worker,
    signer,
    validator,
    ctx,
    sign(method, pathWithQuery, body = '') {
      return signRequest(HMAC_KEY, { method, pathWithQuery, body }, { ts: Math.floor(clock.now().getTime() / 1000), nonce: randomBytes(16).toString('base64url') });
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
