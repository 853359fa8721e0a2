import { destination, type DestinationStream, type Logger, type LoggerOptions, pino, stdSerializers, stdTimeFunctions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { currentRequestContext } from './request-context.js';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Every field name that may carry a credential, wherever it sits in a log object.
 * Redaction is configuration, not care: a field with one of these names is
 * redacted wherever it sits; adding a credential-bearing field means adding its
 * name here, and `logger.test.ts` proves none of them leaks.
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

const SECRET_KEYS = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));
const MAX_DEPTH = 10;

/**
 * Returns a copy of `value` with every secret-named field (case-insensitive, at
 * any depth) replaced by `[REDACTED]`. Copies rather than mutates, because logged
 * objects are often frozen (the configuration is).
 */
export function redact(value: unknown, depth = 0, seen?: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Most lines (an API request's access line among them) are flat and name no secret: nothing to copy.
  if (depth === 0 && isFlatAndClean(value)) return value;
  return redactDeep(value, depth, seen ?? new WeakSet());
}

function isFlatAndClean(value: object): boolean {
  if (Array.isArray(value) || value instanceof Error || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) return false;
    const v: unknown = (value as Record<string, unknown>)[k];
    if ((v !== null && typeof v === 'object') || SECRET_KEYS.has(k.toLowerCase())) return false;
  }
  return true;
}

function redactDeep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  // This runs before pino's serializers, and an Error's message, stack and cause are
  // not enumerable: serialise it here or it would be logged as `{}`.
  const source: object = value instanceof Error ? stdSerializers.errWithCause(value) : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null ? '[REDACTED]' : redactDeep(v, depth + 1, seen);
  }
  return out;
}

export interface CreateLoggerOptions {
  level?: LogLevel;
  name?: string;
  /** Where JSON lines go; stdout by default. Tests pass a capture stream. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
  /**
   * `json` (default): one JSON object per line, for machines. `pretty`: one
   * human line per entry through pino-pretty (after redaction), coloured when
   * `colorize` is set, i.e. when the output is a terminal.
   */
  format?: 'json' | 'pretty';
  colorize?: boolean;
}

/**
 * Adds the id of the API request the current code runs for. A field the log call
 * passes itself wins (pino's default merge), so a line never carries two.
 */
function requestMixin(): Record<string, unknown> {
  const context = currentRequestContext();
  return context ? { requestId: context.requestId } : {};
}

/**
 * The one logger factory: JSON lines, secrets redacted by path, errors
 * serialised with cause, and the request id on every line written while an API
 * request's work runs (`runInRequestContext`), in flows and adapters too.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'patchbridge',
    base: options.base ?? { service: 'patchbridge' },
    timestamp: stdTimeFunctions.isoTime,
    mixin: requestMixin,
    // Errors are serialised by `redact` (it must see them first); pino's default `err`
    // serializer would re-serialise that plain object as type `Object`.
    serializers: { err: (value: unknown) => value },
    formatters: { level: (label) => ({ level: label }), log: (obj) => redact(obj) as Record<string, unknown> },
  };
  if (options.format === 'pretty') {
    // prettyFactory formats synchronously, so a line is on the terminal before the next statement runs.
    const prettify = prettyFactory({ colorize: options.colorize ?? false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,name' });
    const out = options.destination ?? destination({ dest: 1, sync: true });
    return pino(pinoOptions, { write: (line: string) => void out.write(prettify(line)) });
  }
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing; the default for library code under test. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
