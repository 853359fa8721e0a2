import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { loadConfig, missingSettings } from './load-config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the embedded defaults apply', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, publicUrl: undefined });
    expect(config.store).toEqual({ kind: 'sqlite', path: './.patchbridge/state.db' });
    expect(config.blobs).toEqual({ kind: 'file', dir: './.patchbridge/blobs' });
    expect(config.aws.regions).toEqual(['us-east-1']);
    expect(config.servicenow.mode).toBe('import-set');
    expect(config.servicenow.maxInFlight).toBe(4);
    expect(config.compliance.linkTtlSeconds).toBe(604_800);
    expect(config.simulators).toBe('auto');
  });

  it('when a value is valid, then it is parsed into the typed shape', () => {
    const config = loadConfig({
      PATCHBRIDGE_PORT: '9000',
      PATCHBRIDGE_STORE: 'dynamodb://patchbridge-state',
      PATCHBRIDGE_BLOBS: 's3://acme-patch-reports/prod/',
      PATCHBRIDGE_AWS_REGIONS: 'eu-west-1, us-gov-west-1',
      PATCHBRIDGE_AWS_ACCOUNTS: '111122223333:arn:aws:iam::111122223333:role/patchbridge:ext-id-42,444455556666',
      PATCHBRIDGE_SERVICENOW_URL: 'https://acme.service-now.com/',
      PATCHBRIDGE_SERVICENOW_CLIENT_ID: 'cid',
      PATCHBRIDGE_SERVICENOW_CLIENT_SECRET: 'csecret',
      PATCHBRIDGE_INCIDENT_GROUP_MAP: '{"Application=billing":"Billing Ops"}',
    });

    expect(config.server.port).toBe(9000);
    expect(config.store).toEqual({ kind: 'dynamodb', table: 'patchbridge-state' });
    expect(config.blobs).toEqual({ kind: 's3', bucket: 'acme-patch-reports', prefix: 'prod' });
    expect(config.aws.regions).toEqual(['eu-west-1', 'us-gov-west-1']);
    expect(config.aws.accounts).toEqual([
      { id: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/patchbridge', externalId: 'ext-id-42', regions: ['eu-west-1', 'us-gov-west-1'] },
      { id: '444455556666', regions: ['eu-west-1', 'us-gov-west-1'] },
    ]);
    expect(config.servicenow.instanceUrl).toBe('https://acme.service-now.com');
    expect(config.servicenow.credentials).toEqual({ source: 'oauth', clientId: 'cid', clientSecret: 'csecret' });
    expect(config.incidents.groupMap).toEqual([{ tagKey: 'Application', tagValue: 'billing', group: 'Billing Ops' }]);
  });

  it('when accounts are given as JSON, then per-account regions are kept', () => {
    const config = loadConfig({
      PATCHBRIDGE_AWS_ACCOUNTS: '[{"id":"111122223333","roleArn":"arn:aws:iam::111122223333:role/pb","externalId":"x1","regions":["ap-southeast-2"]}]',
    });
    expect(config.aws.accounts[0]).toEqual({ id: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/pb', externalId: 'x1', regions: ['ap-southeast-2'] });
  });

  it.each([
    ['PATCHBRIDGE_PORT', 'abc', /PATCHBRIDGE_PORT: expected an integer from 0 to 65535/],
    ['PATCHBRIDGE_PORT', '70000', /PATCHBRIDGE_PORT/],
    ['PATCHBRIDGE_STORE', 'mysql://x', /PATCHBRIDGE_STORE: expected sqlite:PATH or dynamodb:\/\/TABLE/],
    ['PATCHBRIDGE_BLOBS', 'ftp://x', /PATCHBRIDGE_BLOBS: expected file:DIR or s3:\/\/BUCKET\/PREFIX/],
    ['PATCHBRIDGE_LOG_LEVEL', 'loud', /PATCHBRIDGE_LOG_LEVEL/],
    ['PATCHBRIDGE_AWS_REGIONS', 'eu-west-1,mars', /PATCHBRIDGE_AWS_REGIONS/],
    ['PATCHBRIDGE_AWS_ACCOUNTS', '12345', /PATCHBRIDGE_AWS_ACCOUNTS/],
    ['PATCHBRIDGE_AWS_ACCOUNTS', '[{"id":"nope"}]', /PATCHBRIDGE_AWS_ACCOUNTS/],
    ['PATCHBRIDGE_SERVICENOW_URL', 'http://acme.service-now.com', /PATCHBRIDGE_SERVICENOW_URL: expected an https/],
    ['PATCHBRIDGE_SERVICENOW_URL', 'https://user:pw@acme.service-now.com', /without credentials/],
    ['PATCHBRIDGE_SERVICENOW_MODE', 'soap', /PATCHBRIDGE_SERVICENOW_MODE/],
    ['PATCHBRIDGE_SNAPSHOT_CRON', 'every day', /PATCHBRIDGE_SNAPSHOT_CRON/],
    ['PATCHBRIDGE_REPORT_LINK_TTL_SECONDS', '604801', /PATCHBRIDGE_REPORT_LINK_TTL_SECONDS/],
    ['PATCHBRIDGE_INCIDENT_GROUP_MAP', '{not json', /PATCHBRIDGE_INCIDENT_GROUP_MAP: expected JSON/],
    ['PATCHBRIDGE_MONITORING_TOPIC_ARN', 'arn:aws:sqs:us-east-1:111122223333:q', /PATCHBRIDGE_MONITORING_TOPIC_ARN/],
  ])('when %s=%s, then it fails naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  });

  it('when a secret-bearing variable is invalid, then the error does not echo its value', () => {
    const secret = 'k1:tooshort-secret-value';
    let message = '';
    try {
      loadConfig({ PATCHBRIDGE_API_HMAC_KEYS: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PATCHBRIDGE_API_HMAC_KEYS/);
    expect(message).not.toContain('tooshort-secret-value');
  });

  it('when only half of a credential pair is set, then it names the missing half', () => {
    expect(() => loadConfig({ PATCHBRIDGE_SERVICENOW_CLIENT_ID: 'cid' })).toThrow(/PATCHBRIDGE_SERVICENOW_CLIENT_SECRET/);
    expect(() => loadConfig({ PATCHBRIDGE_SERVICENOW_PASSWORD: 'pw' })).toThrow(/PATCHBRIDGE_SERVICENOW_USERNAME/);
  });

  it.each([
    [{}, false],
    [{ AWS_PROFILE: 'ops' }, true],
    [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, true],
    [{ PATCHBRIDGE_AWS_ACCOUNTS: '111122223333' }, true],
  ])('when the environment is %o, then AWS counts as configured: %s', (env, configured) => {
    expect(loadConfig(env).aws.configured).toBe(configured);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.aws.regions)).toBe(true);
  });

  it('when ServiceNow and API auth are unset, then readiness reports what is missing', () => {
    expect(missingSettings(loadConfig({})).map((m) => m.setting)).toEqual([
      'PATCHBRIDGE_SERVICENOW_URL',
      'PATCHBRIDGE_SERVICENOW_SECRET_ID',
      'PATCHBRIDGE_API_JWT_ISSUER',
    ]);
    const complete = loadConfig({
      PATCHBRIDGE_SERVICENOW_SECRET_ID: 'patchbridge/servicenow',
      PATCHBRIDGE_API_JWT_ISSUER: 'https://idp.example.com',
    });
    expect(missingSettings(complete)).toEqual([]);
    expect(complete.api.jwt?.jwksUrl).toBe('https://idp.example.com/.well-known/jwks.json');
  });
});
