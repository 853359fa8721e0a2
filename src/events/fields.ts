import { z } from 'zod';
import { InvalidEventError } from './errors.js';
import { ID_PATTERNS } from '../domain/index.js';

/**
 * Field patterns shared by the normalisers. Ids are checked strictly here
 * because they later reach ServiceNow encoded queries and console links.
 */
export const accountId = z.string().regex(ID_PATTERNS.accountId, 'a 12-digit account id');
export const region = z.string().regex(ID_PATTERNS.region, 'an AWS region');
export const uuid = z.string().regex(ID_PATTERNS.uuid, 'a UUID');
export const instanceId = z.string().regex(ID_PATTERNS.instanceId, 'an EC2 or managed instance id');
export const windowId = z.string().regex(ID_PATTERNS.windowId, 'a maintenance window id');
export const documentName = z.string().regex(/^[a-zA-Z0-9_\-.:/]{3,200}$/, 'an SSM document name or ARN');
export const nonEmpty = z.string().min(1);

/** Parses with `schema`, turning the first issues into an `InvalidEventError` reason. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const reason = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new InvalidEventError(`${what}: ${reason}`);
}

/** `JSON.parse` that fails with `INVALID_EVENT` instead of a `SyntaxError`. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidEventError(`${what} is not valid JSON`, { cause: err });
  }
}

/** A timestamp as ISO-8601 UTC, or `INVALID_EVENT`. */
export function isoTime(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidEventError(`${what}: not a timestamp`);
  return new Date(ms).toISOString();
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/**
 * Automation events spell dates like `Nov 29, 2016 7:43:25 PM` (UTC, no zone).
 * `Date.parse` of that is implementation-defined and local-time, so parse it by hand.
 */
export function automationTime(value: string, what: string): string {
  const m = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(value.trim());
  if (!m) return isoTime(value, what);
  const [, mon, day, year, hh, mm, ss, ampm] = m;
  const month = MONTHS[mon ?? ''];
  if (month === undefined) throw new InvalidEventError(`${what}: unknown month`);
  let hour = Number(hh) % 12;
  if (ampm === 'PM') hour += 12;
  return new Date(Date.UTC(Number(year), month, Number(day), hour, Number(mm), Number(ss))).toISOString();
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:…` → region and account, when both are well formed. */
export function arnScope(arn: string | undefined): { accountId: string; region: string } | undefined {
  if (!arn) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const r = region.safeParse(parts[3]);
  const a = accountId.safeParse(parts[4]);
  return r.success && a.success ? { accountId: a.data, region: r.data } : undefined;
}
