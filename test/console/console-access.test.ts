import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAccess, type RunningStandalone, startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/index.js';

let dir: string;
let running: RunningStandalone;
let cookie: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-console-access-'));
  running = await startStandalone(loadConfig({ PATCHBRIDGE_PORT: '0', PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`, PATCHBRIDGE_BLOBS: `file:${dir}/blobs` }), { logger: silentLogger() });
  const page = await fetch(`${running.url}/console`);
  cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});

afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console access', () => {
  it.each([
    ['the sandbox on a loopback bind', '127.0.0.1', true, true],
    ['the sandbox on every interface', '0.0.0.0', true, false],
    ['a real deployment without OpenID Connect', '127.0.0.1', false, false],
  ])('when %s, then the console is open: %s', (_label, host, sandbox, open) => {
    expect(consoleAccess(loadConfig({ PATCHBRIDGE_HOST: host }), sandbox).open).toBe(open);
  });

  it('when the page is served, then it carries an HttpOnly SameSite=Strict session cookie, a strict CSP, and no secret', async () => {
    const res = await fetch(`${running.url}/console`);
    const html = await res.text();
    const secret = readFileSync(path.join(dir, 'sandbox-hmac.key'), 'utf8').trim();

    expect(res.headers.get('set-cookie')).toMatch(/^pb_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).not.toContain(secret);
    expect(html).not.toContain(cookie.split('=')[1] ?? 'none');
    expect(html).toMatch(/<main id="main">/);
  });

  it.each([
    ['no session reads the API, then 401', 'GET', '/v1/patch-runs', false, false, 401],
    ['a session reads the API, then 200', 'GET', '/v1/patch-runs', true, false, 200],
    ['a cookie alone writes (a cross-site form), then 401', 'POST', '/v1/compliance/reports', true, false, 401],
    ['an operator session writes with the console header, then 202', 'POST', '/v1/compliance/reports', true, true, 202],
    ['no session reads the console API, then 401', 'GET', '/console/api/overview', false, false, 401],
    ['a session drives the sandbox without the console header, then 403', 'POST', '/console/api/sandbox/change', true, false, 403],
  ])('when %s (%s %s)', async (_label, method, url, withCookie, withHeader, status) => {
    const res = await fetch(`${running.url}${url}`, {
      method,
      headers: {
        ...(withCookie ? { cookie } : {}),
        ...(withHeader ? { 'x-patchbridge-console': '1' } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}` } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify(url.includes('sandbox') ? { action: 'reject' } : { period: { days: 7 } }) } : {}),
    });
    expect(res.status).toBe(status);
  });
});
