import { z } from 'zod';

/**
 * Every PATCHBRIDGE_* variable: its default, what it accepts and what it means.
 * This table is the single source for `loadConfig`, for the README's
 * configuration table (a test keeps them in step) and for `patchbridge doctor`.
 */
export interface VariableSpec {
  readonly name: string;
  readonly default?: string;
  readonly description: string;
  /** Never printed, never logged. */
  readonly secret?: boolean;
}

export const VARIABLES = [
  { name: 'PATCHBRIDGE_HOST', default: '127.0.0.1', description: 'Address the standalone server listens on.' },
  { name: 'PATCHBRIDGE_PORT', default: '8080', description: 'Port the standalone server listens on (0 = any free port).' },
  { name: 'PATCHBRIDGE_PUBLIC_URL', description: 'Base URL callers use to reach this server; used for `Location` headers and standalone report links. Default `http://HOST:PORT`.' },
  { name: 'PATCHBRIDGE_LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  { name: 'PATCHBRIDGE_LOG_FORMAT', default: 'auto', description: '`auto` (coloured, human-readable lines when stdout is a terminal, JSON lines otherwise), `json` or `pretty`.' },
  { name: 'PATCHBRIDGE_DATA_DIR', default: './.patchbridge', description: 'Directory for embedded state and blobs; created as needed.' },
  { name: 'PATCHBRIDGE_STORE', default: 'sqlite:./.patchbridge/state.db', description: 'State store: `sqlite:PATH` or `dynamodb://TABLE`.' },
  { name: 'PATCHBRIDGE_BLOBS', default: 'file:./.patchbridge/blobs', description: 'Blob store: `file:DIR` or `s3://BUCKET/PREFIX`.' },
  { name: 'PATCHBRIDGE_SIMULATORS', default: 'auto', description: '`auto` starts the bundled ServiceNow and AWS simulators when ServiceNow / AWS are not configured; `on` always; `off` never.' },
  { name: 'PATCHBRIDGE_AWS_REGIONS', default: 'us-east-1', description: 'Comma-separated regions to manage.' },
  { name: 'PATCHBRIDGE_AWS_ACCOUNTS', description: 'Managed accounts: comma-separated `ACCOUNT_ID[:ROLE_ARN[:EXTERNAL_ID]]`, or a JSON array of `{id, roleArn?, externalId?, regions?}`. Empty = the account of the ambient credentials.' },
  { name: 'PATCHBRIDGE_SERVICENOW_URL', description: 'ServiceNow instance URL, e.g. `https://acme.service-now.com` (https only, except loopback).' },
  { name: 'PATCHBRIDGE_SERVICENOW_SECRET_ID', description: 'Secrets Manager secret holding `{instanceUrl, clientId, clientSecret}` or `{instanceUrl, username, password}`.' },
  { name: 'PATCHBRIDGE_SERVICENOW_CLIENT_ID', description: 'Local use: OAuth client id (with _CLIENT_SECRET).' },
  { name: 'PATCHBRIDGE_SERVICENOW_CLIENT_SECRET', description: 'Local use: OAuth client secret.', secret: true },
  { name: 'PATCHBRIDGE_SERVICENOW_USERNAME', description: 'Local use: Basic-auth user (with _PASSWORD).' },
  { name: 'PATCHBRIDGE_SERVICENOW_PASSWORD', description: 'Local use: Basic-auth password.', secret: true },
  { name: 'PATCHBRIDGE_SERVICENOW_MODE', default: 'import-set', description: '`import-set` (scoped app installed) or `table` (Table API on `incident`).' },
  { name: 'PATCHBRIDGE_SERVICENOW_MAX_IN_FLIGHT', default: '4', description: 'Concurrent requests to ServiceNow (1–32).' },
  { name: 'PATCHBRIDGE_SERVICENOW_TIMEOUT_MS', default: '30000', description: 'Per-request timeout.' },
  { name: 'PATCHBRIDGE_SERVICENOW_RETRY_BUDGET_MS', default: '120000', description: 'Total time retries of one call may take.' },
  { name: 'PATCHBRIDGE_API_JWT_ISSUER', description: 'OAuth issuer whose client-credentials JWTs the API accepts.' },
  { name: 'PATCHBRIDGE_API_JWT_AUDIENCE', default: 'patchbridge', description: 'Required `aud` of API JWTs.' },
  { name: 'PATCHBRIDGE_API_JWKS_URL', description: 'JWKS URL of the issuer (default `ISSUER/.well-known/jwks.json`).' },
  { name: 'PATCHBRIDGE_API_HMAC_SECRET_ID', description: 'Secrets Manager secret holding HMAC keys `{"keys":[{"id","secret"}]}` (two during rotation).' },
  { name: 'PATCHBRIDGE_API_HMAC_KEYS', description: 'Local use: HMAC keys as `ID:SECRET[,ID:SECRET]`.', secret: true },
  { name: 'PATCHBRIDGE_API_RATE_LIMIT', default: '600', description: 'Requests per minute per API client.' },
  { name: 'PATCHBRIDGE_CONSOLE_OIDC_ISSUER', description: 'OpenID Connect issuer the console signs people in with (authorization code + PKCE); without it the console opens only in the sandbox on loopback.' },
  { name: 'PATCHBRIDGE_CONSOLE_OIDC_CLIENT_ID', description: 'The console\'s client id at that issuer (redirect URI `PUBLIC_URL/console/callback`).' },
  { name: 'PATCHBRIDGE_CONSOLE_OIDC_CLIENT_SECRET', description: 'Its client secret, for a confidential client (omit for a public client).', secret: true },
  { name: 'PATCHBRIDGE_CONSOLE_OIDC_ROLES_CLAIM', default: 'roles', description: 'ID-token claim listing the user\'s roles or groups.' },
  { name: 'PATCHBRIDGE_CONSOLE_OPERATOR_ROLE', default: 'patchbridge-operator', description: 'Value of that claim that makes an operator (replay, runs, gates); everyone else signed in reads only.' },
  { name: 'PATCHBRIDGE_API_URL', description: 'CLI: the patchbridge API the `runs`, `gates`, `reports` and `events` commands call. Default `PATCHBRIDGE_PUBLIC_URL`, else `http://HOST:PORT`.' },
  { name: 'PATCHBRIDGE_API_KEY_ID', default: 'sandbox', description: 'CLI: id of the HMAC key the commands sign with.' },
  { name: 'PATCHBRIDGE_API_KEY_FILE', default: './.patchbridge/sandbox-hmac.key', description: "CLI: file holding that key's secret (the sandbox writes its key there, so the sandbox needs no setup)." },
  { name: 'PATCHBRIDGE_EVENTS_API_KEY', description: 'API key EventBridge API destinations send (header `x-api-key`) to `/v1/events`.', secret: true },
  { name: 'PATCHBRIDGE_EVENTS_BASIC_AUTH', description: 'Alternatively `USER:PASSWORD` for EventBridge connections using Basic auth.', secret: true },
  { name: 'PATCHBRIDGE_SNS_TOPIC_ARNS', description: 'Comma-separated SNS topic ARNs whose HTTPS deliveries `/v1/events` accepts (empty = SNS deliveries are refused; each event must also name the topic’s account).' },
  { name: 'PATCHBRIDGE_MONITORING_TOPIC_ARN', description: 'SNS topic incident drafts are published to (Lambda runtime).' },
  { name: 'PATCHBRIDGE_REPORTS_TOPIC_ARN', description: 'SNS topic report links are published to.' },
  { name: 'PATCHBRIDGE_PATCH_RESULTS_TOPIC_ARN', description: 'SNS topic Run Command notifications go to (set on commands we send).' },
  { name: 'PATCHBRIDGE_NOTIFICATION_ROLE_ARN', description: 'IAM role Run Command uses to publish to the PatchResults topic.' },
  { name: 'PATCHBRIDGE_PATCH_RUNBOOK', default: 'patchbridge-AdHocPatch', description: 'Automation runbook ad hoc patch runs start.' },
  { name: 'PATCHBRIDGE_CHANGE_SCOPE', default: 'none', description: 'What an approved change must cover before a patch run starts: `none`; `affected-cis` (every targeted instance is an affected CI of the change, or its CI); `patch-groups` (each patch group is named by an affected CI or the change\'s description; instance targets as `affected-cis`). Outside it: 403 `CHANGE_SCOPE_MISMATCH`.' },
  { name: 'PATCHBRIDGE_CHANGE_SUGGEST_CLOSE_CODE', default: 'false', description: 'When a patch run finishes, fill the change\'s empty `close_code` (`successful`, `successful_issues`, `unsuccessful`) and `close_notes` from its outcome; never overwrites a chosen code, never closes the change.' },
  { name: 'PATCHBRIDGE_RUN_STATUS_FRESHNESS_SECONDS', default: '15', description: 'A patch run read answers from the store while its status is younger than this; an older one is read from SSM first (once per run, however many ask). 1–3600.' },
  { name: 'PATCHBRIDGE_INCIDENT_DEFAULT_GROUP', default: 'Cloud Operations', description: 'Assignment group when no tag mapping matches.' },
  { name: 'PATCHBRIDGE_INCIDENT_GROUP_MAP', description: 'JSON `{ "TagKey=Value": "Group" }`, first match wins, e.g. `{"Application=billing":"Billing Ops"}`.' },
  { name: 'PATCHBRIDGE_INCIDENT_SERVICE_MAP', description: 'JSON `{ "PatchGroup": "CI name or sys_id" }` for multi-instance incidents.' },
  { name: 'PATCHBRIDGE_INCIDENT_AUTO_RESOLVE', default: 'true', description: 'Resolve (state 6, with a work note) an open patchbridge incident once the next compliance snapshot or a later successful run shows every instance of it compliant; `false` leaves resolving to people. Match `x_pbridge.incident.auto_resolve` in the scoped app.' },
  { name: 'PATCHBRIDGE_INCIDENT_RESOLVE_CLOSE_CODE', default: 'Solution provided', description: 'The `close_code` (resolution code) of incidents patchbridge resolves; a value of the instance’s `incident.close_code` choice list.' },
  { name: 'PATCHBRIDGE_INCIDENT_PROD_ENVIRONMENTS', default: 'production,prod', description: '`Environment` tag values treated as production by the impact/urgency policy.' },
  { name: 'PATCHBRIDGE_STALE_DAYS', default: '7', description: 'An instance silent for longer than this is stale.' },
  { name: 'PATCHBRIDGE_REPORT_DAYS', default: '30', description: 'Days of history a report covers.' },
  { name: 'PATCHBRIDGE_REPORT_SNAPSHOT_MAX_AGE_SECONDS', default: '3600', description: 'A report ending today uses today’s compliance snapshot instead of reading the fleet again when the snapshot is younger than this (0 = always read the fleet).' },
  { name: 'PATCHBRIDGE_REPORT_WORKERS', default: 'auto', description: 'Standalone: worker threads that parse a report\'s history, each its share of the instances (memory stays one fleet\'s worth, plus about 65 MB per worker); `auto` = one per CPU but one, up to 4, from 4 CPUs, else none; 0 = the main thread. The Lambda runtime always parses on its one thread.' },
  { name: 'PATCHBRIDGE_REPORT_LINK_TTL_SECONDS', default: '604800', description: 'Lifetime of report links (max 604800, the SigV4 limit).' },
  { name: 'PATCHBRIDGE_LINK_SIGNING_KEY', description: 'Standalone: key that signs report download links (generated and kept in the data dir when unset).', secret: true },
  { name: 'PATCHBRIDGE_SNAPSHOT_CRON', default: '15 2 * * *', description: 'When the daily compliance snapshot runs (UTC, 5-field cron).' },
  { name: 'PATCHBRIDGE_REPORT_CRON', default: '0 6 1 * *', description: 'When the monthly compliance report runs (UTC, 5-field cron).' },
  { name: 'PATCHBRIDGE_OUTBOX_POLL_MS', default: '1000', description: 'Standalone: how often the outbox worker looks for due deliveries.' },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof VARIABLES)[number]['name'];

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
