import { Readable } from 'node:stream';
import { csvField } from '../../core/index.js';
import { REPORT_COLUMNS, type ReportRow } from '../../domain/index.js';

export { csvField };

const HEADER = REPORT_COLUMNS.map(([name]) => name).join(',');
/** Rows per chunk pushed to the stream. */
const ROWS_PER_CHUNK = 500;

/** The CSV as chunks of whole lines: header first, CRLF line ends (RFC 4180). */
export function* csvChunks(rows: Iterable<ReportRow>): Generator<string> {
  let lines: string[] = [HEADER];
  for (const row of rows) {
    lines.push(REPORT_COLUMNS.map(([name]) => csvField(row[name])).join(','));
    if (lines.length >= ROWS_PER_CHUNK) {
      yield `${lines.join('\r\n')}\r\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\r\n')}\r\n`;
}

/** A readable stream of the CSV, generated as it is consumed. */
export function csvStream(rows: Iterable<ReportRow>): Readable {
  return Readable.from(csvChunks(rows));
}
