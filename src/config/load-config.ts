import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/index.js';
import { logLevel, VARIABLES, type VariableName } from './schema.js';
import type { AwsAccount, BlobUrl, Config, HmacKey, MissingSetting, StoreUrl } from './types.js';
import { ID_PATTERNS, ID_SOURCES } from '../domain/index.js';

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULTS = Object.fromEntries(
  VARIABLES.filter((v): v is Extract<(typeof VARIABLES)[number], { default: string }> => 'default' in v).map((v) => [
    v.name,
    v.default,
  ]),
) as Partial<Record<VariableName, string>>;

const { accountId: ACCOUNT_ID, region: REGION, roleArn: ROLE_ARN, topicArn: TOPIC_ARN } = ID_PATTERNS;
// A role ARN itself contains colons: ACCOUNT:arn:aws:iam::ACCOUNT:role/NAME[:EXTERNAL_ID]
const ACCOUNT_ENTRY = new RegExp(`^(${ID_SOURCES.accountId})(?::(${ID_SOURCES.roleArn}))?(?::([\\w+=,.@:/-]{2,1224}))?$`);
const CRON_FIELD = /^[\d*,/-]+$/;
/** Any of these means the SDK's default chain will find real credentials or an endpoint. */
const AWS_SIGNALS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_ENDPOINT_URL',
  'AWS_LAMBDA_FUNCTION_NAME',
] as const;

class Reader {
  constructor(private readonly env: Env) {}

  raw(name: VariableName): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? DEFAULTS[name] : value;
  }

  parse<T>(name: VariableName, schema: z.ZodType<T>, expected: string, normalise: (v: string | undefined) => string | undefined = (v) => v): T {
    const value = normalise(this.raw(name));
    const result = schema.safeParse(value);
    if (!result.success) throw new ConfigError(name, `expected ${expected}${value === undefined ? ', got nothing' : ''}`);
    return result.data;
  }

  optional(name: VariableName): string | undefined {
    return this.raw(name);
  }

  int(name: VariableName, min: number, max: number): number {
    return this.parse(name, z.coerce.number().int().min(min).max(max), `an integer from ${min} to ${max}`);
  }

  /** `true` or `false` (any case); anything else is a configuration error. */
  bool(name: VariableName): boolean {
    return this.parse(name, z.enum(['true', 'false']), 'true or false', (v) => v?.toLowerCase()) === 'true';
  }

  list(name: VariableName): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  json<T>(name: VariableName, schema: z.ZodType<T>, expected: string): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ConfigError(name, `expected JSON: ${expected}`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw new ConfigError(name, `expected ${expected}`);
    return result.data;
  }
}

function parseStore(r: Reader): StoreUrl {
  const value = r.raw('PATCHBRIDGE_STORE') ?? '';
  const sqlite = /^sqlite:(.+)$/.exec(value);
  if (sqlite?.[1]) return { kind: 'sqlite', path: sqlite[1] };
  const ddb = /^dynamodb:\/\/([A-Za-z0-9_.-]{3,255})$/.exec(value);
  if (ddb?.[1]) return { kind: 'dynamodb', table: ddb[1] };
  throw new ConfigError('PATCHBRIDGE_STORE', 'expected sqlite:PATH or dynamodb://TABLE');
}

function parseBlobs(r: Reader): BlobUrl {
  const value = r.raw('PATCHBRIDGE_BLOBS') ?? '';
  const file = /^file:(.+)$/.exec(value);
  if (file?.[1]) return { kind: 'file', dir: file[1] };
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (s3?.[1]) return { kind: 's3', bucket: s3[1], prefix: (s3[2] ?? '').replace(/\/+$/, '') };
  throw new ConfigError('PATCHBRIDGE_BLOBS', 'expected file:DIR or s3://BUCKET/PREFIX');
}

const accountJson = z.array(
  z.object({
    id: z.string().regex(ACCOUNT_ID),
    // JSON has no `undefined`: each is present with a value, or absent.
    roleArn: z.string().regex(ROLE_ARN).exactOptional(),
    externalId: z.string().min(2).max(1224).exactOptional(),
    regions: z.array(z.string().regex(REGION)).min(1).exactOptional(),
  }),
);

function parseAccounts(r: Reader, regions: string[]): AwsAccount[] {
  const value = r.raw('PATCHBRIDGE_AWS_ACCOUNTS');
  if (value === undefined) return [];
  const expected = 'ACCOUNT_ID[:ROLE_ARN[:EXTERNAL_ID]] entries or a JSON array of {id, roleArn?, externalId?, regions?}';
  if (value.startsWith('[')) {
    const parsed = r.json('PATCHBRIDGE_AWS_ACCOUNTS', accountJson, expected) ?? [];
    return parsed.map((a) => ({ ...a, regions: a.regions ?? regions }));
  }
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = ACCOUNT_ENTRY.exec(entry);
      if (!m?.[1]) throw new ConfigError('PATCHBRIDGE_AWS_ACCOUNTS', `expected ${expected}`);
      return {
        id: m[1],
        ...(m[2] ? { roleArn: m[2] } : {}),
        ...(m[3] ? { externalId: m[3] } : {}),
        regions,
      };
    });
}

function parseHmacKeys(r: Reader): HmacKey[] {
  return r.list('PATCHBRIDGE_API_HMAC_KEYS').map((entry) => {
    const i = entry.indexOf(':');
    const id = entry.slice(0, i);
    const secret = entry.slice(i + 1);
    // Never echo the value: it is a secret.
    if (i < 1 || !/^[\w.-]{1,64}$/.test(id) || secret.length < 32) {
      throw new ConfigError('PATCHBRIDGE_API_HMAC_KEYS', 'expected ID:SECRET pairs, each secret at least 32 characters');
    }
    return { id, secret };
  });
}

function parseCron(r: Reader, name: VariableName): string {
  const value = r.raw(name) ?? '';
  const fields = value.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new ConfigError(name, 'expected a 5-field cron expression such as "15 2 * * *"');
  }
  return value;
}

function httpUrl(name: VariableName, value: string | undefined, allowPlainLoopback: boolean): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'expected an absolute URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(allowPlainLoopback && loopback && url.protocol === 'http:')) {
    throw new ConfigError(name, 'expected an https:// URL (http:// only for loopback)');
  }
  if (url.username || url.password) throw new ConfigError(name, 'expected a URL without credentials');
  return url.toString().replace(/\/$/, '');
}

function consoleOidc(r: Reader): Config['console']['oidc'] {
  const issuer = httpUrl('PATCHBRIDGE_CONSOLE_OIDC_ISSUER', r.optional('PATCHBRIDGE_CONSOLE_OIDC_ISSUER'), true);
  if (issuer === undefined) return undefined;
  const clientId = r.optional('PATCHBRIDGE_CONSOLE_OIDC_CLIENT_ID');
  if (!clientId) throw new ConfigError('PATCHBRIDGE_CONSOLE_OIDC_CLIENT_ID', 'expected the console\'s client id at PATCHBRIDGE_CONSOLE_OIDC_ISSUER');
  return {
    issuer,
    clientId,
    clientSecret: r.optional('PATCHBRIDGE_CONSOLE_OIDC_CLIENT_SECRET'),
    rolesClaim: r.parse('PATCHBRIDGE_CONSOLE_OIDC_ROLES_CLAIM', z.string().regex(/^[\w:./-]{1,100}$/), 'a claim name'),
    operatorRole: r.parse('PATCHBRIDGE_CONSOLE_OPERATOR_ROLE', z.string().min(1).max(200), 'a role or group name'),
  };
}

/**
 * Reads and validates every PATCHBRIDGE_* variable (plus `AWS_REGION` as a default
 * region). Throws a `ConfigError` naming the first bad variable. The result is
 * deeply frozen. Nothing else in patchbridge reads `process.env`.
 */
export function loadConfig(env: Env): Config {
  const r = new Reader(env);
  const host = r.parse('PATCHBRIDGE_HOST', z.string().regex(/^[\w.:[\]-]{1,255}$/), 'a host name or IP address');
  const port = r.int('PATCHBRIDGE_PORT', 0, 65535);
  const regionsRaw = env['PATCHBRIDGE_AWS_REGIONS']?.trim() ? r.list('PATCHBRIDGE_AWS_REGIONS') : [env['AWS_REGION']?.trim() || 'us-east-1'];
  if (regionsRaw.length === 0 || !regionsRaw.every((x) => REGION.test(x))) {
    throw new ConfigError('PATCHBRIDGE_AWS_REGIONS', 'expected comma-separated AWS regions such as eu-west-1');
  }
  const accounts = parseAccounts(r, regionsRaw);
  const dataDir = path.resolve(r.raw('PATCHBRIDGE_DATA_DIR') ?? '.patchbridge');

  const clientId = r.optional('PATCHBRIDGE_SERVICENOW_CLIENT_ID');
  const clientSecret = r.optional('PATCHBRIDGE_SERVICENOW_CLIENT_SECRET');
  const username = r.optional('PATCHBRIDGE_SERVICENOW_USERNAME');
  const password = r.optional('PATCHBRIDGE_SERVICENOW_PASSWORD');
  const secretId = r.optional('PATCHBRIDGE_SERVICENOW_SECRET_ID');
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new ConfigError(clientId ? 'PATCHBRIDGE_SERVICENOW_CLIENT_SECRET' : 'PATCHBRIDGE_SERVICENOW_CLIENT_ID', 'expected both the OAuth client id and secret');
  }
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigError(username ? 'PATCHBRIDGE_SERVICENOW_PASSWORD' : 'PATCHBRIDGE_SERVICENOW_USERNAME', 'expected both the user name and password');
  }
  const credentials = secretId
    ? ({ source: 'secret', secretId } as const)
    : clientId && clientSecret
      ? ({ source: 'oauth', clientId, clientSecret } as const)
      : username && password
        ? ({ source: 'basic', username, password } as const)
        : undefined;

  const issuer = httpUrl('PATCHBRIDGE_API_JWT_ISSUER', r.optional('PATCHBRIDGE_API_JWT_ISSUER'), true);
  const jwksUrl = httpUrl('PATCHBRIDGE_API_JWKS_URL', r.optional('PATCHBRIDGE_API_JWKS_URL'), true);
  const basic = r.optional('PATCHBRIDGE_EVENTS_BASIC_AUTH');
  const basicSplit = basic?.indexOf(':') ?? -1;
  if (basic !== undefined && basicSplit < 1) throw new ConfigError('PATCHBRIDGE_EVENTS_BASIC_AUTH', 'expected USER:PASSWORD');
  const apiKey = r.optional('PATCHBRIDGE_EVENTS_API_KEY');
  if (apiKey !== undefined && apiKey.length < 16) throw new ConfigError('PATCHBRIDGE_EVENTS_API_KEY', 'expected at least 16 characters');
  const topic = (name: VariableName) => r.parse(name, z.string().regex(TOPIC_ARN).optional(), 'an SNS topic ARN');
  const snsTopicArns = r.list('PATCHBRIDGE_SNS_TOPIC_ARNS');
  if (!snsTopicArns.every((a) => TOPIC_ARN.test(a))) throw new ConfigError('PATCHBRIDGE_SNS_TOPIC_ARNS', 'expected comma-separated SNS topic ARNs');

  const groupMapRaw = r.json('PATCHBRIDGE_INCIDENT_GROUP_MAP', z.record(z.string().regex(/^[^=]{1,128}=[^=]{0,256}$/), z.string().min(1).max(80)), 'an object of "TagKey=Value": "Group"');
  const serviceMap = r.json('PATCHBRIDGE_INCIDENT_SERVICE_MAP', z.record(z.string().min(1).max(256), z.string().min(1).max(100)), 'an object of "PatchGroup": "CI"') ?? {};
  const linkSigningKey = r.optional('PATCHBRIDGE_LINK_SIGNING_KEY');
  if (linkSigningKey !== undefined && linkSigningKey.length < 32) throw new ConfigError('PATCHBRIDGE_LINK_SIGNING_KEY', 'expected at least 32 characters');

  const config: Config = {
    server: {
      host,
      port,
      publicUrl: httpUrl('PATCHBRIDGE_PUBLIC_URL', r.optional('PATCHBRIDGE_PUBLIC_URL'), true),
    },
    logLevel: r.parse('PATCHBRIDGE_LOG_LEVEL', logLevel, 'one of fatal, error, warn, info, debug, trace, silent'),
    logFormat: r.parse('PATCHBRIDGE_LOG_FORMAT', z.enum(['auto', 'json', 'pretty']), 'auto, json or pretty'),
    dataDir,
    store: parseStore(r),
    blobs: parseBlobs(r),
    simulators: r.parse('PATCHBRIDGE_SIMULATORS', z.enum(['auto', 'on', 'off']), 'auto, on or off'),
    aws: {
      regions: regionsRaw,
      accounts,
      configured: accounts.length > 0 || AWS_SIGNALS.some((name) => Boolean(env[name]?.trim())),
      s3PathStyle: Boolean(env['AWS_ENDPOINT_URL']?.trim() || env['AWS_ENDPOINT_URL_S3']?.trim()),
    },
    servicenow: {
      instanceUrl: httpUrl('PATCHBRIDGE_SERVICENOW_URL', r.optional('PATCHBRIDGE_SERVICENOW_URL'), true),
      credentials,
      mode: r.parse('PATCHBRIDGE_SERVICENOW_MODE', z.enum(['import-set', 'table']), 'import-set or table'),
      maxInFlight: r.int('PATCHBRIDGE_SERVICENOW_MAX_IN_FLIGHT', 1, 32),
      timeoutMs: r.int('PATCHBRIDGE_SERVICENOW_TIMEOUT_MS', 100, 300_000),
      retryBudgetMs: r.int('PATCHBRIDGE_SERVICENOW_RETRY_BUDGET_MS', 0, 3_600_000),
    },
    api: {
      jwt: issuer
        ? {
            issuer,
            audience: r.parse('PATCHBRIDGE_API_JWT_AUDIENCE', z.string().min(1).max(256), 'an audience string'),
            jwksUrl: jwksUrl ?? `${issuer}/.well-known/jwks.json`,
          }
        : undefined,
      hmac: { secretId: r.optional('PATCHBRIDGE_API_HMAC_SECRET_ID'), keys: parseHmacKeys(r) },
      rateLimitPerMinute: r.int('PATCHBRIDGE_API_RATE_LIMIT', 1, 1_000_000),
    },
    events: {
      apiKey,
      basicAuth: basic !== undefined ? { username: basic.slice(0, basicSplit), password: basic.slice(basicSplit + 1) } : undefined,
      snsTopicArns,
    },
    topics: {
      monitoring: topic('PATCHBRIDGE_MONITORING_TOPIC_ARN'),
      reports: topic('PATCHBRIDGE_REPORTS_TOPIC_ARN'),
      patchResults: topic('PATCHBRIDGE_PATCH_RESULTS_TOPIC_ARN'),
      notificationRoleArn: r.parse('PATCHBRIDGE_NOTIFICATION_ROLE_ARN', z.string().regex(ROLE_ARN).optional(), 'an IAM role ARN'),
    },
    patching: {
      runbook: r.parse('PATCHBRIDGE_PATCH_RUNBOOK', z.string().regex(/^[a-zA-Z0-9_.:/-]{3,128}$/), 'an SSM document name'),
      statusFreshnessSeconds: r.int('PATCHBRIDGE_RUN_STATUS_FRESHNESS_SECONDS', 1, 3600),
      suggestCloseCode: r.bool('PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE'),
      changeScope: r.parse('PATCHBRIDGE_CHANGE_SCOPE', z.enum(['none', 'affected-cis', 'patch-groups']), 'none, affected-cis or patch-groups'),
    },
    incidents: {
      defaultGroup: r.parse('PATCHBRIDGE_INCIDENT_DEFAULT_GROUP', z.string().min(1).max(80), 'a group name'),
      groupMap: Object.entries(groupMapRaw ?? {}).map(([k, group]) => {
        const i = k.indexOf('=');
        return { tagKey: k.slice(0, i), tagValue: k.slice(i + 1), group };
      }),
      serviceMap,
      prodEnvironments: r.list('PATCHBRIDGE_INCIDENT_PROD_ENVIRONMENTS').map((s) => s.toLowerCase()),
      autoResolve: r.bool('PATCHBRIDGE_INCIDENT_AUTO_RESOLVE'),
      resolveCloseCode: r.parse('PATCHBRIDGE_INCIDENT_RESOLVE_CLOSE_CODE', z.string().min(1).max(40), 'a close code of up to 40 characters'),
    },
    compliance: {
      staleDays: r.int('PATCHBRIDGE_STALE_DAYS', 1, 365),
      reportDays: r.int('PATCHBRIDGE_REPORT_DAYS', 1, 366),
      snapshotMaxAgeSeconds: r.int('PATCHBRIDGE_REPORT_SNAPSHOT_MAX_AGE_SECONDS', 0, 86_400),
      reportWorkers: r.parse('PATCHBRIDGE_REPORT_WORKERS', z.union([z.literal('auto'), z.coerce.number().int().min(0).max(16)]), '`auto` or an integer from 0 to 16'),
      linkTtlSeconds: r.int('PATCHBRIDGE_REPORT_LINK_TTL_SECONDS', 60, 604_800),
      linkSigningKey,
      snapshotCron: parseCron(r, 'PATCHBRIDGE_SNAPSHOT_CRON'),
      reportCron: parseCron(r, 'PATCHBRIDGE_REPORT_CRON'),
    },
    outbox: { pollMs: r.int('PATCHBRIDGE_OUTBOX_POLL_MS', 10, 600_000) },
    console: { oidc: consoleOidc(r) },
    cli: {
      apiUrl:
        httpUrl('PATCHBRIDGE_API_URL', r.optional('PATCHBRIDGE_API_URL'), true) ??
        httpUrl('PATCHBRIDGE_PUBLIC_URL', r.optional('PATCHBRIDGE_PUBLIC_URL'), true) ??
        `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`,
      keyId: r.parse('PATCHBRIDGE_API_KEY_ID', z.string().regex(/^[\w.-]{1,64}$/), 'a key id of letters, digits, ".", "_" or "-"'),
      // The default follows PATCHBRIDGE_DATA_DIR, where the sandbox keeps its key.
      keyFile: env['PATCHBRIDGE_API_KEY_FILE']?.trim() ? path.resolve(r.optional('PATCHBRIDGE_API_KEY_FILE') ?? '') : path.join(dataDir, 'sandbox-hmac.key'),
    },
  };
  return deepFreeze(config);
}

/** Settings that are valid but absent, so a feature cannot work yet. */
export function missingSettings(config: Config): MissingSetting[] {
  const missing: MissingSetting[] = [];
  if (!config.servicenow.instanceUrl && config.servicenow.credentials?.source !== 'secret') {
    missing.push({ setting: 'PATCHBRIDGE_SERVICENOW_URL', why: 'no ServiceNow instance to write incidents to or verify changes against' });
  }
  if (!config.servicenow.credentials) {
    missing.push({ setting: 'PATCHBRIDGE_SERVICENOW_SECRET_ID', why: 'no ServiceNow credentials (or set _CLIENT_ID/_CLIENT_SECRET or _USERNAME/_PASSWORD)' });
  }
  if (!apiAuthConfigured(config)) {
    missing.push({ setting: 'PATCHBRIDGE_API_JWT_ISSUER', why: 'the API has no way to authenticate callers (or set PATCHBRIDGE_API_HMAC_SECRET_ID / _KEYS)' });
  }
  return missing;
}

/** Whether the API has any way to authenticate callers (JWT issuer, HMAC secret or local HMAC keys). */
export function apiAuthConfigured(config: Config): boolean {
  return Boolean(config.api.jwt || config.api.hmac.secretId || config.api.hmac.keys.length > 0);
}

/** Deep-freezes a configuration derived from a loaded one (e.g. the sandbox's), as `loadConfig` does. */
export function freezeConfig(config: Config): Config {
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The process environment, for composition roots to hand to `loadConfig`. The only
 * place patchbridge touches `process.env` (a test keeps it that way).
 */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
