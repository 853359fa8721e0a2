import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../core/index.js';
import { type AwsSim, type AwsSimHarness, createAwsSim, createAwsSimHarness, createFleet, SIM_CREDENTIALS } from '../sim/aws/index.js';
import { createAwsClients, memoizeCredentials } from './client-factory.js';

const HOME = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/patchbridge-access`;
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/patchbridge-access`;

let h: AwsSimHarness | undefined;
const extraSims: AwsSim[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of extraSims.splice(0)) await s.close();
});

function harnessWithAccounts(otherExternalId = 'wrong-id') {
  return createAwsSimHarness({
    sim: {
      accountId: HOME,
      fleet: { size: 5, seed: 31, accountId: HOME },
      roles: { [MEMBER_ROLE]: { externalId: 'ext-222' }, [OTHER_ROLE]: { externalId: 'ext-333' } },
    },
    accounts: [
      { id: HOME, regions: ['us-east-1'] },
      { id: MEMBER, roleArn: MEMBER_ROLE, externalId: 'ext-222', regions: ['us-east-1', 'eu-west-1'] },
      { id: OTHER, roleArn: OTHER_ROLE, externalId: otherExternalId, regions: ['us-east-1'] },
    ],
  });
}

describe('createAwsClients', () => {
  it('when an account has a role, then its calls use credentials from AssumeRole with the external id, fetched once', async () => {
    // Prepare
    h = await harnessWithAccounts();
    const member = { accountId: MEMBER, region: 'us-east-1' };
    // Act
    const who = await h.ports.identity.whoAmI(member);
    await h.ports.inventory.describeInstances(member);
    await h.ports.inventory.describeInstances({ accountId: MEMBER, region: 'eu-west-1' });
    const home = await h.ports.identity.whoAmI(h.ctx);
    // Assess
    expect(who).toMatchObject({ account: MEMBER, arn: `arn:aws:sts::${MEMBER}:assumed-role/patchbridge-access/patchbridge-${MEMBER}` });
    expect(home.account).toBe(HOME);
    const assumes = h.sim.requestLog.filter((e) => e.operation === 'AssumeRole');
    expect(assumes).toHaveLength(1);
    expect(assumes[0]?.accessKeyId).toBe(SIM_CREDENTIALS.accessKeyId);
    const ssm = h.sim.requestLog.filter((e) => e.operation === 'DescribeInstanceInformation');
    expect(ssm.map((e) => e.accountId)).toEqual([MEMBER, MEMBER]);
    expect(ssm.map((e) => e.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(ssm.every((e) => e.accessKeyId?.startsWith('ASIA'))).toBe(true);
  });

  it('when each account has its own fleet, then calls through its role see that fleet', async () => {
    h = await createAwsSimHarness({
      sim: {
        accountId: HOME,
        fleet: { size: 3, seed: 35, accountId: HOME },
        fleets: { [MEMBER]: createFleet({ size: 9, seed: 36, accountId: MEMBER }) },
      },
      accounts: [
        { id: HOME, regions: [] },
        { id: MEMBER, roleArn: MEMBER_ROLE, externalId: 'ext-222', regions: [] },
      ],
    });

    const home = await h.ports.inventory.describeInstances(h.ctx);
    const member = await h.ports.inventory.describeInstances({ accountId: MEMBER, region: 'us-east-1' });

    expect([home.length, member.length]).toEqual([3, 9]);
    expect(member.map((i) => i.instanceId)).toEqual(h.sim.fleetFor(MEMBER).instances.map((i) => i.instanceId));
  });

  it('when the external id does not match the trust policy, then ACCESS_DENIED', async () => {
    h = await harnessWithAccounts('not-ext-333');

    const err = await h.ports.identity.whoAmI({ accountId: OTHER, region: 'us-east-1' }).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'ACCESS_DENIED', awsErrorName: 'AccessDenied', retryable: false });
    expect(JSON.stringify(err)).not.toContain(SIM_CREDENTIALS.secretAccessKey);
  });

  it.each([
    ['an account that is not configured', { accountId: '999999999999', region: 'us-east-1' }],
    ['a region the account does not list', { accountId: HOME, region: 'ap-south-1' }],
  ])('when called for %s, then INVALID_INPUT before any request', async (_label, ctx) => {
    h = await harnessWithAccounts();

    const err = await h.ports.inventory.describeInstances(ctx).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(h.sim.requestLog).toHaveLength(0);
  });

  it('when the same service, account and region are asked for twice, then the client is reused', () => {
    const clients = createAwsClients({ accounts: [], defaultRegion: 'us-east-1', logger: silentLogger(), endpointOverrides: 'http://127.0.0.1:9' });
    const ctx = { accountId: HOME, region: 'us-east-1' };

    const a = clients.ssm(ctx);
    const b = clients.ssm({ ...ctx });
    const other = clients.ssm({ ...ctx, region: 'eu-west-1' });

    expect(a).toBe(b);
    expect(other).not.toBe(a);
    expect(clients.sns(ctx)).not.toBe(a);
    clients.destroy();
  });

  it('when endpointOverrides maps only some services, then the others keep the SDK default endpoint', async () => {
    const clients = createAwsClients({
      accounts: [],
      defaultRegion: 'us-east-1',
      logger: silentLogger(),
      endpointOverrides: { ssm: 'http://127.0.0.1:4566' },
      credentials: SIM_CREDENTIALS,
    });
    const ctx = { accountId: HOME, region: 'us-east-1' };

    const ssmEndpoint = await clients.ssm(ctx).config.endpoint?.();
    const snsEndpoint = clients.sns(ctx).config.endpoint;

    expect(ssmEndpoint?.hostname).toBe('127.0.0.1');
    expect(snsEndpoint).toBeUndefined();
    clients.destroy();
  });

  it('when assumed-role credentials near expiry, then they are fetched again, and concurrent callers share one fetch', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    let fetches = 0;
    const provider = memoizeCredentials(
      async () => {
        fetches++;
        return { accessKeyId: `ASIA${fetches}`, secretAccessKey: 's', expiration: new Date(clock.now().getTime() + 3_600_000) };
      },
      clock,
      300_000,
    );

    await Promise.all([provider(), provider(), provider()]);
    await clock.advance(3_600_000 - 300_001);
    const stillFirst = await provider();
    await clock.advance(2);
    const refreshed = await provider();

    expect(stillFirst.accessKeyId).toBe('ASIA1');
    expect(refreshed.accessKeyId).toBe('ASIA2');
    expect(fetches).toBe(2);
  });

  it('when no override is given, then AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SSM read by the SDK itself route the calls', async () => {
    // Two simulators: the service-specific variable must win over the general one.
    const general = createAwsSim({ fleet: { size: 3, seed: 32 }, accountId: HOME });
    const ssmOnly = createAwsSim({ fleet: { size: 7, seed: 33 }, accountId: HOME });
    extraSims.push(general, ssmOnly);
    const generalUrl = await general.listen(0);
    const ssmUrl = await ssmOnly.listen(0);
    const child = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/aws/env-endpoint-child.ts');

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], {
      env: {
        PATH: process.env['PATH'] ?? '',
        AWS_ENDPOINT_URL: generalUrl,
        AWS_ENDPOINT_URL_SSM: ssmUrl,
        AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT1',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
        AWS_REGION: 'us-east-1',
      },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { instances: number; account: string };

    expect(out).toEqual({ instances: 7, account: HOME });
    expect(ssmOnly.count('DescribeInstanceInformation')).toBe(1);
    expect(general.count('GetCallerIdentity')).toBe(1);
    expect(general.count('DescribeInstanceInformation')).toBe(0);
    expect(ssmOnly.requestLog[0]?.accessKeyId).toBe('AKIDFROMENVIRONMENT1');
  });

  it('when a harness client is used directly, then it is an unmodified SDK client that only knows the endpoint', async () => {
    h = await createAwsSimHarness({ sim: { fleet: { size: 4, seed: 34 } } });

    const out = await h.clients.ssm(h.ctx).send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));

    expect(out.InstanceInformationList).toHaveLength(4);
    expect(await h.clients.ssm(h.ctx).config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  });
});
