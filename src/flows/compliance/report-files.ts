import type { Readable } from 'node:stream';
import { csvStream } from './csv.js';
import { renderReportHtml } from './html.js';
import type { BuiltReport } from './report-builder.js';
import type { ReportFormat } from './report-request.js';

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
