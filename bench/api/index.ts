/**
 * `npm run bench -- api [--duration S] [--connections N] [--readers 100] [--runs 20] [--freshness S] [--poll-duration S] [--in-process] [--from-source] [--cpu-prof DIR] [--log-level L]`
 *
 * autocannon against `GET /v1/patch-runs/{id}` and `POST /v1/patch-runs` of the
 * real app (HMAC auth with a fresh nonce per request, spec validation, JSON
 * logging to /dev/null at the product's default level, info, or `--log-level`:
 * at debug every request writes a line), with the ServiceNow simulator at a realistic
 * latency and the AWS simulator behind real SDK clients. The baseline is the same
 * app, flows and simulators with the middleware removed (no auth, no validation,
 * silent logger). Prints req/s and p50/p99 for both and the overhead ratio.
 *
 * Each app runs in its own child process, as a server does for a real client:
 * autocannon and its HMAC signing stay on this process's event loop, with the
 * simulators. The children run an esbuild bundle of the app, compiled as the CDK
 * bundles a handler (`--from-source` runs them through tsx instead).
 * `--in-process` runs both apps on that loop instead (the layout of earlier
 * figures); `--cpu-prof DIR` writes each child's V8 CPU profile to DIR.
 *
 * Then the polling scenario: `--readers` connections poll `--runs` runs that stay
 * in progress (the AWS simulator's time is stepped and never moved), with the
 * run-status freshness set to `--freshness`; the SSM calls are counted at the
 * simulator and held against the bound of one read per run per freshness period.
 * Its baseline is the design this replaced, one SSM read per GET (= requests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { signRequest } from '../../src/api/auth/index.js';
import { openApiPath } from '../../src/api/openapi-document.js';
import { ACCOUNT, type ApiAppOptions, KEY, REGION, type RunningApiApp, startApiApp, type Variant } from './apps.js';
import { createAwsSim } from '../../src/sim/aws/index.js';
import { createServiceNowSim } from '../../src/sim/servicenow/index.js';

/** A Table API read on a busy production instance; see docs/servicenow.md. */
const SERVICENOW_LATENCY = { kind: 'normal', meanMs: 120, stdDevMs: 30 } as const;
const AWS_LATENCY = { minMs: 15, maxMs: 35 };
/** With upstream calls, the middleware may cost at most this share of throughput (full ≥ 0.8 × bare req/s). */
const LIMIT_RATIO = 0.8;
/** Without them (a store-only route), full must keep at least this share of bare express's req/s. */
const LIMIT_STORE_RATIO = 0.85;
/** GET by id answers from the store: at saturation it must reach this, with HMAC and validation on. */
const TARGET_GET_RPS = 2_000;
const TARGET_GET_P99_MS = 20;

const here = path.dirname(fileURLToPath(import.meta.url));

interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The server process's CPU time per request answered (in-process: the load generator's too). */
  readonly cpuPerRequestUs: number;
}

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * `server-process.ts` and what it imports, bundled by esbuild as the CDK bundles a
 * handler (`infra/lib/constructs/handler-function.ts`: ESM, no kept names; packages
 * stay in node_modules here), with the contract copied beside it as infra/ copies
 * it; returns the bundle's path. Under `bench/out/` (git-ignored).
 */
async function bundleServer(): Promise<string> {
  const root = path.resolve(here, '../..');
  const out = path.join(root, 'bench/out/api-server');
  const file = path.join(out, 'dist/src/server-process.mjs');
  await build({
    entryPoints: [path.join(here, 'server-process.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    keepNames: false,
    logLevel: 'silent',
  });
  await mkdir(path.join(out, 'openapi'), { recursive: true });
  await copyFile(openApiPath(), path.join(out, 'openapi/patchbridge.yaml'));
  return file;
}

/**
 * An app in a child process (`server-process.ts`), as a real client sees a
 * server: the load generator's work does not run on its event loop. With
 * `profileDir`, the child writes a V8 CPU profile there when it exits.
 */
async function startChildApp(o: ApiAppOptions, profileDir: string | undefined, entry: string[]): Promise<RunningApiApp> {
  // One folder per server: from source, tsx's loader thread writes a profile of its own beside the main thread's.
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, `${o.variant}-${Date.now()}`)] : [];
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', ...profile, ...entry, JSON.stringify(o)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const pending: ((line: string) => void)[] = [];
  let failed: (() => void) | undefined;
  lines.on('line', (line) => pending.shift()?.(line));
  void exited.then(() => failed?.());
  const next = () =>
    new Promise<string>((resolve, reject) => {
      pending.push(resolve);
      failed = () => reject(new Error(`bench/api: the ${o.variant} server process exited`));
    });
  const { url } = JSON.parse(await next()) as { url: string };
  return {
    url,
    async cpuMicros() {
      const answer = next();
      child.stdin!.write('cpu\n');
      return (JSON.parse(await answer) as { cpuMicros: number }).cpuMicros;
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const duration = option(argv, 'duration', 5);
  const connections = option(argv, 'connections', 8);
  const readers = option(argv, 'readers', 100);
  const runCount = option(argv, 'runs', 20);
  const freshnessS = option(argv, 'freshness', 5);
  const pollDuration = option(argv, 'poll-duration', 20);
  // The old layout, kept to compare: the servers on the load generator's own event loop.
  const inProcess = argv.includes('--in-process');
  // The servers run compiled, as they ship (a Lambda bundle; tsc's dist/ for `npm start`), unless `--from-source`:
  // through tsx, whose keepNames wraps every named closure a request creates in a defineProperty call.
  const serverEntry = argv.includes('--from-source') ? ['--import', 'tsx', path.join(here, 'server-process.ts')] : [await bundleServer()];
  const profileAt = argv.indexOf('--cpu-prof');
  const profileDir = profileAt >= 0 ? path.resolve(argv[profileAt + 1] ?? 'bench/out') : undefined;
  const levelAt = argv.indexOf('--log-level');
  const logLevel = levelAt >= 0 ? argv[levelAt + 1] : undefined;
  const start = (o: ApiAppOptions) => {
    const options = logLevel === undefined ? o : { ...o, logLevel };
    return inProcess ? startApiApp(options) : startChildApp(options, profileDir, serverEntry);
  };

  const sn = createServiceNowSim({ seed: 3, latency: SERVICENOW_LATENCY });
  await sn.listen(0);
  const aws = createAwsSim({ seed: 5, fleet: { size: 200, seed: 5, accountId: ACCOUNT, region: REGION, failureRate: 0.02 }, latency: { '*': AWS_LATENCY } });
  await aws.listen(0);
  const now = Date.now();
  const change = sn.seed.changeRequest({ state: 'implement', start: new Date(now - 3_600_000), end: new Date(now + 6 * 3_600_000) });
  const group = aws.fleet.patchGroups[0] ?? 'web-prod';
  const body = JSON.stringify({ changeRequest: change['number'], accountId: ACCOUNT, region: REGION, targets: { patchGroups: [group] }, operation: 'Install' });

  const sign = (method: string, path: string, text: string) =>
    signRequest(KEY, { method, pathWithQuery: path, body: text }, { ts: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString('base64url') });
  const variants = [] as { variant: Variant; url: string; runId: string; app: RunningApiApp }[];
  for (const variant of ['full', 'bare'] as const) {
    const app = await start({ variant, servicenowUrl: sn.url, awsUrl: aws.url });
    // One run to read; every POST below re-verifies the change and answers with this same run (same ClientToken).
    const first = await fetch(`${app.url}/v1/patch-runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-patchbridge-signature': sign('POST', '/v1/patch-runs', body) },
      body,
    });
    const run = (await first.json()) as { id?: string };
    if (first.status !== 202 || !run.id) throw new Error(`setup POST answered ${first.status}`);
    variants.push({ variant, url: app.url, runId: run.id, app });
  }
  await aws.settle();

  const scenarios = [
    { scenario: 'GET /v1/patch-runs/{id}', method: 'GET' as const, path: (runId: string) => `/v1/patch-runs/${runId}`, text: '' },
    { scenario: 'POST /v1/patch-runs', method: 'POST' as const, path: () => '/v1/patch-runs', text: body },
    // No upstream call: shows what the middleware costs on its own.
    { scenario: 'GET /v1/patch-runs (store)', method: 'GET' as const, path: () => `/v1/patch-runs?changeRequest=${String(change['number'])}`, text: '' },
  ];
  const load = (url: string, s: (typeof scenarios)[number], path: string, seconds: number) =>
    autocannon({
      url,
      connections,
      duration: seconds,
      requests: [
        {
          method: s.method,
          path,
          ...(s.text ? { body: s.text } : {}),
          setupRequest: (req) => ({
            ...req,
            headers: { ...(s.text ? { 'content-type': 'application/json' } : {}), 'x-patchbridge-signature': sign(s.method, path, s.text) },
          }),
        },
      ],
    });

  const rows: { scenario: string; variant: string; figures: Figures }[] = [];
  for (const s of scenarios) {
    // Warm-up (JIT, connection pools, SQLite pages), then A-B-B-A halves so drift on a shared machine hits both alike.
    for (const v of variants) await load(v.url, s, s.path(v.runId), 1);
    const halves = new Map<string, { result: autocannon.Result; cpuMicros: number }[]>();
    for (const v of [variants[0]!, variants[1]!, variants[1]!, variants[0]!]) {
      const cpuBefore = await v.app.cpuMicros();
      const result = await load(v.url, s, s.path(v.runId), duration / 2);
      const cpuMicros = (await v.app.cpuMicros()) - cpuBefore;
      halves.set(v.variant, [...(halves.get(v.variant) ?? []), { result, cpuMicros }]);
    }
    for (const v of variants) {
      const [ha, hb] = halves.get(v.variant) ?? [];
      if (!ha || !hb) continue;
      const [a, b] = [ha.result, hb.result];
      rows.push({
        scenario: s.scenario,
        variant: v.variant,
        figures: {
          rps: (a.requests.average + b.requests.average) / 2,
          p50: (a.latency.p50 + b.latency.p50) / 2,
          p99: Math.max(a.latency.p99, b.latency.p99),
          non2xx: a.non2xx + b.non2xx,
          errors: a.errors + b.errors,
          cpuPerRequestUs: (ha.cpuMicros + hb.cpuMicros) / Math.max(1, a.requests.total + b.requests.total),
        },
      });
    }
  }
  for (const v of variants) await v.app.close();

  // --- polling: many readers, a few runs in progress, SSM counted at the simulator ---
  const pollAws = createAwsSim({ seed: 7, time: { mode: 'stepped' }, fleet: { size: runCount * 2, seed: 7, accountId: ACCOUNT, region: REGION, failureRate: 0 }, latency: { '*': AWS_LATENCY } });
  await pollAws.listen(0);
  // The 1 TPS start queue would take runCount seconds to set up; the simulator does not throttle starts.
  const pollServer = await start({ variant: 'full', servicenowUrl: sn.url, awsUrl: pollAws.url, freshnessMs: freshnessS * 1000, automationTps: 1_000 });
  const runIds: string[] = [];
  for (const instance of pollAws.fleet.instances.slice(0, runCount)) {
    const text = JSON.stringify({ changeRequest: change['number'], accountId: ACCOUNT, region: REGION, targets: { instanceIds: [instance.instanceId] }, operation: 'Scan' });
    const res = await fetch(`${pollServer.url}/v1/patch-runs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-patchbridge-signature': sign('POST', '/v1/patch-runs', text) }, body: text });
    const run = (await res.json()) as { id?: string };
    if (res.status !== 202 || !run.id) throw new Error(`polling setup POST answered ${res.status}`);
    runIds.push(run.id);
  }
  const readsBefore = pollAws.count('GetAutomationExecution');
  const listingsBefore = pollAws.count('ListCommandInvocations');
  const pollStart = Date.now();
  const poll = await autocannon({
    url: pollServer.url,
    connections: readers,
    duration: pollDuration,
    requests: runIds.map((id) => ({
      method: 'GET' as const,
      path: `/v1/patch-runs/${id}`,
      setupRequest: (req: autocannon.Request) => ({ ...req, headers: { 'x-patchbridge-signature': sign('GET', `/v1/patch-runs/${id}`, '') } }),
    })),
  });
  const pollSeconds = (Date.now() - pollStart) / 1000;
  const ssmReads = pollAws.count('GetAutomationExecution') - readsBefore;
  const ssmListings = pollAws.count('ListCommandInvocations') - listingsBefore;
  // Every run is stale at the first read, then once per period: at most runs × (periods begun + 1).
  const readBound = runCount * (Math.floor(pollSeconds / freshnessS) + 1);
  await pollServer.close();
  await pollAws.close();

  await aws.close();
  await sn.close();

  const pad = (v: string, n: number) => v.padEnd(n);
  const num = (v: number, d = 1) => v.toFixed(d).padStart(9);
  console.log(`\napi benchmark: ${duration}s per variant (two halves, A-B-B-A), ${connections} connections, servers ${inProcess ? 'in the load generator\'s process' : 'in child processes'}, full app logging at ${logLevel ?? 'info (the default)'}; ServiceNow sim ${SERVICENOW_LATENCY.meanMs}±${SERVICENOW_LATENCY.stdDevMs} ms, AWS sim ${AWS_LATENCY.minMs}-${AWS_LATENCY.maxMs} ms per call\n`);
  console.log(`${pad('scenario', 28)}${pad('variant', 8)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'CPU µs/req'.padStart(12)}`);
  for (const r of rows) {
    console.log(
      `${pad(r.scenario, 28)}${pad(r.variant, 8)}${num(r.figures.rps)}${num(r.figures.p50, 0)}${num(r.figures.p99, 0)}${String(r.figures.non2xx + r.figures.errors).padStart(9)}${num(r.figures.cpuPerRequestUs, 0).padStart(12)}`,
    );
  }
  console.log('');
  let ok = true;
  for (const scenario of new Set(rows.map((r) => r.scenario))) {
    const full = rows.find((r) => r.scenario === scenario && r.variant === 'full')?.figures;
    const bare = rows.find((r) => r.scenario === scenario && r.variant === 'bare')?.figures;
    if (!full || !bare) continue;
    const ratio = bare.rps > 0 ? full.rps / bare.rps : 0;
    // A store-only route is bound by the event loop, so 1/req/s is the time each request holds it.
    const addedMs = 1000 / full.rps - 1000 / bare.rps;
    const storeOnly = scenario.endsWith('(store)');
    const getById = scenario === 'GET /v1/patch-runs/{id}';
    const pass =
      (storeOnly ? ratio >= LIMIT_STORE_RATIO : getById ? full.rps >= TARGET_GET_RPS && full.p99 < TARGET_GET_P99_MS : ratio >= LIMIT_RATIO) &&
      full.non2xx + full.errors === 0;
    ok &&= pass;
    const limit = storeOnly
      ? `added ${addedMs.toFixed(3)} ms/request (target ratio ≥ ×${LIMIT_STORE_RATIO})`
      : getById
        ? `full ${full.rps.toFixed(0)} req/s, p99 ${full.p99.toFixed(0)} ms (target ≥ ${TARGET_GET_RPS} req/s, p99 < ${TARGET_GET_P99_MS} ms, from the store)`
        : `p50 ${(full.p50 - bare.p50).toFixed(0)} ms, p99 ${(full.p99 - bare.p99).toFixed(0)} ms (limit ratio ≥ ${LIMIT_RATIO})`;
    // Less swayed by other load than req/s: what each request costs the server's own process.
    const cpu = `server CPU ${full.cpuPerRequestUs.toFixed(0)} vs ${bare.cpuPerRequestUs.toFixed(0)} µs/request (bare ÷ full ×${(bare.cpuPerRequestUs / Math.max(1e-9, full.cpuPerRequestUs)).toFixed(2)})`;
    console.log(`${pad(scenario, 28)}overhead: req/s ×${ratio.toFixed(2)}, ${limit}; ${cpu}  ${pass ? 'ok' : 'OVER LIMIT'}`);
  }
  const pollRequests = poll.requests.total;
  const pollPass = ssmReads <= readBound && poll.non2xx + poll.errors === 0;
  ok &&= pollPass;
  console.log(
    `\npolling: ${readers} readers × ${runCount} runs in progress for ${pollSeconds.toFixed(1)} s, freshness ${freshnessS} s: ${pollRequests.toLocaleString('en')} GETs at ${poll.requests.average.toFixed(0)} req/s, p50 ${poll.latency.p50} ms / p99 ${poll.latency.p99} ms`,
  );
  console.log(
    `polling: SSM GetAutomationExecution ${ssmReads} (bound ${readBound} = ${runCount} runs × ${Math.floor(pollSeconds / freshnessS) + 1} periods; ${(ssmReads / (runCount * (pollSeconds / freshnessS))).toFixed(2)} per run per period), ListCommandInvocations ${ssmListings}; one read per GET (the replaced design) would be ${pollRequests.toLocaleString('en')} = ×${(pollRequests / Math.max(1, ssmReads)).toFixed(0)}  ${pollPass ? 'ok' : 'OVER LIMIT'}`,
  );
  if (!ok) process.exitCode = 1;
}

export { main };
