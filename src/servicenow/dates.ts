const SN_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Formats a date as the Table API expects it: `YYYY-MM-DD HH:mm:ss` in UTC
 * (correct for an integration user whose time zone is UTC, which the docs require).
 */
export function formatServiceNowDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses a Table API date-time (`YYYY-MM-DD HH:mm:ss`, UTC); `undefined` for `''` or anything else. */
export function parseServiceNowDate(value: string | undefined): Date | undefined {
  const m = value ? SN_DATE.exec(value) : null;
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
