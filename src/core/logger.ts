import { type DestinationStream, type LoggerOptions, pino, stdSerializers, stdTimeFunctions } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Every field name that may carry a credential, wherever it sits in a log object.
 * Redaction is configuration, not care: adding a credential-bearing field means
 * adding its name here, and `logger.test.ts` proves none of them leaks.
 */
export const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-patchbridge-signature',
  'password',
  'clientSecret',
  'client_secret',
  'secret',
  'secretKey',
  'secretAccessKey',
  'sessionToken',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'apiKey',
  'signature',
  'Signature',
  'hmacKeys',
  'signingKey',
  'privateKey',
  'basicAuth',
  'credentials',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
] as const;

/** pino redact paths: each secret field at the top level and up to four levels deep. */
export function redactPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    const dot = key.startsWith('[') ? '' : '.';
    out.push(key);
    out.push(`*${dot}${key}`);
    out.push(`*.*${dot}${key}`);
    out.push(`*.*.*${dot}${key}`);
    out.push(`*.*.*.*${dot}${key}`);
  }
  return out;
}

export interface CreateLoggerOptions {
  level?: LogLevel;
  name?: string;
  /** Where JSON lines go; stdout by default. Tests pass a capture stream. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** The one logger factory: JSON lines, secrets redacted by path, errors serialised with cause. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'patchbridge',
    base: options.base ?? { service: 'patchbridge' },
    redact: { paths: redactPaths(), censor: '[REDACTED]' },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: stdSerializers.errWithCause },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing; the default for library code under test. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
