import type { AwsPorts } from '../../aws/index.js';
import type { BlobStore } from '../../blobs/index.js';
import type { Config } from '../../config/index.js';
import type { Clock, Ids, Logger } from '../../core/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/index.js';
import type { OutboxHandler } from '../outbox/index.js';
import type { ScheduledJob } from '../scheduler/index.js';
import { createLinkSigner } from './links.js';
import { createLiveSummary, type LiveSummary } from './live-summary.js';
import type { AwsContext } from './ports.js';
import { type ComplianceReports, createComplianceReports } from './report-jobs.js';
import { complianceJobs } from './schedule.js';
import { type CollectedSnapshot, type ComplianceSnapshot, createComplianceSnapshot } from './snapshot.js';
import { complianceTargets } from './targets.js';

export interface ComplianceFlowDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly store: StateStore;
  readonly blobs: BlobStore;
  readonly aws: Pick<AwsPorts, 'inventory' | 'publisher'>;
  readonly servicenow?: ServiceNowClient | undefined;
}

export interface ComplianceFlowOptions {
  /** Every (account, region) to snapshot and report on; see `resolveComplianceTargets`. */
  readonly targets: readonly AwsContext[];
  /** Wakes the outbox worker once a report is queued (standalone). */
  readonly wake?: () => void;
  /**
   * Standalone: patchbridge serves report files itself when the blob store cannot
   * presign (local disk). `signingKey` is `config.compliance.linkSigningKey`, or
   * the key the standalone root keeps in the data dir; `baseUrl` the public URL.
   */
  readonly standaloneLinks?: { readonly signingKey: string; readonly baseUrl: string };
  /** How long the live summary is cached. Default 60 s. */
  readonly liveSummaryTtlMs?: number;
  /** Sees each collected snapshot before it is written: auto-resolve (`IncidentFlows.resolutions.fromSnapshot`). */
  readonly onSnapshot?: (snapshot: CollectedSnapshot) => Promise<unknown>;
  /**
   * Worker threads that parse report history (standalone: `historyWorkerCount` of
   * the config). Lambda leaves it at 0: below 1,769 MB a function has at most
   * one vCPU's worth of time, and its bundle does not carry the worker entry.
   */
  readonly historyWorkers?: number;
}

export interface ComplianceFlows {
  readonly snapshot: ComplianceSnapshot;
  readonly reports: ComplianceReports;
  readonly liveSummary: () => Promise<LiveSummary>;
  /** Register with the outbox worker: it runs the queued report jobs. */
  readonly outboxHandlers: readonly OutboxHandler[];
  /** The standalone scheduler's jobs (snapshot daily, report monthly) on the configured crons. */
  readonly jobs: readonly ScheduledJob[];
}

/**
 * Resolves the compliance targets: the configured accounts × their regions, or,
 * with none configured, the ambient credentials' account (one STS call) × the
 * configured regions.
 */
export async function resolveComplianceTargets(
  config: Config,
  aws: Pick<AwsPorts, 'identity'>,
  home: AwsContext,
): Promise<AwsContext[]> {
  if (config.aws.accounts.length > 0) return complianceTargets(config.aws);
  const { account } = await aws.identity.whoAmI(home);
  return complianceTargets(config.aws, account);
}

/** Wires the compliance flow over injected ports; one call per composition root. */
export function createComplianceFlows(deps: ComplianceFlowDeps, options: ComplianceFlowOptions): ComplianceFlows {
  const { config, logger, clock } = deps;
  const common = { inventory: deps.aws.inventory, clock, logger, targets: options.targets, staleDays: config.compliance.staleDays };
  const snapshot = createComplianceSnapshot({ ...common, blobs: deps.blobs, ...(options.onSnapshot ? { onCollected: options.onSnapshot } : {}) });
  const reports = createComplianceReports({
    ...common,
    store: deps.store,
    blobs: deps.blobs,
    ids: deps.ids,
    settings: {
      staleDays: config.compliance.staleDays,
      reportDays: config.compliance.reportDays,
      snapshotMaxAgeSeconds: config.compliance.snapshotMaxAgeSeconds,
      ...(options.historyWorkers ? { historyWorkers: options.historyWorkers } : {}),
      linkTtlSeconds: config.compliance.linkTtlSeconds,
      reportsTopicArn: config.topics.reports,
    },
    publisher: deps.aws.publisher,
    servicenow: deps.servicenow,
    ...(options.standaloneLinks
      ? { standaloneLinks: { signer: createLinkSigner({ key: options.standaloneLinks.signingKey, clock }), baseUrl: options.standaloneLinks.baseUrl } }
      : {}),
    ...(options.wake ? { onQueued: options.wake } : {}),
  });
  return {
    snapshot,
    reports,
    liveSummary: createLiveSummary({ ...common, ...(options.liveSummaryTtlMs ? { ttlMs: options.liveSummaryTtlMs } : {}) }),
    outboxHandlers: [reports.outboxHandler],
    jobs: complianceJobs({ snapshot, reports, crons: { snapshot: config.compliance.snapshotCron, report: config.compliance.reportCron } }),
  };
}
