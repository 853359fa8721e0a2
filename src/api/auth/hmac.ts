import { createHmac, timingSafeEqual } from 'node:crypto';
import { constantTimeEqual, sha256Hex } from '../../core/index.js';
import { AuthError } from './errors.js';

/** The header HMAC callers send. */
export const SIGNATURE_HEADER = 'x-patchbridge-signature';

/** Requests whose `ts` is further than this from now are refused (the 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface SignatureParts {
  readonly keyId: string;
  readonly ts: number;
  readonly nonce: string;
  /** The 32-byte MAC, sent as lower-case hex or as Base64 (what ServiceNow's `generateMac` returns). */
  readonly sig: Buffer;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/v1/patch-runs?changeRequest=CHG0000001`. */
  readonly pathWithQuery: string;
  readonly body: Buffer | string;
}

const KEY_ID = /^[\w.-]{1,64}$/;
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const TS = /^\d{1,12}$/;
const SIG_HEX = /^[0-9a-fA-F]{64}$/;
const SIG_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** The header as `signRequest` writes it: the fields in order, no spaces (checked with one expression). */
const CANONICAL_HEADER = /^keyId=([\w.-]{1,64}),ts=(\d{1,12}),nonce=([A-Za-z0-9_-]{16,128}),sig=([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;
/** A GET has no body: its digest is this constant. */
const EMPTY_DIGEST = sha256Hex('');

/** Hex SHA-256 of the body (of the empty string when there is none). */
export function bodyDigest(body: Buffer | string): string {
  return body.length === 0 ? EMPTY_DIGEST : sha256Hex(body);
}

/**
 * The string that is signed: `METHOD\nPATH_WITH_QUERY\nTS\nNONCE\nHEX_SHA256(BODY)`.
 * The method is upper-cased; the path is taken verbatim (no re-encoding).
 */
export function canonicalString(request: SignedRequest, ts: number, nonce: string): string {
  return `${request.method.toUpperCase()}\n${request.pathWithQuery}\n${ts}\n${nonce}\n${bodyDigest(request.body)}`;
}

/** Lower-case hex HMAC-SHA256 of the canonical string. */
export function computeSignature(secret: string, request: SignedRequest, ts: number, nonce: string): string {
  return signatureBytes(secret, request, ts, nonce).toString('hex');
}

/** The 32 bytes of the HMAC-SHA256 of the canonical string. */
export function signatureBytes(secret: string, request: SignedRequest, ts: number, nonce: string): Buffer {
  return createHmac('sha256', secret).update(canonicalString(request, ts, nonce)).digest();
}

/**
 * Builds the `X-Patchbridge-Signature` header value for a request. For callers
 * (tests, the benchmark, scripts) and as the reference for `docs/api.md`.
 */
export function signRequest(
  key: { readonly id: string; readonly secret: string },
  request: SignedRequest,
  options: { ts: number; nonce: string },
): string {
  const sig = computeSignature(key.secret, request, options.ts, options.nonce);
  return `keyId=${key.id},ts=${options.ts},nonce=${options.nonce},sig=${sig}`;
}

function macBytes(text: string): Buffer | undefined {
  return SIG_HEX.test(text) ? Buffer.from(text, 'hex') : SIG_BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Parses the header; any deviation from the documented shape is a 401. */
export function parseSignatureHeader(value: string): SignatureParts {
  // Every request is signed: the usual form is read with one expression, any other order or spacing field by field.
  const usual = CANONICAL_HEADER.exec(value);
  if (usual) {
    const [, keyId = '', ts = '', nonce = '', sigText = ''] = usual;
    // The expression took 64 hex digits or 43 Base64 characters and `=`: the length says which.
    const sig = Buffer.from(sigText, sigText.length === 64 ? 'hex' : 'base64');
    if (sig.length === 32) return { keyId, ts: Number(ts), nonce, sig };
  }
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    const name = part.slice(0, i).trim();
    if (i < 1 || fields.has(name)) throw new AuthError('UNAUTHORIZED', 'malformed signature header');
    fields.set(name, part.slice(i + 1).trim());
  }
  const keyId = fields.get('keyId') ?? '';
  const ts = fields.get('ts') ?? '';
  const nonce = fields.get('nonce') ?? '';
  const sigText = fields.get('sig') ?? '';
  const sig = macBytes(sigText);
  if (fields.size !== 4 || !KEY_ID.test(keyId) || !TS.test(ts) || !NONCE.test(nonce) || sig?.length !== 32) {
    throw new AuthError('UNAUTHORIZED', 'malformed signature header');
  }
  return { keyId, ts: Number(ts), nonce, sig };
}

/**
 * Constant-time comparison of the expected MAC with the one received. Both are
 * 32 bytes (the header parser refuses any other length), so they are compared
 * as they are; anything else goes through `constantTimeEqual`, which hides lengths.
 */
export function signaturesEqual(expected: Buffer, actual: Buffer): boolean {
  return expected.length === 32 && actual.length === 32 ? timingSafeEqual(expected, actual) : constantTimeEqual(expected, actual);
}
