/**
 * The AWS fleet simulator in its own process, so the benchmark's memory figures
 * are patchbridge's alone. Reads one JSON line of options from argv[2]; prints
 * `{"url": …}` once listening; then answers `stats` / `reset` lines on stdin with
 * a JSON line of the call counters so far (`reset` then clears them). Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { createAwsSim, createFleet } from '../../src/sim/aws/index.js';

interface SimProcessOptions {
  readonly instances: number;
  readonly groups: number;
  readonly latencyMs: number;
  readonly tps: number;
  readonly seed: string;
  readonly now: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SimProcessOptions;
const fleet = createFleet({
  size: options.instances,
  seed: options.seed,
  patchGroups: options.groups,
  windows: false,
  accountId: '111122223333',
  region: 'eu-west-1',
  now: new Date(options.now),
});
const sim = createAwsSim({
  fleet,
  seed: options.seed,
  latency: { '*': options.latencyMs },
  tps: { '*': options.tps },
  requestLogLimit: 1_000,
});
const url = await sim.listen(0);
process.stdout.write(`${JSON.stringify({ url })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const counters = Object.fromEntries([...sim.counters.entries()].map(([op, c]) => [op, { ...c }]));
  if (line === 'reset') sim.resetLog();
  process.stdout.write(`${JSON.stringify({ counters })}\n`);
});
lines.on('close', () => {
  void sim.close().then(() => process.exit(0));
});
