import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/api/auth/hmac.js';
import { startEmbeddedSimulators } from '../../src/cli/embedded-simulators.js';
import { startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';

describe('embedded simulators', () => {
  it.each([
    ['nothing is configured', {}, { aws: true, servicenow: true }],
    ['real AWS is configured but ServiceNow is not', { AWS_PROFILE: 'ops' }, { aws: false, servicenow: false }],
    ['ServiceNow is configured but AWS is not', { PATCHBRIDGE_SERVICENOW_URL: 'http://127.0.0.1:9', PATCHBRIDGE_SERVICENOW_SECRET_ID: 'sn' }, { aws: true, servicenow: false }],
    ['simulators are off', { PATCHBRIDGE_SIMULATORS: 'off' }, { aws: false, servicenow: false }],
    ['simulators are on, even with real AWS configured', { PATCHBRIDGE_SIMULATORS: 'on', AWS_PROFILE: 'ops' }, { aws: true, servicenow: true }],
  ])('when %s, then it starts %o', async (_name, env, expected) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pb-sims-'));
    const sims = await startEmbeddedSimulators(loadConfig({ ...env, PATCHBRIDGE_DATA_DIR: dataDir }), silentLogger());
    try {
      expect({ aws: Boolean(sims.aws), servicenow: Boolean(sims.servicenow) }).toEqual(expected);
      // Safety: a simulated ServiceNow never runs next to real AWS.
      if (sims.servicenow) expect(sims.aws).toBeDefined();
    } finally {
      await sims.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sandbox (npm start on the embedded defaults)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pb-sandbox-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when fully simulated, then readiness is green and a signed patch run for the seeded approved change is accepted', async () => {
    // Prepare
    const config = loadConfig({ PATCHBRIDGE_PORT: '0', PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`, PATCHBRIDGE_BLOBS: `file:${dir}/blobs` });
    const running = await startStandalone(config, { logger: silentLogger() });
    try {
      const keyFile = path.join(dir, 'sandbox-hmac.key');
      const secret = readFileSync(keyFile, 'utf8').trim();
      const change = /approved change (CHG\d{7})/.exec(running.notes.join('\n'))?.[1] ?? '';
      const body = JSON.stringify({ changeRequest: change, accountId: '123456789012', region: 'us-east-1', targets: { patchGroups: ['web-prod'] }, operation: 'Scan' });
      const signature = signRequest({ id: 'sandbox', secret }, { method: 'POST', pathWithQuery: '/v1/patch-runs', body }, { ts: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('hex') });

      // Act
      const ready = await fetch(`${running.url}/readyz`);
      const started = await fetch(`${running.url}/v1/patch-runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-patchbridge-signature': signature, 'idempotency-key': 'sandbox-1' },
        body,
      });

      // Assess
      expect((statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
      expect(running.notes.join('\n')).not.toContain(secret);
      expect(ready.status).toBe(200);
      expect(started.status).toBe(202);
      const run = (await started.json()) as { id: string; changeRequest: string };
      expect(run.changeRequest).toBe(change);
      expect(started.headers.get('location')).toBe(`/v1/patch-runs/${run.id}`);
    } finally {
      await running.close();
    }
  });
});

describe('serve with real AWS that cannot be reached', () => {
  // The SDK reads these from the process itself: pin them to loopback so no call
  // (credential chain, STS) ever leaves the machine.
  const pinned = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const [k, v] of Object.entries(pinned)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('when STS cannot be reached, then the server still starts and says compliance is off', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-noaws-'));
    // An endpoint nothing listens on stands in for unreachable AWS.
    const config = loadConfig({
      PATCHBRIDGE_PORT: '0',
      PATCHBRIDGE_DATA_DIR: dir,
      PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`,
      PATCHBRIDGE_BLOBS: `file:${dir}/blobs`,
      PATCHBRIDGE_SIMULATORS: 'off',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    try {
      const running = await startStandalone(config, { logger: silentLogger() });
      try {
        expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
        expect(running.notes.join('\n')).toMatch(/compliance: no AWS account could be resolved/);
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
