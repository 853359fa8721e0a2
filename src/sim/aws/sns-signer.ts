import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';

/** The fields of an SNS HTTP(S) `Notification` message. */
export interface SnsNotificationEnvelope {
  readonly Type: 'Notification';
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: '1' | '2';
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
  readonly MessageAttributes?: Readonly<Record<string, { readonly Type: string; readonly Value: string }>>;
}

export type UnsignedEnvelope = Omit<SnsNotificationEnvelope, 'Signature'>;

/**
 * The canonical string SNS signs for a `Notification`: each present field name and
 * value on its own line, in this order (Subject only when set).
 */
export function snsStringToSign(m: Pick<SnsNotificationEnvelope, 'Message' | 'MessageId' | 'Subject' | 'Timestamp' | 'TopicArn' | 'Type'>): string {
  let s = `Message\n${m.Message}\nMessageId\n${m.MessageId}\n`;
  if (m.Subject !== undefined) s += `Subject\n${m.Subject}\n`;
  s += `Timestamp\n${m.Timestamp}\nTopicArn\n${m.TopicArn}\nType\n${m.Type}\n`;
  return s;
}

export interface SnsSigner {
  /** Self-signed X.509 certificate (PEM) holding the public key; serve it at `SigningCertURL`. */
  readonly certificatePem: string;
  readonly publicKeyPem: string;
  /** Signs like SNS: SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA; base64. */
  sign(envelope: UnsignedEnvelope): string;
}

export interface CreateSnsSignerOptions {
  readonly commonName?: string;
  /** Certificate validity start; default now. */
  readonly notBefore?: Date;
  readonly validDays?: number;
  /** An existing RSA private key (PEM), to keep the certificate stable across runs. */
  readonly privateKeyPem?: string;
}

/**
 * Makes an RSA key and a self-signed X.509 v3 certificate for it with node:crypto
 * alone (the DER is assembled here; node can parse but not issue certificates),
 * so an SNS signature verifier can be pointed at the simulator's certificate.
 */
export function createSnsSigner(options: CreateSnsSignerOptions = {}): SnsSigner {
  const privateKey: KeyObject = options.privateKeyPem
    ? createPrivateKey(options.privateKeyPem)
    : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicKey = createPublicKey(privateKey);
  const notBefore = options.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 365) * 86_400_000);
  const cn = options.commonName ?? 'sns.amazonaws.com';

  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8(cn))));
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.from(spki.subarray(-16))),
    sha256WithRsa,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const certDer = seq(tbs, sha256WithRsa, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  // Fail here, not in a verifier, if the DER above is ever malformed.
  new X509Certificate(certificatePem);

  return {
    certificatePem,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign(envelope) {
      const algorithm = envelope.SignatureVersion === '2' ? 'sha256' : 'sha1';
      return sign(algorithm, Buffer.from(snsStringToSign(envelope), 'utf8'), privateKey).toString('base64');
    },
  };
}

// --- minimal DER encoding -----------------------------------------------------

function der(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) header = Buffer.from([tag, len]);
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function seq(...parts: Buffer[]): Buffer {
  return der(0x30, Buffer.concat(parts));
}

function set(...parts: Buffer[]): Buffer {
  return der(0x31, Buffer.concat(parts));
}

function explicit(n: number, inner: Buffer): Buffer {
  return der(0xa0 + n, inner);
}

function integer(bytes: Buffer): Buffer {
  // Positive INTEGER: strip leading zeros, then keep the sign bit clear.
  let b = bytes;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return der(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    for (let n = p >>> 7; n > 0; n >>>= 7) stack.unshift((n & 0x7f) | 0x80);
    out.push(...stack);
  }
  return der(0x06, Buffer.from(out));
}

function utf8(s: string): Buffer {
  return der(0x0c, Buffer.from(s, 'utf8'));
}

function time(d: Date): Buffer {
  const iso = d.toISOString();
  const year = d.getUTCFullYear();
  const compact = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  // RFC 5280: UTCTime through 2049, GeneralizedTime after.
  return year < 2050 ? der(0x17, Buffer.from(compact)) : der(0x18, Buffer.from(`${iso.slice(0, 2)}${compact}`));
}
