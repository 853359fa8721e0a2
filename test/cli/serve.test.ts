import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'src/cli/main.ts');
// Absolute, because the child runs in a scratch directory without node_modules.
const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function run(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', tsx, main, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, PATCHBRIDGE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('patchbridge (as a process)', () => {
  let cwd: string;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'pb-cli-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it.each([
    [{ PATCHBRIDGE_PORT: 'abc' }, 'PATCHBRIDGE_PORT'],
    [{ PATCHBRIDGE_STORE: 'mysql://x' }, 'PATCHBRIDGE_STORE'],
  ])('when the configuration is bad (%o), then serve exits non-zero with one line naming %s', async (env, variable) => {
    const child = run(['serve'], env, cwd);
    children.push(child);
    const io = collect(child);
    const code = await io.exit;
    expect(code).toBe(2);
    const lines = io.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^patchbridge: configuration error: ${variable}: expected `));
    expect(io.out()).toBe('');
  });

  it('when started on the embedded defaults, then it prints its address, answers /healthz, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = run(['serve'], { PATCHBRIDGE_PORT: '0' }, cwd);
    children.push(child);
    const io = collect(child);

    // Act
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(io.out()), 20_000);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] ?? '';
    const health = await fetch(`${url}/healthz`);
    const ready = await fetch(`${url}/readyz`);
    child.kill('SIGTERM');
    const code = await io.exit;

    // Assess
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const readiness = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(readiness.checks['store']?.ok).toBe(true);
    expect(code).toBe(0);
    expect(io.err()).not.toMatch(/error/i);
  }, 30_000);
});
