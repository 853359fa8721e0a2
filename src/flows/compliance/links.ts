import { createHmac } from 'node:crypto';
import { type Clock, constantTimeEqual } from '../../core/index.js';
import { ComplianceError } from './errors.js';

export interface SignedLink {
  /** Unix seconds after which the link is refused. */
  readonly expires: number;
  /** base64url HMAC-SHA256 over the report id, file name and expiry. */
  readonly sig: string;
}

/**
 * Signs and checks the standalone server's report download links
 * (`/v1/compliance/reports/{id}/files/{name}?expires=…&sig=…`). The S3 runtime
 * uses SigV4 presigned URLs instead; these exist because a local file has none.
 */
export interface LinkSigner {
  sign(reportId: string, fileName: string, ttlSeconds: number): SignedLink;
  /**
   * Throws `ComplianceError('LINK_INVALID')` when the signature does not match
   * (any field changed, or another key) and `LINK_EXPIRED` when a genuine link
   * is past its expiry. The signature is checked first, so a forged expiry is
   * never reported as merely expired.
   */
  verify(reportId: string, fileName: string, expires: unknown, sig: unknown): void;
  /** The absolute link: `baseUrl` + path + query. */
  url(baseUrl: string, reportId: string, fileName: string, ttlSeconds: number): { url: string; expiresAt: Date };
}

const SIG = /^[A-Za-z0-9_-]{43}$/;
const EXPIRES = /^\d{1,12}$/;

export function createLinkSigner(options: { key: string; clock: Clock }): LinkSigner {
  if (options.key.length < 32) throw new ComplianceError('LINK_INVALID', 'link signing key must be at least 32 characters');
  const mac = (reportId: string, fileName: string, expires: number) =>
    createHmac('sha256', options.key).update(`patchbridge-report-link:v1\n${reportId}\n${fileName}\n${expires}`).digest();
  const signer: LinkSigner = {
    sign(reportId, fileName, ttlSeconds) {
      const expires = Math.floor(options.clock.now().getTime() / 1000) + Math.max(1, Math.floor(ttlSeconds));
      return { expires, sig: mac(reportId, fileName, expires).toString('base64url') };
    },
    verify(reportId, fileName, expires, sig) {
      if (typeof expires !== 'string' || typeof sig !== 'string' || !EXPIRES.test(expires) || !SIG.test(sig)) {
        throw new ComplianceError('LINK_INVALID', 'The download link is not valid.');
      }
      const expected = mac(reportId, fileName, Number(expires));
      const given = Buffer.from(sig, 'base64url');
      if (!constantTimeEqual(given, expected)) {
        throw new ComplianceError('LINK_INVALID', 'The download link is not valid.');
      }
      if (Number(expires) * 1000 <= options.clock.now().getTime()) {
        throw new ComplianceError('LINK_EXPIRED', 'The download link has expired; ask for a new one.');
      }
    },
    url(baseUrl, reportId, fileName, ttlSeconds) {
      const { expires, sig } = signer.sign(reportId, fileName, ttlSeconds);
      const path = `/v1/compliance/reports/${encodeURIComponent(reportId)}/files/${encodeURIComponent(fileName)}`;
      return { url: `${baseUrl.replace(/\/+$/, '')}${path}?expires=${expires}&sig=${sig}`, expiresAt: new Date(expires * 1000) };
    },
  };
  return signer;
}
