import type { SimInstance } from './fleet.js';
import { instanceResourceArn } from './notifications.js';
import type { Rng } from './random.js';
import type { AccountState, SimCore } from './state.js';
import { epoch, type JsonInput, page, queryList, SimAwsError, type XmlNode } from './wire.js';
import { ID_SOURCES } from '../../domain/index.js';

/** Who is calling, as derived from the SigV4 access key. */
export interface Caller {
  readonly accessKeyId: string | undefined;
  readonly accountId: string;
  readonly region: string;
  readonly arn: string;
  readonly userId: string;
}

export interface SimSession {
  readonly accountId: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly expiresAt: number;
  readonly arn: string;
  readonly userId: string;
}

export interface SimSecret {
  readonly name: string;
  readonly arn: string;
  value: string;
  versionId: string;
  readonly createdAt: number;
}

/** State outside SSM: STS sessions, secrets, SNS topics. */
export interface ServiceState {
  readonly homeAccountId: string;
  readonly sessions: Map<string, SimSession>;
  /** Known accounts; when set, AssumeRole into any other is denied. */
  readonly accounts: ReadonlySet<string> | undefined;
  /** Known roles; when set, only these may be assumed, with their external id. */
  readonly roles: ReadonlyMap<string, { readonly externalId?: string }> | undefined;
  readonly secrets: Map<string, SimSecret>;
  readonly topics: Set<string>;
  readonly autoCreateTopics: boolean;
  readonly rng: Rng;
  /** Wall-clock now (credential expiry is real time, not simulated time). */
  readonly wallNow: () => number;
}

// ---------------------------------------------------------------------------
// Secrets Manager (JSON 1.1)
// ---------------------------------------------------------------------------

const SECRET_ARN = new RegExp(`^arn:aws[a-z-]*:secretsmanager:[^:]+:${ID_SOURCES.accountId}:secret:(.+)-[A-Za-z0-9]{6}$`);

function secretName(id: string): string {
  const m = SECRET_ARN.exec(id);
  return m?.[1] ?? id;
}

export const secretsHandlers = {
  GetSecretValue(svc: ServiceState, _caller: Caller, input: JsonInput) {
    const id = input.need('SecretId', { max: 2048 });
    const secret = svc.secrets.get(secretName(id));
    if (!secret) throw new SimAwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const version = input.str('VersionId');
    if (version !== undefined && version !== secret.versionId) {
      throw new SimAwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId: " + version);
    }
    const stage = input.str('VersionStage');
    if (stage !== undefined && stage !== 'AWSCURRENT') {
      throw new SimAwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: " + stage);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: epoch(secret.createdAt),
    };
  },

  DescribeSecret(svc: ServiceState, _caller: Caller, input: JsonInput) {
    const secret = svc.secrets.get(secretName(input.need('SecretId')));
    if (!secret) throw new SimAwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: epoch(secret.createdAt),
      VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
    };
  },
} as const;

// ---------------------------------------------------------------------------
// Resource Groups Tagging API (JSON 1.1)
// ---------------------------------------------------------------------------

const ARN = new RegExp(`^arn:aws[a-z-]*:(ec2|ssm):(${ID_SOURCES.region}):(${ID_SOURCES.accountId}):(instance|managed-instance)/(${ID_SOURCES.instanceId})$`);

export function taggingGetResources(core: SimCore, caller: Caller, input: JsonInput) {
  const state: AccountState = core.state(caller.accountId, caller.region);
  const arns = input.strList('ResourceARNList', { min: 1, max: 100 });
  const tagFilters = input.keyValues('TagFilters');
  const typeFilters = input.strList('ResourceTypeFilters');
  if (arns && (tagFilters.length > 0 || typeFilters)) {
    throw new SimAwsError('InvalidParameterException', 'ResourceARNList can not be specified together with TagFilters or ResourceTypeFilters.');
  }
  const perPage = input.int('ResourcesPerPage', { min: 1, max: 100 }) ?? 100;
  let instances = state.fleet.instances;
  if (arns) {
    const wanted: SimInstance[] = [];
    for (const arn of arns) {
      const m = ARN.exec(arn);
      if (!m) throw new SimAwsError('InvalidParameterException', `${arn} is not a valid ARN.`);
      const instance = m[2] === caller.region && m[3] === caller.accountId ? state.fleet.byId.get(m[5]!) : undefined;
      if (instance && !wanted.includes(instance)) wanted.push(instance);
    }
    instances = wanted;
  }
  if (typeFilters) {
    instances = instances.filter((i) =>
      typeFilters.some((t) => t === 'ec2' || t === 'ssm' || (t === 'ec2:instance' && i.resourceType === 'EC2Instance') || (t === 'ssm:managed-instance' && i.resourceType === 'ManagedInstance')),
    );
  }
  for (const f of tagFilters) {
    instances = instances.filter((i) => {
      const v = i.tags[f.key];
      return v !== undefined && (f.values.length === 0 || f.values.includes(v));
    });
  }
  const p = page('GetResources', instances, input.str('PaginationToken'), perPage);
  return {
    PaginationToken: p.nextToken ?? '',
    ResourceTagMappingList: p.items.map((i) => ({
      ResourceARN: instanceResourceArn({ accountId: caller.accountId, region: caller.region }, i.instanceId),
      Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
    })),
  };
}

// ---------------------------------------------------------------------------
// STS (query protocol)
// ---------------------------------------------------------------------------

const ROLE_ARN = new RegExp(`^arn:aws[a-z-]*:iam::(${ID_SOURCES.accountId}):role/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]+)$`);

export const stsHandlers = {
  AssumeRole(svc: ServiceState, caller: Caller, params: URLSearchParams): XmlNode {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw new SimAwsError('ValidationError', `${roleArn} is invalid`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new SimAwsError('ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
    }
    const account = m[1]!;
    const roleName = m[2]!;
    const denied = () =>
      new SimAwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    if (svc.accounts && !svc.accounts.has(account)) throw denied();
    if (svc.roles) {
      const role = svc.roles.get(roleArn);
      if (!role) throw denied();
      // A role trust policy with sts:ExternalId denies callers that send another (or none).
      if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied();
    }
    const duration = Number(params.get('DurationSeconds') ?? '3600');
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new SimAwsError('ValidationError', "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint");
    }
    const accessKeyId = `ASIA${svc.rng.upperAlnum(16)}`;
    const expiresAt = svc.wallNow() + duration * 1000;
    const roleId = `AROA${svc.rng.upperAlnum(17)}`;
    const session: SimSession = {
      accountId: account,
      roleArn,
      sessionName,
      expiresAt,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
    };
    svc.sessions.set(accessKeyId, session);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: svc.rng.hex(40),
        SessionToken: Buffer.from(svc.rng.hex(96), 'hex').toString('base64'),
        Expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
      PackedPolicySize: 0,
    };
  },

  GetCallerIdentity(_svc: ServiceState, caller: Caller): XmlNode {
    return { Arn: caller.arn, UserId: caller.userId, Account: caller.accountId };
  },
} as const;

// ---------------------------------------------------------------------------
// SNS (query protocol)
// ---------------------------------------------------------------------------

const TOPIC_ARN = new RegExp(`^arn:aws[a-z-]*:sns:(${ID_SOURCES.region}):(${ID_SOURCES.accountId}):([\\w-]{1,256})$`);
const MAX_MESSAGE_BYTES = 262_144;

export function topicArnFor(accountId: string, region: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

export const snsHandlers = {
  CreateTopic(svc: ServiceState, caller: Caller, params: URLSearchParams): XmlNode {
    const name = params.get('Name') ?? '';
    if (!/^[\w-]{1,256}$/.test(name)) throw new SimAwsError('InvalidParameter', 'Invalid parameter: Topic Name');
    const arn = topicArnFor(caller.accountId, caller.region, name);
    svc.topics.add(arn);
    return { TopicArn: arn };
  },

  ListTopics(svc: ServiceState, caller: Caller): XmlNode {
    const mine = [...svc.topics].filter((t) => t.split(':')[4] === caller.accountId && t.split(':')[3] === caller.region);
    return { Topics: { member: mine.map((TopicArn) => ({ TopicArn })) } };
  },

  Publish(svc: ServiceState, caller: Caller, params: URLSearchParams, core: SimCore): XmlNode {
    const topicArn = params.get('TopicArn') ?? params.get('TargetArn') ?? '';
    const m = TOPIC_ARN.exec(topicArn);
    if (!m) throw new SimAwsError('InvalidParameter', 'Invalid parameter: TopicArn');
    if (m[2] !== caller.accountId) {
      throw new SimAwsError('AuthorizationError', `User: ${caller.arn} is not authorized to perform: SNS:Publish on resource: ${topicArn}`, 403);
    }
    if (!svc.topics.has(topicArn)) {
      if (!svc.autoCreateTopics) throw new SimAwsError('NotFound', 'Topic does not exist', 404);
      svc.topics.add(topicArn);
    }
    const message = params.get('Message');
    if (message === null || message === '') throw new SimAwsError('InvalidParameter', 'Invalid parameter: Message');
    const subject = params.get('Subject') ?? undefined;
    if (subject !== undefined && (subject.length > 100 || subject === '' || /[^\x20-\x7e]/.test(subject))) {
      throw new SimAwsError('InvalidParameter', 'Invalid parameter: Subject');
    }
    const attributes: Record<string, { Type: string; Value: string }> = {};
    let attributeBytes = 0;
    for (const entry of queryList(params, 'MessageAttributes').values()) {
      const name = entry.get('Name');
      const type = entry.get('Value.DataType');
      const value = entry.get('Value.StringValue') ?? entry.get('Value.BinaryValue');
      if (!name || !type || value === undefined) throw new SimAwsError('InvalidParameterValue', 'The message attribute is invalid.');
      attributes[name] = { Type: type, Value: value };
      attributeBytes += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(value);
    }
    if (Buffer.byteLength(message) + attributeBytes > MAX_MESSAGE_BYTES) {
      throw new SimAwsError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    let body = message;
    if (params.get('MessageStructure') === 'json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        throw new SimAwsError('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
      }
      const def = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['default'] : undefined;
      if (typeof def !== 'string') throw new SimAwsError('InvalidParameter', 'Invalid parameter: Message Structure - No default entry in JSON message body');
      const http = (parsed as Record<string, unknown>)['https'] ?? (parsed as Record<string, unknown>)['http'];
      body = typeof http === 'string' ? http : def;
    }
    const envelope = core.deliveries.publishSns(topicArn, body, subject, attributes);
    return { MessageId: envelope.MessageId };
  },
} as const;
