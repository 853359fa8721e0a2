const NEEDS_QUOTES = /[",\r\n]/;
// A cell starting with one of these is run as a formula by Excel / Sheets
// (OWASP "CSV injection"); tag values and AWS output are not ours, so text
// cells get a leading apostrophe. Numbers, booleans and dates never start with them.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted only when needed, inner quotes doubled, text that looks like a formula defused. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
