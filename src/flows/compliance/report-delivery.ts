import { PassThrough, type Readable } from 'node:stream';
import { type Logger, toError } from '../../core/index.js';
import { isId, type ReportSummary } from '../../domain/index.js';
import { encodedQuery, isServiceNowError } from '../../servicenow/index.js';
import type { ReportJobRecord } from '../../store/index.js';
import { ComplianceError } from './errors.js';
import type { ReportBlobs, ReportServiceNow } from './ports.js';
import type { ComplianceReportsDeps, ReportFileView } from './report-jobs.js';
import { formatOfFile, type NormalisedReportRequest, REPORT_FILES } from './report-request.js';
import { type ReportLink, reportSubject, reportText } from './text-summary.js';

/** How long one delivery step may run before another worker may take it over. */
const STEP_LEASE_SECONDS = 15 * 60;

export interface ReportDelivery {
  /** Download links of a built job's files: presigned (S3), signed by patchbridge (standalone), or none. */
  linksFor(job: ReportJobRecord): Promise<ReportFileView[]>;
  /** Publishes the summary to the reports topic and attaches the files to the requested item, each once per job. */
  deliver(job: ReportJobRecord, request: NormalisedReportRequest): Promise<void>;
}

/** The delivery half of report jobs: links, SNS and the ServiceNow requested item. */
export function createReportDelivery(deps: ComplianceReportsDeps, log: Logger): ReportDelivery {
  const ttl = Math.min(deps.settings.linkTtlSeconds, 604_800);

  async function linksFor(job: ReportJobRecord): Promise<ReportFileView[]> {
    const out: ReportFileView[] = [];
    for (const [name, key] of Object.entries(job.files ?? {})) {
      const format = formatOfFile(name);
      if (!format) continue;
      const base = { name, format, contentType: REPORT_FILES[format].contentType };
      const presigned = await deps.blobs.presign(key, ttl, { fileName: name });
      if (presigned) {
        out.push({ ...base, url: presigned, expiresAt: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString() });
      } else if (deps.standaloneLinks) {
        const { url, expiresAt } = deps.standaloneLinks.signer.url(deps.standaloneLinks.baseUrl, job.id, name, ttl);
        out.push({ ...base, url, expiresAt: expiresAt.toISOString() });
      } else {
        out.push(base);
      }
    }
    return out;
  }

  /**
   * Runs `step` once per job. The step runs under a lease-length claim (released
   * if it fails, so a retry redoes it; lapsing if the process dies mid-step, so a
   * crash cannot lose the delivery) that becomes a permanent marker once it succeeded.
   */
  async function once(job: ReportJobRecord, step: string, fn: () => Promise<void>): Promise<void> {
    const key = `report:${job.id}:${step}`;
    if (!(await deps.store.claim(key, job.id, STEP_LEASE_SECONDS))) return;
    try {
      await fn();
    } catch (err) {
      await deps.store.release(key, job.id);
      throw err;
    }
    await deps.store.extendClaim(key, job.id);
  }

  async function deliver(job: ReportJobRecord, request: NormalisedReportRequest): Promise<void> {
    const summary = storedSummaryOf(job);
    const files = await linksFor(job);
    const links: ReportLink[] = files.flatMap((f) => (f.url && f.expiresAt ? [{ name: f.name, format: f.format, url: f.url, expiresAt: f.expiresAt }] : []));
    const text = reportText(summary, { reportId: job.id, links });
    const topic = deps.settings.reportsTopicArn;
    if (topic && deps.publisher) {
      const publisher = deps.publisher;
      await once(job, 'sns', async () => {
        const { messageId } = await publisher.publish(topicContext(topic), topic, reportSubject(summary), text, {
          reportId: job.id,
          periodEnd: summary.period.end,
          compliancePct: summary.fleet.compliancePct ?? 0,
        });
        log.info({ reportId: job.id, messageId }, 'report published to SNS');
      });
    }
    if (request.requestedItem && deps.servicenow) {
      const sn = deps.servicenow;
      const requestedItem = request.requestedItem;
      await once(job, 'servicenow', async () => {
        const sysId = await resolveRequestedItem(sn, requestedItem);
        const refused: string[] = [];
        for (const format of ['csv', 'html'] as const) {
          const { name, contentType } = REPORT_FILES[format];
          const key = job.files?.[name];
          if (!key) continue;
          try {
            await sn.uploadAttachment({ table: 'sc_req_item', sysId, fileName: name, contentType, body: () => blobStream(deps.blobs, key) });
          } catch (err) {
            // Hardened instances refuse some file types (glide.attachment.extensions): say where the file is instead.
            if (!isServiceNowError(err, 'FORBIDDEN') && !isServiceNowError(err, 'BAD_REQUEST')) throw err;
            log.warn({ reportId: job.id, file: name, code: err.code }, 'the instance refused the report attachment; the work note links it instead');
            const link = links.find((l) => l.name === name);
            refused.push(`${name} was not attached: the instance refused the file type.${link ? ` Download it from ${link.url}` : ''}`);
          }
        }
        await sn.addWorkNote('sc_req_item', sysId, [text, ...refused].join('\n'));
        log.info({ reportId: job.id, requestedItem }, 'report attached to the requested item');
      });
    }
  }

  return { linksFor, deliver };
}

/** The summary a succeeded job carries, checked before it is read (the store gives back `unknown`). */
function storedSummaryOf(job: ReportJobRecord): ReportSummary {
  const s = job.summary;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    'period' in s &&
    'fleet' in s &&
    'byPatchGroup' in s &&
    'worstOffenders' in s &&
    Array.isArray(s.byPatchGroup) &&
    Array.isArray(s.worstOffenders);
  if (!ok) throw new ComplianceError('REPORT_NOT_READY', `Report ${job.id} has no summary to deliver.`, { details: { reportId: job.id } });
  return s as ReportSummary;
}

/** SNS requires the publishing client to be in the topic's own account and region. */
function topicContext(topicArn: string): { accountId: string; region: string } {
  const [, , , region = '', accountId = ''] = topicArn.split(':');
  return { accountId, region };
}

async function resolveRequestedItem(sn: ReportServiceNow, requestedItem: string): Promise<string> {
  if (isId('sysId', requestedItem)) {
    const record = await sn.getRecord('sc_req_item', requestedItem, ['number']);
    if (record) return record.sys_id;
  } else {
    for await (const record of sn.listRecords('sc_req_item', { query: encodedQuery().eq('number', requestedItem).build(), fields: ['number'], limit: 1 })) {
      return record.sys_id;
    }
  }
  throw new ComplianceError('REQUESTED_ITEM_NOT_FOUND', `Requested item ${requestedItem} does not exist in ServiceNow.`, { details: { requestedItem } });
}

/** A fresh stream of a blob per call, so the ServiceNow client can retry an upload. */
function blobStream(blobs: Pick<ReportBlobs, 'get'>, key: string): Readable {
  const out = new PassThrough();
  blobs.get(key).then(
    (source) => {
      source.on('error', (err) => out.destroy(err));
      source.pipe(out);
    },
    (err: unknown) => out.destroy(toError(err)),
  );
  return out;
}
