import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { type RunningStandalone, startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/index.js';
import type { PatchbridgeClient } from 'patchbridge/client';
import { createPatchbridgeClient } from '../../src/api/client/index.js';
import { captureIo } from './capture-io.js';

const ACCOUNT = '123456789012';
let dir: string;
let running: RunningStandalone;
let change: string;
let env: Record<string, string>;

async function cli(args: string[], extra: Record<string, string> = {}) {
  const io = captureIo({ ...env, ...extra });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-cli-api-'));
  const sandbox = { PATCHBRIDGE_PORT: '0', PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`, PATCHBRIDGE_BLOBS: `file:${dir}/blobs` };
  running = await startStandalone(loadConfig(sandbox), { logger: silentLogger() });
  change = /approved change (CHG\d{7})/.exec(running.notes.join('\n'))?.[1] ?? '';
  // Zero setup: the CLI finds the sandbox key in the data dir; only the URL of this ephemeral port is given.
  env = { PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_API_URL: running.url };
});

afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('patchbridge runs', () => {
  it('when a run is started under the approved change, then get, list and --json show it, and --wait ends with a progress bar', async () => {
    const started = await cli(['runs', 'start', '--change', change, '--account', ACCOUNT, '--patch-group', 'web-prod', '--json']);
    expect(started.code).toBe(0);
    const run = JSON.parse(started.out) as { id: string; status: string; changeRequest: string };
    expect(run.changeRequest).toBe(change);

    const got = await cli(['runs', 'get', run.id, '--json']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.out)).toMatchObject({ id: run.id, instances: { items: expect.any(Array) } });

    const listed = await cli(['runs', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^ID\s+CHANGE\s+STATUS/);
    expect(listed.out).toContain(run.id);

    // Two instances of the first run keep the followed run short.
    let instances: string[] = [];
    for (let i = 0; i < 80 && instances.length < 2; i += 1) {
      const detail = JSON.parse((await cli(['runs', 'get', run.id, '--json'])).out) as { instances: { items: { instanceId: string }[] } };
      instances = detail.instances.items.map((x) => x.instanceId);
      if (instances.length < 2) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(instances.length).toBeGreaterThanOrEqual(2);
    const waited = await cli(['runs', 'start', '--change', change, '--account', ACCOUNT, '--instance', ...instances.slice(0, 2), '--max-concurrency', '100%', '--operation', 'Scan', '--wait', '--interval-ms', '250']);
    expect(waited.err).toMatch(/^\[[#.]{30}\] \d+\/\d+ done, \d+ failed {2}(Pending|InProgress)/m);
    expect(waited.err).toMatch(/\[#{30}\] (\d+)\/\1 done, \d+ failed {2}(Success|Failed|TimedOut)/);
    expect(waited.code).toBe(/status\s+Success/.test(waited.out) ? 0 : 6);
    expect(waited.out).toMatch(/^id\s+[0-9a-f-]{36}$/m);
  }, 90_000);

  it.each([
    ['the change does not exist', 3, ['runs', 'start', '--change', 'CHG9999999', '--account', ACCOUNT, '--patch-group', 'web-prod'], {}, /409 CHANGE_NOT_FOUND|CHANGE_NOT_FOUND/],
    ['the request is invalid', 3, ['runs', 'start', '--change', 'not-a-change', '--account', ACCOUNT, '--patch-group', 'web-prod'], {}, /400 VALIDATION_FAILED/],
    ['the run does not exist', 3, ['runs', 'get', '00000000-0000-4000-8000-000000000000'], {}, /404/],
    ['the key is not known', 4, ['runs', 'list'], { PATCHBRIDGE_API_KEY_ID: 'stranger' }, /401 UNAUTHORIZED/],
    ['nothing listens at the URL', 5, ['runs', 'list'], { PATCHBRIDGE_API_URL: 'http://127.0.0.1:1023' }, /cannot reach patchbridge at http:\/\/127\.0\.0\.1:1023 \(connect ECONNREFUSED/],
    ['no key file exists', 2, ['runs', 'list'], { PATCHBRIDGE_API_KEY_FILE: '/nonexistent/key' }, /PATCHBRIDGE_API_KEY_FILE: cannot read the signing key/],
    ['neither targets are given', 2, ['runs', 'start', '--change', 'CHG0000001', '--account', ACCOUNT], {}, /give either --patch-group or --instance/],
  ] as const)('when %s, then it exits %i naming why', async (_label, exit, args, extra, message) => {
    const result = await cli([...args], extra);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(exit);
    expect(result.out).toBe('');
  });
});

describe('the typed client (patchbridge/client)', () => {
  it('when a script signs with the sandbox key, then it reads runs; with a wrong secret, then it gets the 401 problem', async () => {
    const secret = readFileSync(path.join(dir, 'sandbox-hmac.key'), 'utf8').trim();
    const client: PatchbridgeClient = createPatchbridgeClient({ baseUrl: running.url, hmacKey: { id: 'sandbox', secret } });
    const wrong: PatchbridgeClient = createPatchbridgeClient({ baseUrl: running.url, hmacKey: { id: 'sandbox', secret: 'x'.repeat(43) } });

    const ok = await client.GET('/v1/patch-runs', { params: { query: { limit: 5 } } });
    const refused = await wrong.GET('/v1/patch-runs', {});

    expect(ok.response.status).toBe(200);
    expect(Array.isArray(ok.data?.items)).toBe(true);
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('patchbridge gates', () => {
  it('when a window is gated with the approved change and then cleared, then list, set and clear say so', async () => {
    const listed = await cli(['gates', 'list', '--account', ACCOUNT, '--region', 'us-east-1', '--json']);
    expect(listed.code).toBe(0);
    const windows = (JSON.parse(listed.out) as { items: { windowId: string }[] }).items;
    const windowId = windows[0]?.windowId ?? '';
    expect(windowId).toMatch(/^mw-/);

    const set = await cli(['gates', 'set', windowId, '--change', change, '--account', ACCOUNT, '--region', 'us-east-1']);
    expect(set.code).toBe(0);
    expect(set.out).toMatch(new RegExp(`^change\\s+${change}$`, 'm'));
    expect(set.out).toMatch(/^state\s+(open|scheduled)$/m);

    const table = await cli(['gates', 'list', '--account', ACCOUNT, '--region', 'us-east-1']);
    expect(table.out).toMatch(new RegExp(`^${windowId}\\s.*\\s(open|scheduled)\\s+${change}`, 'm'));

    const cleared = await cli(['gates', 'clear', windowId, '--reason', 'done', '--json']);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.out)).toMatchObject({ windowId, revoked: true, state: 'revoked' });
  });

  it('when a window is gated with a change that does not exist, then exit 3', async () => {
    const result = await cli(['gates', 'set', 'mw-0123456789abcdef0', '--change', 'CHG9999999', '--account', ACCOUNT, '--region', 'us-east-1']);
    expect(result.code).toBe(3);
  });
});

describe('patchbridge reports and events', () => {
  it('when a report is requested and waited for, then get shows its summary and download writes the CSV', async () => {
    const requested = await cli(['reports', 'request', '--days', '7', '--formats', 'csv,json', '--wait', '--json']);
    expect(requested.code).toBe(0);
    const report = JSON.parse(requested.out) as { id: string; status: string };
    expect(report.status).toBe('succeeded');

    const got = await cli(['reports', 'get', report.id]);
    expect(got.out).toMatch(/^status\s+succeeded$/m);
    expect(got.out).toMatch(/^fleet\s+[\d.]+% compliant \(\d+\/120\)/m);
    expect(got.out).toMatch(/^PATCH GROUP\s+INSTANCES/m);

    const out = path.join(dir, 'downloads');
    const downloaded = await cli(['reports', 'download', report.id, '--format', 'csv', '--out', out]);
    expect(downloaded.code).toBe(0);
    const csv = readFileSync(path.join(out, 'compliance-report.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/instance/i);
    expect(csv.trim().split('\n').length).toBeGreaterThan(100);

    const missing = await cli(['reports', 'download', report.id, '--format', 'html', '--out', out]);
    expect(missing.code).toBe(3);
    expect(existsSync(path.join(out, 'compliance-report.html'))).toBe(false);
  }, 60_000);

  it('when an EventBridge event file is sent, then the sandbox accepts it with no setup, and a file that is not JSON exits 2', async () => {
    const file = path.join(dir, 'event.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: '0',
        id: 'c0ffee00-1088-4383-9df6-cd5b4ac42b99',
        'detail-type': 'EC2 Command Invocation Status-change Notification',
        source: 'aws.ssm',
        account: ACCOUNT,
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: { 'command-id': 'a8c7e76f-15f1-4c33-9052-0123456789ab', 'document-name': 'AWS-RunPatchBaseline', 'instance-id': 'i-1234567890abcdef0', 'requested-date-time': new Date().toISOString(), status: 'Success' },
      }),
    );
    const sent = await cli(['events', 'send', file, '--json']);
    expect(sent.err).toBe('');
    expect(sent.code).toBe(0);
    const answer = JSON.parse(sent.out) as { status: string; accepted: number; duplicates: number; ignored: number };
    expect(answer.status).toBe('accepted');
    expect(answer.accepted + answer.duplicates + answer.ignored).toBe(1);

    writeFileSync(path.join(dir, 'bad.json'), 'not json');
    const bad = await cli(['events', 'send', path.join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
  });
});
