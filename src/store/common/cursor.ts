import { z } from 'zod';
import { ValidationError } from '../../core/index.js';
import type { Page } from '../types.js';
import { isCanonicalIso } from './time.js';

/** Largest page a list call may ask for; keeps one DynamoDB query page and one SQLite read small. */
export const MAX_PAGE_SIZE = 1000;

/** Where a newest-first listing stopped: the last item returned. */
export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

const cursorSchema = z.object({
  v: z.literal(1),
  /** The listing this cursor belongs to, so a cursor cannot be replayed against another query. */
  s: z.string(),
  c: z.string().refine(isCanonicalIso),
  i: z.string().min(1),
});

export function encodeCursor(scope: string, position: ListPosition): string {
  const body: z.infer<typeof cursorSchema> = { v: 1, s: scope, c: position.createdAt, i: position.id };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Decodes an opaque cursor. Anything that is not one we issued for `scope`
 * (tampered, truncated, from another listing) is a `ValidationError`.
 */
export function decodeCursor(scope: string, cursor: string): ListPosition {
  const invalid = (cause?: unknown) =>
    new ValidationError('VALIDATION_FAILED', 'cursor is not valid for this listing', { cause, details: { field: 'cursor' } });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid(err);
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  if (parsed.data.s !== scope) throw invalid();
  return { createdAt: parsed.data.c, id: parsed.data.i };
}

/** Validates a page size: an integer in 1..MAX_PAGE_SIZE. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, {
      details: { field: 'limit', limit },
    });
  }
  return limit;
}

/**
 * Builds a page from up to `limit + 1` rows fetched newest first: the extra row
 * only proves there is a next page, so the last page never comes back empty.
 */
export function toPage<T extends ListPosition>(rows: readonly T[], limit: number, scope: string): Page<T>;
export function toPage<T>(rows: readonly T[], limit: number, scope: string, position: (row: T) => ListPosition): Page<T>;
export function toPage<T>(rows: readonly T[], limit: number, scope: string, position?: (row: T) => ListPosition): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1]!;
  return { items, nextCursor: encodeCursor(scope, position ? position(last) : (last as unknown as ListPosition)) };
}

/** The sort key both stores order newest-first listings by: fixed-width ISO time, then id. */
export function positionKey(position: ListPosition): string {
  return `${position.createdAt}#${position.id}`;
}

export const REPORTS_SCOPE = 'reports';

/** Cursor scope of the open-incident listing. */
export const OPEN_CORRELATIONS_SCOPE = 'open-correlations';

/** Where an open correlation record sits in its listing: least recently updated first. */
export function correlationPosition(record: { readonly updatedAt: string; readonly correlationId: string }): ListPosition {
  return { createdAt: record.updatedAt, id: record.correlationId };
}

/** Cursor scope of a patch-run listing: a cursor only continues the listing that issued it. */
export function runsScope(changeNumber: string | undefined): string {
  return changeNumber === undefined ? 'runs' : `runs:${changeNumber}`;
}

/** Cursor scope of an outbox listing of one kind. */
export function outboxScope(kind: string): string {
  return `outbox:${kind}`;
}
