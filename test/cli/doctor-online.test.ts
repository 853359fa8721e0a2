import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/index.js';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from './capture-io.js';
import { type AwsSim, startAwsSim } from '../../src/sim/aws/index.js';
import { createServiceNowSim, SIM_BASIC_CREDENTIALS, type ServiceNowSim } from '../../src/sim/servicenow/index.js';
import { type DynaliteServer, startDynalite } from '../../src/store/index.js';

const saved = { ...process.env };
let dir: string;
let aws: AwsSim;
let servicenow: ServiceNowSim;
let dynalite: DynaliteServer;
let s3: S3rver;
let s3Url: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-doctor-'));
  aws = await startAwsSim({ port: 0, fleetSize: 3, seed: 7, region: 'us-east-1', logger: silentLogger() });
  servicenow = createServiceNowSim({ seed: 3 });
  await servicenow.listen(0);
  dynalite = await startDynalite();
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 's3') });
  s3Url = `http://127.0.0.1:${(await s3.run()).port}`;
  // The AWS SDK reads endpoints and credentials from process.env itself, as it would for an operator.
  // s3rver knows one key pair; the AWS simulator and dynalite take any.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_ENDPOINT_URL_S3: s3Url,
  });
  env = {
    ...(process.env as Record<string, string>),
    PATCHBRIDGE_DATA_DIR: dir,
    PATCHBRIDGE_SIMULATORS: 'off',
    PATCHBRIDGE_STORE: 'dynamodb://pb-state',
    PATCHBRIDGE_BLOBS: 's3://pb-reports/patchbridge',
    PATCHBRIDGE_SERVICENOW_URL: servicenow.url,
    PATCHBRIDGE_SERVICENOW_USERNAME: SIM_BASIC_CREDENTIALS.username,
    PATCHBRIDGE_SERVICENOW_PASSWORD: 'not-the-password',
  };
});

afterAll(async () => {
  await Promise.allSettled([aws.close(), servicenow.close(), dynalite.stop(), s3.close()]);
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

describe('patchbridge doctor --online', () => {
  it('when the table is missing, the bucket is not writable and ServiceNow refuses the credentials, then three failing lines with hints and exit 1', async () => {
    const io = captureIo(env);

    const code = await runCli(['doctor', '--online'], io);

    expect(code).toBe(1);
    const failed = io.out().split('\n').filter((l) => l.startsWith('[FAIL]'));
    expect(failed).toHaveLength(3);
    expect(io.out()).toMatch(/^\[FAIL\] ServiceNow: reachable with these credentials: ServiceNow auth refused \(fix: check PATCHBRIDGE_SERVICENOW_/m);
    expect(io.out()).toMatch(/^\[FAIL\] DynamoDB: state table pb-state: table not found \(fix: create it with `patchbridge store init`/m);
    expect(io.out()).toMatch(/^\[FAIL\] blob store: writable: bucket not writable \(no such bucket\) \(fix: create the bucket or fix PATCHBRIDGE_BLOBS/m);
    expect(io.out()).toMatch(/^\[skip\] ServiceNow: read change_request: not checked: the login failed/m);
    expect(io.out()).toMatch(/^\[ok\] {3}AWS ambient account: identity: arn:aws:/m);
    expect(io.out()).toMatch(/^\[ok\] {3}AWS ambient account: SSM read in us-east-1: 3 managed instances visible/m);
    expect(io.out()).not.toContain('not-the-password');
    expect(io.err()).toMatch(/online check\(s\) failed/);
  });

  it('when the same configuration serves, then /readyz names each cause, blob store included', async () => {
    const running = await startStandalone(loadConfig({ ...env, PATCHBRIDGE_PORT: '0', PATCHBRIDGE_API_HMAC_KEYS: 'k1:0123456789abcdef0123456789abcdef' }), { logger: silentLogger() });
    try {
      const res = await fetch(`${running.url}/readyz`);
      const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };

      expect(res.status).toBe(503);
      expect(body.checks['store']).toEqual({ ok: false, detail: 'table not found' });
      expect(body.checks['blobs']).toEqual({ ok: false, detail: 'bucket not writable (no such bucket)' });
      expect(body.checks['servicenow']).toEqual({ ok: false, detail: 'ServiceNow auth refused' });
    } finally {
      await running.close();
    }
  });

  it('when store init has created the table, the bucket exists and the credentials are right, then every check passes and exit 0', async () => {
    const init = captureIo(env);
    expect(await runCli(['store', 'init'], init)).toBe(0);
    expect(init.out()).toMatch(/state table pb-state is ready/);
    const client = new S3Client({ region: 'us-east-1', forcePathStyle: true, endpoint: s3Url });
    await client.send(new CreateBucketCommand({ Bucket: 'pb-reports' }));
    client.destroy();
    const io = captureIo({ ...env, PATCHBRIDGE_SERVICENOW_PASSWORD: SIM_BASIC_CREDENTIALS.password });

    const code = await runCli(['doctor', '--online'], io);

    expect(io.out()).not.toContain('[FAIL]');
    expect(io.out()).toMatch(/^\[ok\] {3}DynamoDB: state table pb-state: table pb-state: pk\/sk, 3 indexes, ACTIVE/m);
    expect(io.out()).toMatch(/^\[ok\] {3}blob store: writable: s3:\/\/pb-reports\/patchbridge writable/m);
    expect(io.out()).toMatch(/^\[skip\] ServiceNow: import into x_pbridge_failure_import/m);
    expect(code).toBe(0);
  });
});
