import type { Readable } from 'node:stream';
import { type Clock, type Ids, isAppError, type Logger, toError, ValidationError } from '../../core/index.js';
import { dayOf, type ReportSummary } from '../../domain/index.js';
import type { Page, ReportJobRecord } from '../../store/index.js';
import type { OutboxHandler } from '../outbox/index.js';
import { ComplianceError } from './errors.js';
import { createReportDelivery } from './report-delivery.js';
import type { LinkSigner } from './links.js';
import type {
  ComplianceInventory,
  ComplianceTargets,
  ReportBlobs,
  ReportJobState,
  ReportPublisher,
  ReportServiceNow,
} from './ports.js';
import { buildComplianceReport } from './report-builder.js';
import { putReportFiles } from './report-files.js';
import {
  formatOfFile,
  type NormalisedReportRequest,
  parseStoredRequest,
  REPORT_FILES,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportRequestInput,
  type ReportTrigger,
  reportRequestSchema,
} from './report-request.js';

/** Outbox kind of queued report jobs. A generic outbox worker hands these to `handleOutboxItem`. */
export const REPORT_JOB_KIND = 'compliance-report';

export interface ComplianceReportsDeps {
  readonly store: ReportJobState;
  readonly blobs: ReportBlobs;
  readonly inventory: ComplianceInventory;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
  readonly targets: ComplianceTargets;
  readonly settings: {
    readonly staleDays: number;
    /** Default period length. */
    readonly reportDays: number;
    /** See `ReportBuilderDeps.snapshotMaxAgeMs`; default 3600. */
    readonly snapshotMaxAgeSeconds?: number;
    /** See `ReportBuilderDeps.historyWorkers`; default 0. */
    readonly historyWorkers?: number;
    /** Lifetime of download links (S3 presign or standalone signature), at most 7 days. */
    readonly linkTtlSeconds: number;
    /** Where the link and summary are published; no topic = no SNS message. */
    readonly reportsTopicArn?: string | undefined;
  };
  readonly publisher?: ReportPublisher | undefined;
  /** Attaches files and adds a work note when a request names a requested item. */
  readonly servicenow?: ReportServiceNow | undefined;
  /** Standalone: signs links served by patchbridge when the blob store cannot presign (local files). */
  readonly standaloneLinks?: { readonly signer: LinkSigner; readonly baseUrl: string } | undefined;
  /**
   * Called after a job is queued; the standalone root passes the outbox
   * worker's `wake` so the job starts at once. Lambda drains from the
   * compliance-report handler instead.
   */
  readonly onQueued?: (() => void) | undefined;
  readonly concurrency?: number;
}

export interface ReportFileView {
  readonly name: string;
  readonly format: ReportFormat;
  readonly contentType: string;
  readonly url?: string;
  readonly expiresAt?: string;
}

/** A job as the API shows it; links are minted fresh on each read. */
export interface ReportJobView {
  readonly id: string;
  readonly status: ReportJobRecord['status'];
  readonly request: NormalisedReportRequest;
  readonly requestedItem?: string;
  readonly summary?: unknown;
  readonly files: readonly ReportFileView[];
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ComplianceReports {
  /** Validates, stores a `queued` job and queues it. Throws `ValidationError` on a bad request. */
  request(input: unknown, trigger: ReportTrigger): Promise<ReportJobRecord>;
  /**
   * Builds the report, stores the files under `reports/…`, then delivers it
   * (SNS, ServiceNow). Safe to repeat: a finished job is not rebuilt, and each
   * delivery step happens once. Throws a retryable error for the outbox to retry.
   */
  run(reportId: string): Promise<ReportJobRecord>;
  /**
   * Runs queued jobs for the outbox worker (`createOutboxWorker({ handlers: [reports.outboxHandler] })`),
   * which acks, retries with backoff, or parks each item. A job that fails for
   * good is marked `failed`; one that will be retried goes back to `queued` with the error noted.
   */
  readonly outboxHandler: OutboxHandler;
  get(reportId: string): Promise<ReportJobView>;
  list(query: { limit: number; cursor?: string }): Promise<Page<ReportJobView>>;
  /** Checks a standalone signed link and opens the file. `LINK_INVALID` / `LINK_EXPIRED` / `REPORT_*` otherwise. */
  openSignedFile(reportId: string, fileName: string, expires: unknown, sig: unknown): Promise<{ body: Readable; contentType: string }>;
}

/** How long a delivery step (SNS publish, ServiceNow attachment) may take before a crashed attempt's claim lapses. */
const BUILD_LOCK_SECONDS = 15 * 60;

export function createComplianceReports(deps: ComplianceReportsDeps): ComplianceReports {
  const log = deps.logger.child({ flow: 'compliance-report' });
  const { linksFor, deliver } = createReportDelivery(deps, log);

  function normalise(input: unknown, trigger: ReportTrigger): NormalisedReportRequest {
    const parsed = reportRequestSchema.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError('VALIDATION_FAILED', 'The report request is not valid.', {
        details: { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    const r: ReportRequestInput = parsed.data;
    const today = dayOf(deps.clock.now());
    const end = r.period?.end ?? today;
    if (end > today) throw new ValidationError('VALIDATION_FAILED', 'period.end is in the future.', { details: { errors: [{ path: 'period.end', message: 'must not be after today (UTC)' }] } });
    return {
      scope: {
        ...(r.scope?.accounts?.length ? { accounts: [...new Set(r.scope.accounts)] } : {}),
        ...(r.scope?.regions?.length ? { regions: [...new Set(r.scope.regions)] } : {}),
        ...(r.scope?.patchGroups?.length ? { patchGroups: [...new Set(r.scope.patchGroups)] } : {}),
      },
      period: { days: r.period?.days ?? deps.settings.reportDays, end },
      formats: r.formats?.length ? REPORT_FORMATS.filter((f) => r.formats?.includes(f)) : [...REPORT_FORMATS],
      ...(r.requestedItem ? { requestedItem: r.requestedItem } : {}),
      trigger,
    };
  }

  async function build(job: ReportJobRecord, request: NormalisedReportRequest): Promise<ReportJobRecord> {
    const report = await buildComplianceReport(
      {
        blobs: deps.blobs,
        inventory: deps.inventory,
        clock: deps.clock,
        logger: log,
        targets: deps.targets,
        staleDays: deps.settings.staleDays,
        ...(deps.settings.snapshotMaxAgeSeconds === undefined ? {} : { snapshotMaxAgeMs: deps.settings.snapshotMaxAgeSeconds * 1000 }),
        ...(deps.settings.historyWorkers ? { historyWorkers: deps.settings.historyWorkers } : {}),
        ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      },
      { period: request.period, scope: request.scope },
    );
    const written = await putReportFiles(deps.blobs, report, { createdDay: job.createdAt.slice(0, 10), reportId: job.id, formats: request.formats });
    const files: Record<string, string> = Object.fromEntries(written.map((f) => [f.name, f.key]));
    log.info({ reportId: job.id, instances: report.stats.instances, records: report.stats.records, files: Object.keys(files) }, 'report built');
    return deps.store.updateReportJob(job.id, { status: 'succeeded', summary: storedSummary(report.summary), files });
  }

  async function run(reportId: string): Promise<ReportJobRecord> {
    let job = await deps.store.getReportJob(reportId);
    if (!job) throw new ComplianceError('REPORT_NOT_FOUND', `No report ${reportId}.`, { details: { reportId } });
    if (job.status === 'failed') return job;
    const request = parseStoredRequest(job.request);
    if (job.status !== 'succeeded') {
      // One builder at a time per job, even with two workers; the TTL frees it if a worker dies.
      const lock = `report:${job.id}:build`;
      if (!(await deps.store.claim(lock, job.id, BUILD_LOCK_SECONDS))) {
        throw new ComplianceError('REPORT_BUSY', `Report ${job.id} is being built by another worker.`, { details: { reportId: job.id } });
      }
      try {
        job = await deps.store.updateReportJob(job.id, { status: 'running' });
        job = await build(job, request);
      } finally {
        await deps.store.release(lock, job.id);
      }
    }
    await deliver(job, request);
    return job;
  }

  const outboxHandler: OutboxHandler = {
    kind: REPORT_JOB_KIND,
    // One report at a time: each holds a fleet's worth of accumulators.
    batchSize: 1,
    async handle(items) {
      const outcome = new Map<string, unknown>();
      for (const item of items) {
        const reportId = reportIdOf(item.payload);
        try {
          if (!reportId) throw new ValidationError('VALIDATION_FAILED', `outbox item ${item.id} carries no report id`);
          await run(reportId);
        } catch (err) {
          outcome.set(item.id, err);
          if (reportId) await noteFailure(reportId, err);
        }
      }
      return outcome;
    },
  };

  async function noteFailure(reportId: string, err: unknown): Promise<void> {
    const retryable = isAppError(err) ? err.retryable : true;
    const message = toError(err).message.slice(0, 500);
    log.error({ err, reportId, retryable }, retryable ? 'report job failed; the outbox will retry it' : 'report job failed for good');
    const job = await deps.store.getReportJob(reportId);
    if (!job) return;
    // A built report whose delivery failed keeps its files and stays succeeded, with the error noted.
    if (job.status === 'succeeded') await deps.store.updateReportJob(reportId, { error: message });
    else await deps.store.updateReportJob(reportId, { status: retryable ? 'queued' : 'failed', error: message });
  }

  async function view(job: ReportJobRecord): Promise<ReportJobView> {
    return {
      id: job.id,
      status: job.status,
      request: parseStoredRequest(job.request),
      ...(job.requestedItem ? { requestedItem: job.requestedItem } : {}),
      ...(job.summary !== undefined ? { summary: job.summary } : {}),
      files: job.status === 'succeeded' ? await linksFor(job) : [],
      ...(job.error ? { error: job.error } : {}),
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
    };
  }

  return {
    async request(input, trigger) {
      const request = normalise(input, trigger);
      const now = deps.clock.now().toISOString();
      const job: ReportJobRecord = {
        id: deps.ids.uuid(),
        status: 'queued',
        request: { ...request },
        ...(request.requestedItem ? { requestedItem: request.requestedItem } : {}),
        createdAt: now,
        updatedAt: now,
      };
      await deps.store.createReportJob(job);
      await deps.store.enqueue({ id: `${REPORT_JOB_KIND}:${job.id}`, kind: REPORT_JOB_KIND, payload: { reportId: job.id } });
      log.info({ reportId: job.id, trigger, period: request.period, requestedItem: request.requestedItem }, 'report requested');
      deps.onQueued?.();
      return job;
    },
    run,
    outboxHandler,
    async get(reportId) {
      const job = await deps.store.getReportJob(reportId);
      if (!job) throw new ComplianceError('REPORT_NOT_FOUND', `No report ${reportId}.`, { details: { reportId } });
      return view(job);
    },
    async list(query) {
      const page = await deps.store.listReportJobs(query);
      return { items: await Promise.all(page.items.map(view)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
    async openSignedFile(reportId, fileName, expires, sig) {
      if (!deps.standaloneLinks) throw new ComplianceError('LINK_INVALID', 'The download link is not valid.');
      deps.standaloneLinks.signer.verify(reportId, fileName, expires, sig);
      const job = await deps.store.getReportJob(reportId);
      if (!job) throw new ComplianceError('REPORT_NOT_FOUND', `No report ${reportId}.`);
      if (job.status !== 'succeeded') throw new ComplianceError('REPORT_NOT_READY', `Report ${reportId} is ${job.status}.`);
      const key = job.files?.[fileName];
      const format = formatOfFile(fileName);
      if (!key || !format) throw new ComplianceError('REPORT_FILE_NOT_FOUND', `Report ${reportId} has no file ${fileName}.`);
      return { body: await deps.blobs.get(key), contentType: REPORT_FILES[format].contentType };
    },
  };
}

/** What the job record keeps: group and account trends stay in the JSON file, so a record fits DynamoDB's 400 KB item limit. */
function storedSummary(summary: ReportSummary): ReportSummary {
  const MAX_SEGMENTS = 200;
  return {
    ...summary,
    byPatchGroup: summary.byPatchGroup.slice(0, MAX_SEGMENTS).map((s) => ({ ...s, trend: [] })),
    byAccount: summary.byAccount.slice(0, MAX_SEGMENTS).map((s) => ({ ...s, trend: [] })),
  };
}

function reportIdOf(payload: unknown): string | undefined {
  if (typeof payload === 'object' && payload !== null && 'reportId' in payload && typeof payload.reportId === 'string') return payload.reportId;
  return undefined;
}

