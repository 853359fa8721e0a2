import { type KeyObject, X509Certificate, verify as cryptoVerify } from 'node:crypto';
import { got } from 'got';
import { SnsVerificationError } from './errors.js';
import { arnScope } from './fields.js';
import type { SnsEnvelope } from './normalise.js';

/**
 * Fetches a URL with GET and returns the body text. Used for the signing
 * certificate and for `SubscribeURL`. Production uses `httpsFetcher`; tests
 * substitute one that serves the AWS simulator's certificate — the URL rules
 * below are checked before the fetcher is ever called, so they stay the
 * production rules.
 */
export type SnsFetcher = (url: string) => Promise<string>;

export interface SnsVerifierOptions {
  readonly fetch: SnsFetcher;
  /**
   * Topic ARNs accepted (`PATCHBRIDGE_SNS_TOPIC_ARNS`). Empty refuses every
   * delivery: a valid signature proves only that some AWS account's topic sent
   * it, and anyone can create a topic and subscribe this endpoint to it.
   */
  readonly allowedTopicArns: readonly string[];
  /** Certificates kept in memory (they rotate rarely). Default 16. */
  readonly maxCachedCertificates?: number;
}

export interface SnsVerifier {
  /**
   * Verifies the envelope's signature (SignatureVersion 1 = SHA1withRSA,
   * 2 = SHA256withRSA) against the certificate at `SigningCertURL`, after checking
   * the topic is allowed and the URL is `https://sns.<topic region>.amazonaws.com/….pem`.
   * Rejects with `SnsVerificationError`; `SNS_TOPIC_NOT_ALLOWED` for a topic not
   * in the allow-list and for every topic when the allow-list is empty.
   */
  verify(envelope: SnsEnvelope): Promise<void>;
  /** Verifies a `SubscriptionConfirmation` as `verify` does, then confirms it by GET of `SubscribeURL` (same host rule). */
  confirmSubscription(envelope: SnsEnvelope): Promise<void>;
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** The canonical string SNS signs: `Name\nValue\n` for each signed field present, in this order. */
export function snsStringToSign(envelope: SnsEnvelope): string {
  const fields = envelope.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const name of fields) {
    const value = envelope[name];
    // Subject is signed only when the publisher set one.
    if (value === undefined || value === null) continue;
    out += `${name}\n${value}\n`;
  }
  return out;
}

/**
 * The one host rule for every URL SNS hands us: HTTPS on the default port, host
 * exactly `sns.<region>.amazonaws.com` for the topic's region, no credentials.
 * Anything else could make us fetch an attacker's certificate or call an
 * attacker's URL (SSRF), so it is refused before any request.
 */
export function checkSnsUrl(raw: string | undefined, region: string, what: string, options: { pem?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    throw new SnsVerificationError('SNS_URL_REJECTED', `${what} is not a URL`);
  }
  const ok =
    url.protocol === 'https:' &&
    url.hostname === `sns.${region}.amazonaws.com` &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    (!options.pem || url.pathname.endsWith('.pem'));
  if (!ok) throw new SnsVerificationError('SNS_URL_REJECTED', `${what} must be https://sns.${region}.amazonaws.com/…`, { details: { host: url.hostname } });
  return url;
}

const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'sha1', '2': 'sha256' };

/** Builds a verifier over an injected fetcher. */
export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const allowed = new Set(options.allowedTopicArns);
  const maxCached = options.maxCachedCertificates ?? 16;
  const keys = new Map<string, KeyObject>();

  async function publicKey(url: URL): Promise<KeyObject> {
    const cached = keys.get(url.href);
    if (cached) return cached;
    let pem: string;
    try {
      pem = await options.fetch(url.href);
    } catch (err) {
      throw new SnsVerificationError('SNS_CERT_UNAVAILABLE', 'the SNS signing certificate could not be fetched', { cause: err });
    }
    let key: KeyObject;
    try {
      key = new X509Certificate(pem).publicKey;
    } catch (err) {
      throw new SnsVerificationError('SNS_SIGNATURE_INVALID', 'SigningCertURL did not return a certificate', { cause: err });
    }
    if (keys.size >= maxCached) keys.delete(keys.keys().next().value ?? '');
    keys.set(url.href, key);
    return key;
  }

  async function verify(envelope: SnsEnvelope): Promise<void> {
    const scope = arnScope(envelope.TopicArn);
    if (!scope) throw new SnsVerificationError('SNS_SIGNATURE_INVALID', 'TopicArn is not a topic ARN');
    if (allowed.size === 0) {
      throw new SnsVerificationError('SNS_TOPIC_NOT_ALLOWED', 'SNS deliveries are refused: no topic is allowed (PATCHBRIDGE_SNS_TOPIC_ARNS is empty)');
    }
    if (!allowed.has(envelope.TopicArn)) {
      throw new SnsVerificationError('SNS_TOPIC_NOT_ALLOWED', 'deliveries from this topic are not accepted', { details: { topicArn: envelope.TopicArn } });
    }
    const algorithm = ALGORITHMS[envelope.SignatureVersion ?? ''];
    if (!algorithm) throw new SnsVerificationError('SNS_SIGNATURE_INVALID', 'SignatureVersion must be 1 or 2');
    if (!envelope.Signature) throw new SnsVerificationError('SNS_SIGNATURE_INVALID', 'Signature is missing');
    const certUrl = checkSnsUrl(envelope.SigningCertURL ?? envelope.SigningCertUrl, scope.region, 'SigningCertURL', { pem: true });
    const key = await publicKey(certUrl);
    const signature = Buffer.from(envelope.Signature, 'base64');
    const ok = cryptoVerify(algorithm, Buffer.from(snsStringToSign(envelope), 'utf8'), key, signature);
    if (!ok) throw new SnsVerificationError('SNS_SIGNATURE_INVALID', 'the SNS signature does not verify', { details: { topicArn: envelope.TopicArn } });
  }

  async function confirmSubscription(envelope: SnsEnvelope): Promise<void> {
    await verify(envelope);
    const scope = arnScope(envelope.TopicArn);
    const url = checkSnsUrl(envelope.SubscribeURL, scope?.region ?? '', 'SubscribeURL');
    try {
      await options.fetch(url.href);
    } catch (err) {
      throw new SnsVerificationError('SNS_CONFIRM_FAILED', 'confirming the SNS subscription failed', { cause: err });
    }
  }

  return { verify, confirmSubscription };
}

/** The production fetcher: HTTPS GET, no redirects, short timeout. */
export const httpsFetcher: SnsFetcher = async (url) => {
  const response = await got(url, { followRedirect: false, timeout: { request: 5_000 }, retry: { limit: 2 }, throwHttpErrors: true });
  return response.body;
};
