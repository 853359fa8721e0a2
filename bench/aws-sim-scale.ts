/**
 * Scale check for the AWS fleet simulator: a 50,000-instance fleet, paged through
 * DescribeInstanceInformation (50 per page) by the real adapter over HTTP.
 * Limit: under 10 s on the CI machine. Not a timed test; run it by hand:
 *   npx tsx bench/aws-sim-scale.ts [--size 50000]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAwsSimHarness, createFleet } from '../src/sim/aws/index.js';

const LIMIT_MS = 10_000;

export async function main(argv: string[] = []): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { size: { type: 'string', default: '50000' } } });
  const size = Number(values.size);

  const t0 = performance.now();
  const fleet = createFleet({ size, seed: 'scale', patchGroups: 8, now: Date.parse('2026-03-01T00:00:00Z') });
  const generateMs = performance.now() - t0;
  const h = await createAwsSimHarness({ sim: { fleet } });
  try {
    const t1 = performance.now();
    const instances = await h.ports.inventory.describeInstances(h.ctx);
    const listMs = performance.now() - t1;

    const sample = instances.slice(0, 5_000).map((i) => i.instanceId);
    const t2 = performance.now();
    const states = await h.ports.inventory.describePatchStates(h.ctx, sample);
    const statesMs = performance.now() - t2;
    const t3 = performance.now();
    const tags = await h.ports.inventory.tags(h.ctx, sample);
    const tagsMs = performance.now() - t3;

    const pages = h.sim.count('DescribeInstanceInformation');
    const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
    const rows = [
      ['generate fleet', `${size} instances`, generateMs],
      ['DescribeInstanceInformation, all pages', `${instances.length} instances / ${pages} calls`, listMs],
      ['DescribeInstancePatchStates, 5,000 ids', `${states.length} states / ${h.sim.count('DescribeInstancePatchStates')} calls`, statesMs],
      ['GetResources (tags), 5,000 ids', `${tags.size} instances / ${h.sim.count('GetResources')} calls`, tagsMs],
    ] as const;
    process.stdout.write(`AWS simulator scale (node ${process.version}, heap ${heapMb.toFixed(0)} MB)\n`);
    for (const [what, volume, ms] of rows) {
      process.stdout.write(`  ${what.padEnd(42)} ${volume.padEnd(36)} ${(ms / 1000).toFixed(2).padStart(6)} s\n`);
    }
    const ratio = listMs / LIMIT_MS;
    process.stdout.write(`  listing vs limit ${LIMIT_MS / 1000} s: ${(ratio * 100).toFixed(0)}% ${ratio < 1 ? 'OK' : 'OVER LIMIT'}\n`);
    if (instances.length !== size) throw new Error(`listed ${instances.length} of ${size} instances`);
    if (ratio >= 1) process.exitCode = 1;
  } finally {
    await h.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
