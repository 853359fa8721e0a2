/**
 * Opens the HTML report in Debian's headless Chromium (playwright-core, no
 * browser download), as a reader would from an email link, and checks it
 * renders: no console or page errors, no request leaves the file, and both
 * charts have real size on screen. Skipped, saying why, only where
 * /usr/bin/chromium is absent (CI installs it: scripts/ci-deps.sh).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComplianceAccumulator, periodDays, type ReportSummary, type SnapshotRecord, ZERO_COUNTS } from '../../src/domain/index.js';
import { renderReportHtml } from '../../src/flows/compliance/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const GROUPS = ['web-prod', 'db-prod', 'app-staging', 'batch-linux', '<script>alert(1)</script>'];

/** 30 days × 100 instances over five groups, with a dip mid-month and a day without data. */
function summary(): ReportSummary {
  const days = periodDays('2026-03-31', 30);
  const acc = new ComplianceAccumulator({ days });
  for (const [d, day] of days.entries()) {
    if (d === 11) continue;
    for (let i = 0; i < 100; i++) {
      const bad = (i % 7 === 0 && d >= 10 && d < 18) || (i % 11 === 0 && d >= 25);
      const record: SnapshotRecord = {
        ...ZERO_COUNTS,
        captured_at: `${day}T02:15:00.000Z`,
        account_id: i < 60 ? '111122223333' : '444455556666',
        aws_region: 'eu-west-1',
        instance_id: `i-${i.toString(16).padStart(17, '0')}`,
        computer_name: null,
        platform_type: 'Linux',
        platform_name: 'Amazon Linux',
        resource_type: 'EC2Instance',
        patch_group: i >= 95 ? null : (GROUPS[i % GROUPS.length] ?? null),
        baseline_id: null,
        status: bad ? 'NON_COMPLIANT' : 'COMPLIANT',
        last_operation: 'Scan',
        last_operation_at: `${day}T01:00:00.000Z`,
        ping_status: 'Online',
        last_ping_at: `${day}T02:00:00.000Z`,
        unmanaged: i >= 95,
        stale: false,
        missing_count: bad ? 3 : 0,
        critical_non_compliant_count: bad ? 1 : 0,
      };
      acc.add(day, record);
    }
  }
  return acc.summary({ generatedAt: '2026-03-31T06:00:00.000Z', live: true });
}

describe('HTML report in headless Chromium', () => {
  let browser: Browser | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pb-html-'));
    if (!hasChromium) return;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the report is opened from a file, then it renders without errors or requests, and both charts have size on screen', async (ctx) => {
    if (!browser) {
      ctx.skip(`${CHROMIUM} is absent: install Debian's chromium (scripts/ci-deps.sh) to run the browser check`);
      return;
    }
    // Prepare
    const s = summary();
    const file = path.join(dir, 'compliance-report.html');
    await writeFile(file, renderReportHtml(s, { reportId: '3f6d1a52-6a8e-4a0e-9f1f-1b2c3d4e5f60' }));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });

    // Act
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });

    // Assess
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    expect(await page.title()).toBe('Patch compliance 2026-03-02 – 2026-03-31');
    const trend = await page.locator('#trend-chart').boundingBox();
    expect(trend?.width).toBeGreaterThan(600);
    expect(trend?.height).toBeGreaterThan(100);
    // Day 12 has no data, so the line is drawn in two pieces around it.
    const lines = page.locator('#trend-chart .trend-line');
    expect(await lines.count()).toBe(2);
    for (const box of await Promise.all((await lines.all()).map((l) => l.boundingBox()))) {
      expect(box?.width).toBeGreaterThan(50);
      expect(box?.height).toBeGreaterThan(0);
    }
    expect(await page.locator('#trend-chart .trend-point').count()).toBe(29);
    const bars = page.locator('#group-bars .group-bar');
    expect(await bars.count()).toBe(s.byPatchGroup.length);
    for (const box of await Promise.all((await bars.all()).map((b) => b.boundingBox()))) {
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(5);
    }
    // A hostile patch group name is shown as text, never run.
    expect(await page.locator('text=<script>alert(1)</script>').count()).toBeGreaterThan(0);

    const png = await readFile(shot);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.readUInt32BE(16)).toBe(1100);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(30_000);
    await page.close();
  }, 60_000);
});
