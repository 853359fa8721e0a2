import type { LogLevel } from '../core/index.js';
import type { ChangeScopeMode } from '../domain/index.js';

export type StoreUrl = { kind: 'sqlite'; path: string } | { kind: 'dynamodb'; table: string };
export type BlobUrl = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

export interface AwsAccount {
  readonly id: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly regions: readonly string[];
}

export type ServiceNowCredentials =
  | { readonly source: 'secret'; readonly secretId: string }
  | { readonly source: 'oauth'; readonly clientId: string; readonly clientSecret: string }
  | { readonly source: 'basic'; readonly username: string; readonly password: string };

export interface HmacKey {
  readonly id: string;
  readonly secret: string;
}

/** The validated, frozen configuration. Only `loadConfig` builds one. */
export interface Config {
  readonly server: { readonly host: string; readonly port: number; readonly publicUrl: string | undefined };
  readonly logLevel: LogLevel;
  /** `auto`: pretty on a terminal, JSON lines otherwise. The Lambda runtime always logs JSON. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly dataDir: string;
  readonly store: StoreUrl;
  readonly blobs: BlobUrl;
  readonly simulators: 'auto' | 'on' | 'off';
  readonly aws: {
    readonly regions: readonly string[];
    readonly accounts: readonly AwsAccount[];
    /**
     * Whether the environment points at real AWS (credentials, a profile, a role,
     * an endpoint, or a Lambda runtime). `serve` starts the AWS simulator only when not.
     */
    readonly configured: boolean;
    /**
     * `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_S3` names a custom endpoint (an
     * emulator such as LocalStack or s3rver): S3 then uses path-style addressing,
     * since `<bucket>.<host>` does not resolve for a host name like `localhost`.
     */
    readonly s3PathStyle: boolean;
  };
  readonly servicenow: {
    readonly instanceUrl: string | undefined;
    readonly credentials: ServiceNowCredentials | undefined;
    readonly mode: 'import-set' | 'table';
    readonly maxInFlight: number;
    readonly timeoutMs: number;
    readonly retryBudgetMs: number;
  };
  readonly api: {
    readonly jwt: { readonly issuer: string; readonly audience: string; readonly jwksUrl: string } | undefined;
    readonly hmac: { readonly secretId: string | undefined; readonly keys: readonly HmacKey[] };
    readonly rateLimitPerMinute: number;
  };
  readonly events: {
    readonly apiKey: string | undefined;
    readonly basicAuth: { readonly username: string; readonly password: string } | undefined;
    readonly snsTopicArns: readonly string[];
  };
  readonly topics: {
    readonly monitoring: string | undefined;
    readonly reports: string | undefined;
    readonly patchResults: string | undefined;
    readonly notificationRoleArn: string | undefined;
  };
  readonly patching: { readonly runbook: string; readonly statusFreshnessSeconds: number; readonly changeScope: ChangeScopeMode; readonly suggestCloseCode: boolean };
  readonly incidents: {
    readonly defaultGroup: string;
    readonly groupMap: readonly { readonly tagKey: string; readonly tagValue: string; readonly group: string }[];
    readonly serviceMap: Readonly<Record<string, string>>;
    readonly prodEnvironments: readonly string[];
    /** Resolve an open incident when a snapshot or a later successful run shows all its instances compliant. */
    readonly autoResolve: boolean;
    /** The incident `close_code` patchbridge resolves with. */
    readonly resolveCloseCode: string;
  };
  readonly compliance: {
    readonly staleDays: number;
    readonly reportDays: number;
    readonly snapshotMaxAgeSeconds: number;
    /** `PATCHBRIDGE_REPORT_WORKERS`: resolve with `historyWorkerCount`. */
    readonly reportWorkers: number | 'auto';
    readonly linkTtlSeconds: number;
    readonly linkSigningKey: string | undefined;
    readonly snapshotCron: string;
    readonly reportCron: string;
  };
  readonly outbox: { readonly pollMs: number };
  readonly console: {
    readonly oidc:
      | { readonly issuer: string; readonly clientId: string; readonly clientSecret: string | undefined; readonly rolesClaim: string; readonly operatorRole: string }
      | undefined;
  };
  /** What the API commands of the CLI (`runs`, `gates`, `reports`, `events`) call and sign with. */
  readonly cli: { readonly apiUrl: string; readonly keyId: string; readonly keyFile: string };
}

/** What `/readyz` and `patchbridge doctor` report as not yet configured. */
export interface MissingSetting {
  readonly setting: string;
  readonly why: string;
}
