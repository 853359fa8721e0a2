// Runs in a fresh Node 22 process: import one bundle, invoke it once with an event that makes it
// build its composition root (clients, stores, config) and stop at the first AWS answer, then
// print the timings (ms since the process started). argv: bundle path, JSON event.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();
let outcome = 'ok';
try {
  await mod.handler(JSON.parse(eventJson), { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', awsRequestId: 'bench' });
} catch (err) {
  outcome = err?.code ?? err?.name ?? 'error';
}
const invoked = performance.now();
// Exit at once: open sockets and timers (keep-alive agents, caches) would otherwise hold the process.
process.stdout.write(JSON.stringify({ imported, invoked, outcome }), () => process.exit(0));
