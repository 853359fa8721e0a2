import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStandalone, startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/index.js';

const CHROMIUM = '/usr/bin/chromium';
/** One screenshot per console section, kept (git-ignored) under the default data dir for people to look at. */
const SHOTS = path.resolve(import.meta.dirname, '../../.patchbridge/console-screens');

let dir = '';
let running: RunningStandalone;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-console-'));
  mkdirSync(SHOTS, { recursive: true });
  running = await startStandalone(
    loadConfig({ PATCHBRIDGE_PORT: '0', PATCHBRIDGE_DATA_DIR: dir, PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`, PATCHBRIDGE_BLOBS: `file:${dir}/blobs`, PATCHBRIDGE_OUTBOX_POLL_MS: '200' }),
    { logger: silentLogger() },
  );
  if (existsSync(CHROMIUM)) {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

async function shot(page: Page, name: string, selector: string): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

describe('the console in headless Chromium', () => {
  it('walks the sandbox: the window fails into one incident per patch group, a run reaches its end, a report downloads as CSV', async (ctx) => {
    if (!browser) {
      ctx.skip(`${CHROMIUM} is absent: install Debian's chromium (scripts/ci-deps.sh) to run the console check`);
      return;
    }
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });

    // Open the console: readiness and the sandbox panel appear.
    await page.goto(`${running.url}/console`);
    expect(running.notes.at(-1)).toBe(`console: ${running.url}/console`);
    await page.getByText('Signed in as operator').waitFor();
    await page.locator('#ready-checks li').first().waitFor();
    await shot(page, '1-overview', '#overview');

    // Run the failing window: one incident per failing patch group, each with its number.
    await page.getByRole('button', { name: 'Run the window (with failures)' }).click();
    const status = page.locator('#status');
    await expect.poll(async () => (await status.textContent()) ?? '', { timeout: 20_000 }).toMatch(/made to fail: i-/);
    const failing = /made to fail: (.*)\./.exec((await status.textContent()) ?? '')?.[1]?.split(', ') ?? [];
    const incidentRows = page.locator('#incident-rows tr');
    // Each incident waits until its window's failures, which trickle in seconds apart, pause for a batching window (or its window ends).
    await expect.poll(async () => (await incidentRows.allTextContents()).filter((t) => /INC\d{7}/.test(t)).length, { timeout: 60_000 }).toBe(2);
    const texts = await incidentRows.allTextContents();
    expect(texts.every((t) => /^INC\d{7}pb:/.test(t))).toBe(true);
    await shot(page, '2-incidents', '#incidents');

    // Start a run under the approved change and watch it reach the end.
    // Two instances keep the run short; they were made to fail, so it ends Failed with both done.
    await page.getByLabel('or instance ids').fill(failing.slice(0, 2).join(', '));
    await page.getByLabel('Max concurrency').fill('100%');
    await page.getByRole('button', { name: 'Start run' }).click();
    const run = page.locator('#run-rows tr[data-run]').first();
    await run.waitFor();
    await expect.poll(async () => run.getAttribute('data-status'), { timeout: 40_000, interval: 500 }).toMatch(/^(Success|Failed|TimedOut)$/);
    const progress = (await run.locator('.progress-text').textContent()) ?? '';
    const [, done, total] = /^(\d+) of (\d+) done/.exec(progress) ?? [];
    expect(Number(total)).toBeGreaterThan(0);
    expect(done).toBe(total);
    await shot(page, '3-patch-runs', '#runs');
    await shot(page, '4-windows', '#windows');

    // Request a report, see its summary and chart, download the CSV.
    await page.getByRole('button', { name: 'Request a 7-day report' }).click();
    const report = page.locator('#report-list article[data-status="succeeded"]').first();
    await report.waitFor({ timeout: 30_000 });
    await expect(report.locator('svg[role="img"]').count()).resolves.toBe(1);
    await shot(page, '5-reports', '#reports');
    const [download] = await Promise.all([page.waitForEvent('download'), report.getByRole('link', { name: /Download CSV/ }).click()]);
    const saved = path.join(dir, 'report.csv');
    await download.saveAs(saved);
    const csv = readFileSync(saved, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/instance/i);
    expect(csv.trim().split('\n').length).toBeGreaterThan(100);

    expect(problems).toEqual([]);
  }, 120_000);
});
