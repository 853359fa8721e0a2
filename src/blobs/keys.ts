import { BlobError } from './errors.js';

/** S3's limit on a key, in UTF-8 bytes; the file store keeps to it too so keys move between stores. */
export const MAX_KEY_BYTES = 1024;

/** NUL and other control characters, and backslashes (a path separator on Windows). */
function hasForbiddenCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'empty path segment';
  if (segment === '.' || segment === '..') return 'relative path segment';
  return undefined;
}

function textProblem(value: string): string | undefined {
  if (hasForbiddenCharacter(value)) return 'control character or backslash';
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/** Why `key` is not a valid blob key, or undefined if it is. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'empty key';
  const problem = textProblem(key);
  if (problem !== undefined) return problem;
  for (const segment of key.split('/')) {
    const bad = segmentProblem(segment);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function invalid(reason: string): BlobError {
  // The key itself stays out of the message: it may be attacker-chosen text.
  return new BlobError('INVALID_KEY', `invalid blob key: ${reason}`);
}

/**
 * Validates a blob key (`history/dt=2026-01-01/snapshot.ndjson.gz`) and returns
 * its segments. Rejected with `BlobError('INVALID_KEY')`: empty keys, absolute
 * paths, empty or `.`/`..` segments, backslashes, NUL and control characters,
 * and keys over 1024 bytes.
 */
export function keySegments(key: string): string[] {
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalid(problem);
  return key.split('/');
}

/** Throws `INVALID_KEY` unless `key` is a valid blob key; returns it unchanged. */
export function checkKey(key: string): string {
  keySegments(key);
  return key;
}

/**
 * Validates a listing prefix: a key's beginning, so it may be empty, end in `/`
 * or stop mid-segment (`history/dt=2026-`); every complete segment must be valid.
 * Returns the complete segments (the folder the listing starts in).
 */
export function prefixFolders(prefix: string): string[] {
  if (typeof prefix !== 'string') throw invalid('prefix must be a string');
  if (prefix === '') return [];
  const problem = textProblem(prefix);
  if (problem !== undefined) throw invalid(problem);
  const folders = prefix.split('/').slice(0, -1);
  for (const segment of folders) {
    const bad = segmentProblem(segment);
    if (bad !== undefined) throw invalid(bad);
  }
  return folders;
}

/** Orders keys the way S3 lists them: by UTF-8 bytes, not UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
