/**
 * The thin shells around the compliance flow: the two Lambda handlers, the
 * standalone scheduler jobs and `patchbridge report`, each over the simulators.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.js';
import type { CliIo } from '../../src/cli/io.js';
import { silentLogger } from '../../src/core/logger.js';
import { addDays } from '../../src/domain/index.js';
import { loadConfig } from '../../src/config/index.js';
import {
  complianceJobs,
  createComplianceFlows,
  historyKey,
  type ReportTrigger,
  resolveComplianceTargets,
  type SnapshotResult,
} from '../../src/flows/compliance/index.js';
import { createOutboxWorker } from '../../src/flows/outbox/index.js';
import { createCoreContext } from '../../src/runtime/index.js';
import { SIM_BASIC_CREDENTIALS } from '../../src/sim/servicenow/index.js';
import { createScheduler } from '../../src/flows/scheduler/index.js';
import { createComplianceReportHandler } from '../../src/handlers/compliance-report.js';
import { createComplianceSnapshotHandler } from '../../src/handlers/compliance-snapshot.js';
import { type ComplianceHarness, createComplianceHarness, REPORTS_TOPIC, TODAY } from './support/api-harness.js';

const SCHEDULED_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111122223333',
  time: `${TODAY}T06:00:00Z`,
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:111122223333:rule/patchbridge-compliance-report'],
  detail: {},
};

describe('compliance runtimes', () => {
  let h: ComplianceHarness;
  beforeAll(async () => {
    h = await createComplianceHarness({ historyDays: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('compliance-snapshot handler', () => {
    it('when invoked by its schedule, then today is written once and a retry writes nothing more', async () => {
      const handler = createComplianceSnapshotHandler({ snapshot: h.snapshot, logger: silentLogger() });
      const first = await handler(SCHEDULED_EVENT);
      const again = await handler(SCHEDULED_EVENT);
      expect(first).toEqual({ day: TODAY, written: 1, alreadyTaken: 0, instances: 40 });
      expect(again).toEqual({ day: TODAY, written: 0, alreadyTaken: 1, instances: 0 });
      expect(await h.blobs.head(historyKey(h.ctx, TODAY))).toBeDefined();
    });
  });

  describe('compliance-report handler', () => {
    const handler = () => createComplianceReportHandler({ reports: h.reports, worker: h.worker, logger: silentLogger() });

    it('when the monthly schedule fires, then a report over the configured days is queued, built and published', async () => {
      const before = h.aws.sinks.published.length;
      const out = await handler()(SCHEDULED_EVENT);
      expect(out.queued).toBeDefined();
      expect(out.ran).toMatchObject({ delivered: 1, retried: 0, deadLettered: 0 });
      const view = await h.reports.get(out.queued ?? '');
      expect(view).toMatchObject({ status: 'succeeded', request: { trigger: 'schedule', period: { days: 30, end: TODAY } } });
      await h.aws.sinks.settled();
      expect(h.aws.sinks.published.slice(before).filter((p) => p.topicArn === REPORTS_TOPIC)).toHaveLength(1);
    });

    it('when the drain rule fires, then reports the API queued are built, and nothing new is queued', async () => {
      const job = await h.reports.request({ period: { days: 2 }, formats: ['json'] }, 'api');
      const out = await handler()({ action: 'drain' });
      expect(out.queued).toBeUndefined();
      expect(out.ran).toMatchObject({ delivered: 1 });
      expect((await h.reports.get(job.id)).status).toBe('succeeded');
    });

    it('when asked to run one report by id, then that report is built', async () => {
      const job = await h.reports.request({ period: { days: 1 }, formats: ['csv'] }, 'api');
      const out = await handler()({ action: 'run', reportId: job.id });
      expect(out.ran).toEqual({ reportId: job.id, status: 'succeeded' });
    });

    it.each([[{}], [{ action: 'explode' }], [{ action: 'run', reportId: 'not-a-uuid' }], ['text']])(
      'when the event is %j, then it is refused as INVALID_EVENT',
      async (event) => {
        await expect(handler()(event)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      },
    );
  });

  describe('standalone scheduler jobs', () => {
    it('when the scheduler runs over a month end, then the snapshot is taken daily and the report queued on the 1st', async () => {
      // Prepare: from the harness day (31 March, 06:00) to 2 April 06:00.
      const runs: string[] = [];
      const queued: string[] = [];
      // The jobs' own work is tested above; here only when they fire matters.
      const snapshot = {
        run: async (): Promise<SnapshotResult> => {
          runs.push(h.clock.now().toISOString());
          return { day: h.clock.now().toISOString().slice(0, 10), objects: [] };
        },
      };
      const reports = {
        request: (input: unknown, trigger: ReportTrigger) => {
          queued.push(`${trigger}@${h.clock.now().toISOString()}`);
          return h.reports.request(input, trigger);
        },
      };
      const scheduler = createScheduler({
        clock: h.clock,
        logger: silentLogger(),
        jobs: complianceJobs({ snapshot, reports, crons: { snapshot: '15 2 * * *', report: '0 6 1 * *' } }),
      });
      const start = h.clock.now().getTime();
      // Act
      scheduler.start();
      for (let t = 0; t < 48 * 3_600_000; t += 900_000) {
        await h.clock.advance(900_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await scheduler.stop();
      h.clock.set(start);
      // Assess
      expect(runs).toEqual([`${TODAY}T06:00:00.000Z`, '2026-04-01T02:15:00.000Z', '2026-04-02T02:15:00.000Z']);
      expect(queued).toEqual(['schedule@2026-04-01T06:00:00.000Z']);
    });
  });

  describe('patchbridge report', () => {
    function io(isTTY: boolean) {
      const out: string[] = [];
      const err: string[] = [];
      const cli: CliIo = {
        env: { PATCHBRIDGE_REPORT_DAYS: '30', PATCHBRIDGE_LOG_LEVEL: 'silent' },
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s), isTTY },
        onSignal: () => undefined,
      };
      return { cli, out, err };
    }
    const resolver = async () => ({ blobs: h.blobs, inventory: h.awsPorts.inventory, targets: [h.ctx], clock: h.clock, close: async () => undefined });

    it('when run on a terminal, then it shows progress and writes the chosen formats to the folder', async () => {
      // Prepare
      const dir = await mkdtemp(path.join(tmpdir(), 'pb-report-cli-'));
      const { cli, out, err } = io(true);
      try {
        // Act
        await reportCommand(cli, resolver).parseAsync(['--days', '3', '--format', 'csv,html', '--out', dir], { from: 'user' });
        // Assess
        expect((await readdir(dir)).sort()).toEqual(['compliance-report.csv', 'compliance-report.html']);
        const rows: string[][] = parse(await readFile(path.join(dir, 'compliance-report.csv'), 'utf8'));
        expect(rows).toHaveLength(41);
        expect(err.join('')).toContain(`history 1/3 (${addDays(TODAY, -2)})`);
        expect(err.join('')).toContain('live 111122223333 eu-west-1');
        expect(out[0]).toBe(`${path.join(dir, 'compliance-report.csv')}\n`);
        expect(out.join('')).toMatch(new RegExp(`${addDays(TODAY, -2)} to ${TODAY}: [\\d.]+% compliant \\(\\d+/40\\), 40 instances seen`));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('when not on a terminal, then no progress is printed', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'pb-report-cli-'));
      const { cli, err } = io(false);
      try {
        await reportCommand(cli, resolver).parseAsync(['--days', '2', '--format', 'json', '--out', dir, '--no-live', '--end', addDays(TODAY, -1)], { from: 'user' });
        const json = JSON.parse(await readFile(path.join(dir, 'compliance-summary.json'), 'utf8'));
        expect(json.period).toEqual({ start: addDays(TODAY, -2), end: addDays(TODAY, -1), days: 2 });
        expect(json.live).toBe(false);
        expect(err.join('')).not.toContain('history');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it.each([
      [['--days', '0', '--out', '/tmp/x'], /number of days/],
      [['--format', 'pdf', '--out', '/tmp/x'], /comma-separated list/],
      [['--end', '2026-02-30', '--out', '/tmp/x'], /YYYY-MM-DD/],
    ])('when the options are %j, then commander refuses them', async (argv, message) => {
      const { cli } = io(false);
      const cmd = reportCommand(cli, resolver).exitOverride().configureOutput({ writeErr: () => undefined });
      await expect(cmd.parseAsync(argv, { from: 'user' })).rejects.toThrow(message);
    });
  });

  describe('composition', () => {
    it('when built from a core context as the Lambda root does, then targets come from STS and the snapshot and report handlers work end to end', async () => {
      // Prepare
      const dir = await mkdtemp(path.join(tmpdir(), 'pb-compose-'));
      const config = loadConfig({
        PATCHBRIDGE_STORE: 'sqlite::memory:',
        PATCHBRIDGE_BLOBS: `file:${dir}`,
        PATCHBRIDGE_AWS_REGIONS: 'eu-west-1',
        PATCHBRIDGE_REPORTS_TOPIC_ARN: REPORTS_TOPIC,
        PATCHBRIDGE_REPORT_DAYS: '7',
        PATCHBRIDGE_SERVICENOW_URL: h.sn.url,
        PATCHBRIDGE_SERVICENOW_USERNAME: SIM_BASIC_CREDENTIALS.username,
        PATCHBRIDGE_SERVICENOW_PASSWORD: SIM_BASIC_CREDENTIALS.password,
        PATCHBRIDGE_LOG_LEVEL: 'silent',
      });
      const ctx = await createCoreContext(config, {
        logger: silentLogger(),
        clock: h.clock,
        overrides: {
          awsEndpoint: h.aws.url,
          awsCredentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
        },
      });
      try {
        // Act
        const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
        const flows = createComplianceFlows(ctx, { targets });
        const worker = createOutboxWorker({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, handlers: flows.outboxHandlers });
        const snap = await createComplianceSnapshotHandler({ snapshot: flows.snapshot, logger: ctx.logger })(SCHEDULED_EVENT);
        const report = await createComplianceReportHandler({ reports: flows.reports, worker, logger: ctx.logger })(SCHEDULED_EVENT);
        // Assess
        expect(targets).toEqual([{ accountId: '111122223333', region: 'eu-west-1' }]);
        expect(snap).toMatchObject({ day: TODAY, written: 1, instances: 40 });
        const view = await flows.reports.get(report.queued ?? '');
        expect(view).toMatchObject({ status: 'succeeded', request: { period: { days: 7 } } });
        expect(flows.jobs.map((j) => `${j.name} ${j.cron}`)).toEqual(['compliance-snapshot 15 2 * * *', 'compliance-report 0 6 1 * *']);
      } finally {
        await ctx.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
