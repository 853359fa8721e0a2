/**
 * `npm run bench -- incident-storm [--instances N] [--groups N] [--failure-rate R]
 *   [--duplicates R] [--latency-ms N] [--rate N] [--seed N] [--no-baseline]`
 *
 * A fleet (default 5,000 instances in 10 patch groups, 5% failing) is patched
 * with one command per group; its invocation and command events are delivered
 * shuffled with 20% duplicates to patchbridge and to a naive baseline (one
 * incident per failure event, no batching). ServiceNow runs at 100 ms latency
 * and 20 req/s. Prints incidents, duplicates, ServiceNow calls per incident,
 * AWS calls per failed instance and wall time against the rate-limit bound.
 */
import { parseArgs } from 'node:util';
import { createStorm, type StormOptions } from './environment.js';
import { type RunResult, runNaive, runPatchbridge } from './runs.js';

function options(argv: string[]): StormOptions & { baseline: boolean; verbose: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string', default: '5000' },
      groups: { type: 'string', default: '10' },
      'failure-rate': { type: 'string', default: '0.05' },
      duplicates: { type: 'string', default: '0.2' },
      'latency-ms': { type: 'string', default: '100' },
      rate: { type: 'string', default: '20' },
      seed: { type: 'string', default: '2026' },
      'no-baseline': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const num = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  return {
    instances: num('instances'),
    groups: num('groups'),
    failureRate: num('failure-rate'),
    duplicateRate: num('duplicates'),
    latencyMs: num('latency-ms'),
    requestsPerSecond: num('rate'),
    seed: num('seed'),
    baseline: !values['no-baseline'],
    verbose: values.verbose === true,
  };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function main(argv: string[]): Promise<void> {
  const o = options(argv);
  const storm = await createStorm(o);
  try {
    const lowerBoundMs = (storm.failingGroups / o.requestsPerSecond) * 1000;
    console.log(
      `incident-storm: ${o.instances.toLocaleString('en-US')} instances in ${o.groups} patch groups, ${fmt(o.failureRate * 100, 0)}% failing ` +
        `(${storm.failedInstances} failed instances in ${storm.failingGroups} groups)`,
    );
    console.log(
      `events: ${storm.stream.length.toLocaleString('en-US')} delivered (${storm.uniqueEvents.toLocaleString('en-US')} unique invocation and command events, ` +
        `${fmt(o.duplicateRate * 100, 0)}% duplicated, shuffled)`,
    );
    console.log(
      `ServiceNow simulator: ${o.latencyMs} ms latency, ${o.requestsPerSecond} req/s; lower bound ${fmt(lowerBoundMs / 1000, 2)} s ` +
        `(${storm.failingGroups} incidents × 1 call ÷ ${o.requestsPerSecond} req/s)`,
    );
    /**
     * The bound: the storm cannot end before its events are delivered nor before the calls one
     * incident each needs fit under the rate limit; 1.5× that, plus the last call's round trip.
     */
    const stormBound = (r: RunResult) => 1.5 * Math.max(r.deliveredMs, lowerBoundMs) + o.latencyMs;
    const ours = await runPatchbridge(storm, o);
    const naive = o.baseline ? await runNaive(storm, o) : undefined;

    const rows: [string, (r: RunResult) => string, (a: RunResult, b: RunResult) => string][] = [
      [`incidents created (expected ${storm.failingGroups})`, (r) => String(r.incidents), (a, b) => `${fmt(b.incidents / Math.max(1, a.incidents))}×`],
      ['duplicates (expected 0)', (r) => String(r.duplicates), () => ''],
      ['ServiceNow calls per incident', (r) => fmt(r.serviceNowCalls / Math.max(1, r.incidents), 2), () => ''],
      ['ServiceNow calls in total', (r) => String(r.serviceNowCalls), (a, b) => `${fmt(b.serviceNowCalls / Math.max(1, a.serviceNowCalls))}×`],
      ['AWS calls per failed instance', (r) => fmt(r.awsCalls / Math.max(1, storm.failedInstances), 2), (a, b) => `${fmt(b.awsCalls / Math.max(1, a.awsCalls))}×`],
      ['wall time', (r) => `${fmt(r.wallMs / 1000, 2)} s`, (a, b) => `${fmt(b.wallMs / a.wallMs)}×`],
      ['  of which delivering the events', (r) => `${fmt(r.deliveredMs / 1000, 2)} s`, () => ''],
      ['wall time / rate-limit lower bound', (r) => `${fmt(r.wallMs / lowerBoundMs)}×`, () => ''],
      ['bound: 1.5 × max(delivery, calls ÷ rate) + 1 RTT', (r) => `${fmt(stormBound(r) / 1000, 2)} s`, () => ''],
      ['wall time / that bound (target ≤ 1.00)', (r) => `${fmt(r.wallMs / stormBound(r), 2)}×`, () => ''],
    ];
    const header = ['metric', 'patchbridge', ...(naive ? ['naive baseline', 'baseline / patchbridge'] : [])];
    const table = [header, ...rows.map(([name, value, ratio]) => [name, value(ours), ...(naive ? [value(naive), ratio(ours, naive)] : [])])];
    const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
    console.log('');
    for (const [i, r] of table.entries()) {
      console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
      if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    }
    if (o.verbose) {
      const ms = (t: number) => `${fmt(t / 1000, 2)} s`;
      console.log(`\npatchbridge timeline (from the first delivery; delivered by ${ms(ours.deliveredMs)}, done at ${ms(ours.wallMs)}):`);
      for (const [op, t] of Object.entries(ours.timeline.aws).sort((a, b) => a[1].first - b[1].first)) {
        console.log(`  AWS ${op.padEnd(36)} ${String(t.calls).padStart(5)} calls  ${ms(t.first)} – ${ms(t.last)}`);
      }
      for (const c of ours.timeline.serviceNow) console.log(`  ServiceNow ${c.call.padEnd(50)} ${ms(c.at)} – ${ms(c.end)}`);
      for (const b of ours.timeline.batches) console.log(`  outbox ${b.kind.padEnd(20)} ${String(b.items).padStart(5)} items  ${ms(b.at)} – ${ms(b.end)}`);
      console.log('\npatchbridge AWS calls:', ours.awsByOperation);
      console.log('patchbridge ServiceNow calls:', ours.serviceNowByCall);
      if (naive) console.log('naive AWS calls:', naive.awsByOperation, '\nnaive ServiceNow calls:', naive.serviceNowByCall);
    }
    const perIncident = ours.serviceNowCalls / Math.max(1, ours.incidents);
    console.log(
      `\npatchbridge: ${fmt(perIncident, 2)} ServiceNow calls per incident (target ≤ 1.20: ${perIncident <= 1.2 ? 'ok' : 'OVER'}); ` +
        `wall ${fmt(ours.wallMs / 1000, 2)} s against the bound ${fmt(stormBound(ours) / 1000, 2)} s = 1.5 × max(delivery ${fmt(ours.deliveredMs / 1000, 2)} s, ` +
        `${storm.failingGroups} calls ÷ ${o.requestsPerSecond}/s = ${fmt(lowerBoundMs / 1000, 2)} s) + ${o.latencyMs} ms (${ours.wallMs <= stormBound(ours) ? 'ok' : 'OVER'})`,
    );
    if (ours.duplicates > 0 || ours.groupsWrong > 0) {
      console.error(`\npatchbridge did not create exactly one incident per failing patch group (${ours.groupsWrong} groups wrong)`);
      process.exitCode = 1;
    }
  } finally {
    await storm.close();
  }
}
