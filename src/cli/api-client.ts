import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { createPatchbridgeClient, type PatchbridgeClient } from '../api/client/index.js';
import { type Config, loadConfig } from '../config/index.js';
import { AppError, ConfigError, describeCause } from '../core/index.js';
import type { CliIo } from './io.js';

/**
 * Exit codes of the API commands (`runs`, `gates`, `reports`, `events`), as the README documents them.
 * Configuration and usage errors exit 2 like every command.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** The API refused the request: validation, not found, change not approved, conflict (4xx). */
  refused: 3,
  /** Authentication or authorisation refused (401, 403). */
  auth: 4,
  /** patchbridge or a dependency unavailable: no connection, 429, 5xx. */
  unavailable: 5,
  /** `--wait`: the run or report finished, but not successfully. */
  unsuccessful: 6,
} as const;

/** An API command failed; `exitCode` is one of `EXIT`. */
export class CliExitError extends AppError<'API_FAILED'> {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('API_FAILED', message, options);
    this.exitCode = exitCode;
  }
}

/** `--json`, which every API command takes: print the API's JSON instead of a table. */
export function jsonOption(): Option {
  return new Option('--json', 'print the API response as JSON');
}

/** `--account`, defaulting to the only configured account (see `accountAndRegion`). */
export function accountOption(): Option {
  return new Option('--account <id>', 'AWS account id (default: the only configured account)');
}

/** `--region`, defaulting to the first configured region (see `accountAndRegion`). */
export function regionOption(): Option {
  return new Option('--region <region>', 'AWS region (default: the first configured region)');
}

export interface ApiContext {
  readonly config: Config;
  readonly client: PatchbridgeClient;
  readonly baseUrl: string;
  readonly json: boolean;
}

/** Reads the configuration and the signing key, and builds the typed client. */
export function apiContext(io: CliIo, options: { json?: boolean }): ApiContext {
  const config = loadConfig(io.env);
  let secret: string;
  try {
    secret = readFileSync(config.cli.keyFile, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(
      'PATCHBRIDGE_API_KEY_FILE',
      `cannot read the signing key ${config.cli.keyFile} (${describeCause(err) ?? 'unreadable'}); start the sandbox (npm start) or point it at your key`,
    );
  }
  if (secret === '') throw new ConfigError('PATCHBRIDGE_API_KEY_FILE', `the key file ${config.cli.keyFile} is empty`);
  return {
    config,
    baseUrl: config.cli.apiUrl,
    json: options.json === true,
    client: createPatchbridgeClient({ baseUrl: config.cli.apiUrl, hmacKey: { id: config.cli.keyId, secret } }),
  };
}

interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

function field(value: unknown, key: string): string | undefined {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** fetch rejects with a bare `TypeError: fetch failed`; the reason (`connect ECONNREFUSED …`) is its cause. */
export function networkCause(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  return describeCause(cause) ?? describeCause(err) ?? 'network error';
}

/** Awaits one API call: its data, or a `CliExitError` whose exit code says who is at fault. */
export async function call<T>(baseUrl: string, request: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (err) {
    throw new CliExitError(EXIT.unavailable, `cannot reach patchbridge at ${baseUrl} (${networkCause(err)})`, { cause: err });
  }
  const { response } = answer;
  if (response.ok && answer.error === undefined) return answer.data as T;
  const code = field(answer.error, 'code') ?? `HTTP_${response.status}`;
  const detail = field(answer.error, 'detail') ?? field(answer.error, 'title') ?? response.statusText;
  const exitCode =
    response.status === 401 || response.status === 403
      ? EXIT.auth
      : response.status === 429 || response.status >= 500
        ? EXIT.unavailable
        : EXIT.refused;
  throw new CliExitError(exitCode, `${response.status} ${code}: ${detail}`, { details: { status: response.status, code } });
}

/** `--json`: the API's own JSON; otherwise the human rendering. */
export function emit(io: CliIo, ctx: Pick<ApiContext, 'json'>, data: unknown, human: () => string): void {
  io.stdout.write(ctx.json ? `${JSON.stringify(data, null, 2)}\n` : human());
}

/** A plain aligned table: a header row, then one row per item; `-` for missing values. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

/** `key  value` lines for one record. */
export function fields(pairs: readonly (readonly [string, string | number | undefined])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k.padEnd(width)}  ${String(v)}`)
    .join('\n')}\n`;
}

/** The account and region a command acts in: given, or the only configured account and the first region. */
export function accountAndRegion(ctx: ApiContext, o: { account?: string; region?: string }): { account: string; region: string } {
  const account = o.account ?? (ctx.config.aws.accounts.length === 1 ? ctx.config.aws.accounts[0]?.id : undefined);
  if (account === undefined) throw new CliExitError(EXIT.usage, '--account is required unless exactly one account is configured');
  return { account, region: o.region ?? ctx.config.aws.regions[0] ?? 'us-east-1' };
}
