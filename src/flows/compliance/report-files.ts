import type { Readable } from 'node:stream';
import type { BlobStore } from '../../blobs/index.js';
import { csvStream } from './csv.js';
import { reportKey } from './history-layout.js';
import { renderReportHtml } from './html.js';
import type { BuiltReport } from './report-builder.js';
import { REPORT_FILES, type ReportFormat } from './report-request.js';

/**
 * The body of one report file. CSV is a stream generated row by row as it is
 * consumed; HTML and JSON are built from the summary, whose size follows the
 * number of patch groups and days, not instances.
 */
export function reportFileBody(format: ReportFormat, report: BuiltReport, reportId?: string): Readable | string {
  switch (format) {
    case 'csv':
      return csvStream(report.rows());
    case 'html':
      return renderReportHtml(report.summary, reportId ? { reportId } : {});
    case 'json':
      return `${JSON.stringify({ ...(reportId ? { reportId } : {}), ...report.summary }, null, 2)}\n`;
  }
}

/**
 * Writes a built report's files under `reportKey(createdDay, reportId, …)`, side
 * by side: each is its own object (an S3 multipart upload for a large CSV), so
 * the build ends with the slowest upload rather than their sum. Returns each
 * file's key and size by file name, in the order of `formats`.
 */
export async function putReportFiles(
  blobs: Pick<BlobStore, 'put'>,
  report: BuiltReport,
  o: { readonly createdDay: string; readonly reportId: string; readonly formats: readonly ReportFormat[] },
): Promise<{ readonly name: string; readonly key: string; readonly size: number }[]> {
  return Promise.all(
    o.formats.map(async (format) => {
      const { name, contentType } = REPORT_FILES[format];
      const key = reportKey(o.createdDay, o.reportId, name);
      const info = await blobs.put(key, reportFileBody(format, report, o.reportId), { contentType });
      return { name, key, size: info.size };
    }),
  );
}
