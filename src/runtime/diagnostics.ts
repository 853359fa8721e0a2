import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { type AwsContext, isAwsError, toAwsError } from '../aws/index.js';
import { BlobError, type BlobStore } from '../blobs/index.js';
import { isAppError, withTimeout } from '../core/index.js';
import { isServiceNowError, type ServiceNowClient, type ServiceNowTable } from '../servicenow/index.js';
import { INDEX, tableDefinition } from '../store/index.js';
import type { CoreContext } from './core.js';

/** One line of `patchbridge doctor --online`, and the cause `/readyz` names. */
export interface DiagnosisLine {
  readonly name: string;
  /** `skipped`: not checkable without side effects; the hint says what to verify by hand. */
  readonly status: 'ok' | 'failed' | 'skipped';
  /** What was found: an account id, "3 GSIs", or the failure's cause. */
  readonly detail: string;
  /** What to do about a failure. */
  readonly hint?: string;
}

/** A failure with a short public cause (safe for `/readyz`) and a fix hint. */
export class DiagnosisError extends Error {
  readonly publicDetail: string;
  readonly hint: string;
  readonly skipped: boolean;
  constructor(cause: string, hint: string, options: { cause?: unknown; skipped?: boolean } = {}) {
    super(cause, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DiagnosisError';
    this.publicDetail = cause;
    this.hint = hint;
    this.skipped = options.skipped ?? false;
  }
}

const PROBE_PREFIX = '.patchbridge-probe';

/** The SDK error name a store or blob error wraps (`ResourceNotFoundException`, `NoSuchBucket` …). */
function awsName(err: unknown): string | undefined {
  if (!isAppError(err)) return undefined;
  const name = err.details['awsError'] ?? err.details['awsErrorName'];
  return typeof name === 'string' ? name : undefined;
}

/** The state store answers; a missing DynamoDB table is named as such. */
export async function checkStore(core: Pick<CoreContext, 'store' | 'config'>): Promise<string> {
  try {
    await core.store.ping();
    return core.config.store.kind === 'dynamodb' ? `table ${core.config.store.table}` : core.config.store.kind;
  } catch (err) {
    throw storeFailure(err, awsName(err), core.config.store.kind === 'dynamodb' ? core.config.store.table : undefined);
  }
}

function storeFailure(err: unknown, name: string | undefined, table: string | undefined): DiagnosisError {
  if (name === 'ResourceNotFoundException') {
    return new DiagnosisError('table not found', `create it with \`patchbridge store init\` (or deploy infra/); table ${table ?? ''}`, { cause: err });
  }
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
    return new DiagnosisError('table access denied', `grant the role dynamodb:GetItem/PutItem/UpdateItem/DeleteItem/Query on table ${table ?? ''} and its indexes`, {
      cause: err,
    });
  }
  return new DiagnosisError(`state store unavailable (${err instanceof Error ? err.message : 'unknown'})`, 'check PATCHBRIDGE_STORE and the DynamoDB endpoint or file path', { cause: err });
}

/**
 * The DynamoDB state table exists with the keys and indexes the store uses
 * (`tableDefinition`): `pk`/`sk` strings and the GSIs `gsi1`…`gsi3`.
 */
export async function checkStateTable(client: DynamoDBClient, tableName: string): Promise<string> {
  const described = await client.send(new DescribeTableCommand({ TableName: tableName })).catch((err: unknown) => {
    throw storeFailure(toAwsError(err, { operation: 'DynamoDB.DescribeTable' }), err instanceof Error ? err.name : undefined, tableName);
  });
  const table = described.Table;
  const want = tableDefinition(tableName).createTable;
  const keys = (table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const wantKeys = (want.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  if (keys !== wantKeys) {
    throw new DiagnosisError(`table ${tableName} has keys ${keys || 'none'}, expected ${wantKeys}`, 'this table was not made for patchbridge: point PATCHBRIDGE_STORE at a new table and run `patchbridge store init`');
  }
  const present = new Set((table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = Object.values(INDEX).filter((i) => !present.has(i));
  if (missing.length > 0) {
    throw new DiagnosisError(`table ${tableName} lacks indexes ${missing.join(', ')}`, 'recreate the table with `patchbridge store init` (or deploy infra/)');
  }
  return `table ${tableName}: pk/sk, ${present.size} indexes, ${table?.TableStatus ?? 'unknown status'}`;
}

/** Writes and deletes a probe object, so "bucket not writable" is found before a report is. */
export async function checkBlobStoreWritable(blobs: BlobStore, where: string): Promise<string> {
  const key = `${PROBE_PREFIX}/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await blobs.put(key, 'patchbridge write probe', { contentType: 'text/plain' });
    await blobs.delete(key);
    return `${where} writable`;
  } catch (err) {
    const name = awsName(err);
    const why =
      name === 'NoSuchBucket'
        ? 'no such bucket'
        : err instanceof BlobError && err.code === 'ACCESS_DENIED'
          ? 'access denied'
          : err instanceof Error
            ? err.message
            : 'unknown';
    throw new DiagnosisError(`bucket not writable (${why})`, `create the bucket or fix PATCHBRIDGE_BLOBS (${where}); the role needs s3:PutObject, s3:GetObject and s3:DeleteObject on its prefix`, {
      cause: err,
    });
  }
}

/** Maps a ServiceNow failure to what an operator fixes: reachability, credentials or roles. */
export function serviceNowFailure(err: unknown, what: string, roles: string): DiagnosisError {
  if (isServiceNowError(err)) {
    switch (err.code) {
      case 'UNAUTHORIZED':
        return new DiagnosisError('ServiceNow auth refused', 'check PATCHBRIDGE_SERVICENOW_CLIENT_ID/_SECRET, _USERNAME/_PASSWORD or the secret in PATCHBRIDGE_SERVICENOW_SECRET_ID', { cause: err });
      case 'FORBIDDEN':
      case 'NOT_FOUND':
        return new DiagnosisError(`ServiceNow refused ${what}`, `give the integration user ${roles} (see README "Connecting to ServiceNow")`, { cause: err });
      case 'INSTANCE_UNAVAILABLE':
        return new DiagnosisError('ServiceNow instance unavailable (hibernating or behind a login page)', 'wake the instance, or check PATCHBRIDGE_SERVICENOW_URL', { cause: err });
      case 'UNAVAILABLE':
      case 'TIMEOUT':
      case 'RATE_LIMITED':
        return new DiagnosisError(`ServiceNow unreachable (${err.message})`, 'check PATCHBRIDGE_SERVICENOW_URL, DNS and any proxy or firewall', { cause: err });
      default:
        break;
    }
  }
  return new DiagnosisError(`ServiceNow ${what} failed (${err instanceof Error ? err.message : 'unknown'})`, 'run with PATCHBRIDGE_LOG_LEVEL=debug for the request', { cause: err });
}

/** One authenticated request: reachability and credentials at once. */
export async function checkServiceNow(servicenow: Pick<ServiceNowClient, 'ping'>): Promise<string> {
  try {
    await servicenow.ping();
    return 'reachable, credentials accepted';
  } catch (err) {
    throw serviceNowFailure(err, 'the login', 'a user with `snc_platform_rest_api_access` where REST is restricted');
  }
}

async function readOne(servicenow: ServiceNowClient, table: ServiceNowTable, roles: string): Promise<string> {
  try {
    for await (const _ of servicenow.listRecords(table, { fields: ['sys_id'], limit: 1, pageSize: 1 })) break;
    return `${table} readable`;
  } catch (err) {
    throw serviceNowFailure(err, `access to ${table}`, roles);
  }
}

function snsFailure(err: unknown, arn: string): DiagnosisError {
  const aws = toAwsError(err, { operation: 'SNS.GetTopicAttributes' });
  if (aws.code === 'NOT_FOUND') return new DiagnosisError(`topic ${arn} not found`, 'create the topic (deploy infra/) or fix the PATCHBRIDGE_*_TOPIC_ARN variable', { cause: aws });
  if (aws.code === 'ACCESS_DENIED') return new DiagnosisError(`topic ${arn}: access denied`, 'grant sns:GetTopicAttributes and sns:Publish on the topic', { cause: aws });
  return new DiagnosisError(`topic ${arn}: ${aws.message}`, 'check the SNS endpoint and network', { cause: aws });
}

function awsFailure(err: unknown, operation: string, hint: string): DiagnosisError {
  const aws = isAwsError(err) ? err : toAwsError(err, { operation });
  return new DiagnosisError(aws.message, hint, { cause: aws });
}

/** A named check: `run` resolves with a detail or throws (a `DiagnosisError` carries the hint). */
export interface OnlineCheck {
  readonly name: string;
  run(): Promise<string>;
}

/**
 * Every check `patchbridge doctor --online` runs, in order: ServiceNow (login,
 * change_request, the staging table, the two app tables), each AWS account
 * (identity through its role and external id, an SSM read), the state table,
 * the blob store, and the SNS topics. Reads only, except a probe object written
 * to and deleted from the blob store.
 */
export function onlineChecks(core: CoreContext, options: { dynamoClient?: () => DynamoDBClient } = {}): OnlineCheck[] {
  const { config, servicenow, awsClients, aws } = core;
  let login: Promise<string> | undefined;
  const loggedIn = () => (login ??= checkServiceNow(servicenow));
  // A refused login would fail every later ServiceNow line the same way: say it once.
  const afterLogin = (read: () => Promise<string>) => async () => {
    await loggedIn().catch(() => {
      throw new DiagnosisError('not checked: the login failed', 'fix the line above first', { skipped: true });
    });
    return read();
  };
  const checks: OnlineCheck[] = [
    { name: 'ServiceNow: reachable with these credentials', run: loggedIn },
    { name: 'ServiceNow: read change_request', run: afterLogin(() => readOne(servicenow, 'change_request', '`itil`')) },
  ];
  for (const table of ['x_pbridge_patch_run', 'x_pbridge_window'] as const) {
    // Both app tables share one ACL role for read and write, so a read proves the role without writing a record.
    checks.push({ name: `ServiceNow: scoped app table ${table}`, run: afterLogin(() => readOne(servicenow, table, '`x_pbridge.integration`')) });
  }
  if (config.servicenow.mode === 'import-set') {
    checks.push({
      name: 'ServiceNow: import into x_pbridge_failure_import',
      // The Import Set API has no dry run, and any accepted row is transformed into an incident.
      run: async () => {
        throw new DiagnosisError('not probed (an import would create an incident)', 'the integration user needs import_set_loader and import_transformer', { skipped: true });
      },
    });
  }
  const home = awsClients.defaultContext();
  const contexts: AwsContext[] =
    config.aws.accounts.length > 0 ? config.aws.accounts.map((a) => ({ accountId: a.id, region: a.regions[0] ?? home.region })) : [home];
  for (const ctx of contexts) {
    const account = config.aws.accounts.find((a) => a.id === ctx.accountId);
    const label = ctx.accountId || 'ambient account';
    const via = account?.roleArn ? ` via ${account.roleArn}${account.externalId ? ' with external id' : ''}` : '';
    checks.push({
      name: `AWS ${label}: identity${via}`,
      run: async () => {
        const who = await aws.identity.whoAmI(ctx).catch((err: unknown) => {
          throw awsFailure(
            err,
            'STS.GetCallerIdentity',
            account?.roleArn
              ? `the role's trust policy must allow this principal${account.externalId ? ' with sts:ExternalId' : ''}; check PATCHBRIDGE_AWS_ACCOUNTS`
              : 'set AWS credentials (profile, role or environment)',
          );
        });
        if (ctx.accountId && who.account !== ctx.accountId) {
          throw new DiagnosisError(`credentials are for account ${who.account}, not ${ctx.accountId}`, 'fix the role ARN in PATCHBRIDGE_AWS_ACCOUNTS');
        }
        return who.arn;
      },
    });
    checks.push({
      name: `AWS ${label}: SSM read in ${ctx.region}`,
      run: async () => {
        const out = await awsClients
          .ssm(ctx)
          .send(new DescribeInstanceInformationCommand({ MaxResults: 5 }))
          .catch((err: unknown) => {
            throw awsFailure(err, 'SSM.DescribeInstanceInformation', 'grant ssm:DescribeInstanceInformation (the role in infra/ has it)');
          });
        return `${out.InstanceInformationList?.length ?? 0}${out.NextToken ? '+' : ''} managed instances visible`;
      },
    });
  }
  const store = config.store;
  if (store.kind === 'dynamodb') {
    const client = options.dynamoClient ?? (() => new DynamoDBClient({ region: home.region }));
    checks.push({ name: `DynamoDB: state table ${store.table}`, run: () => checkStateTable(client(), store.table) });
  } else {
    checks.push({ name: 'state store', run: () => checkStore(core) });
  }
  const where = config.blobs.kind === 's3' ? `s3://${config.blobs.bucket}/${config.blobs.prefix}` : config.blobs.dir;
  checks.push({ name: 'blob store: writable', run: () => checkBlobStoreWritable(core.blobs, where) });
  const topics = [
    ['monitoring', config.topics.monitoring],
    ['reports', config.topics.reports],
    ['patch results', config.topics.patchResults],
  ] as const;
  for (const [label, arn] of topics) {
    if (arn === undefined) continue;
    checks.push({
      name: `SNS: ${label} topic`,
      run: async () => {
        const [, , , region = home.region, accountId = home.accountId] = arn.split(':');
        const ctx = config.aws.accounts.some((a) => a.id === accountId) ? { accountId, region } : { ...home, region };
        await awsClients
          .sns(ctx)
          .send(new GetTopicAttributesCommand({ TopicArn: arn }))
          .catch((err: unknown) => {
            throw snsFailure(err, arn);
          });
        return `${arn} exists`;
      },
    });
  }
  return checks;
}

/** Runs checks one after another (so a line is printed as it is known) and reports each. */
export async function runChecks(checks: readonly OnlineCheck[], onLine?: (line: DiagnosisLine) => void): Promise<DiagnosisLine[]> {
  const lines: DiagnosisLine[] = [];
  for (const check of checks) {
    let line: DiagnosisLine;
    try {
      line = { name: check.name, status: 'ok', detail: await check.run() };
    } catch (err) {
      line =
        err instanceof DiagnosisError
          ? { name: check.name, status: err.skipped ? 'skipped' : 'failed', detail: err.publicDetail, hint: err.hint }
          : { name: check.name, status: 'failed', detail: err instanceof Error ? err.message : String(err), hint: 'unexpected failure; run with PATCHBRIDGE_LOG_LEVEL=debug' };
    }
    lines.push(line);
    onLine?.(line);
  }
  return lines;
}

/** How long a remote readiness answer is reused: `/readyz` is polled, and a probe write per poll would be waste. */
const READINESS_CACHE_MS = 30_000;
/** Under `/readyz`'s own 2 s limit, so a slow dependency is named rather than timed out. */
const READINESS_WAIT_MS = 1_800;

/** Reuses one answer (success or failure) for `ttlMs`, and never runs two probes at once. */
function cachedProbe(probe: () => Promise<string>, ttlMs: number, now: () => number, slow: string): () => Promise<string> {
  let last: { at: number; result: Promise<string> } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const result = probe();
      result.catch(() => undefined);
      last = { at: now(), result };
    }
    return withTimeout(last.result, READINESS_WAIT_MS, () => new DiagnosisError(slow, 'wait, or check the network to it'));
  };
}

/**
 * What `/readyz` checks, each naming its cause when it fails (`table not found`,
 * `bucket not writable (…)`, `ServiceNow auth refused`): the state store on every
 * call; the blob store (a probe write) and ServiceNow (one authenticated read)
 * at most every 30 s. ServiceNow is checked only when it is configured (otherwise
 * `missing` says so).
 */
export function readinessChecks(core: CoreContext): { name: string; check(): Promise<string> }[] {
  const now = () => core.clock.now().getTime();
  const where = core.config.blobs.kind === 's3' ? `s3://${core.config.blobs.bucket}/${core.config.blobs.prefix}` : core.config.blobs.kind;
  const checks = [
    { name: 'store', check: () => checkStore(core) },
    { name: 'blobs', check: cachedProbe(() => checkBlobStoreWritable(core.blobs, where), READINESS_CACHE_MS, now, 'blob store not answering') },
  ];
  if (core.config.servicenow.instanceUrl !== undefined && core.config.servicenow.credentials !== undefined) {
    checks.push({ name: 'servicenow', check: cachedProbe(() => checkServiceNow(core.servicenow), READINESS_CACHE_MS, now, 'ServiceNow not answering') });
  }
  return checks;
}
