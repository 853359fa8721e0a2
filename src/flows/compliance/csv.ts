import { Readable } from 'node:stream';
import { REPORT_COLUMNS, type ReportRow } from '../../domain/index.js';

const NEEDS_QUOTES = /[",\r\n]/;
// A cell starting with one of these is run as a formula by Excel / Sheets
// (OWASP "CSV injection"); tag values are user-controlled, so text cells get a
// leading apostrophe. Numbers, booleans and dates never start with them.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted only when needed, inner quotes doubled, text that looks like a formula defused. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

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
