/**
 * One `bench/api` app in its own process, so the load generator (autocannon and
 * its per-request HMAC signing) does not share the server's event loop, as no
 * real client does. Reads its `ApiAppOptions` as one JSON argument; prints
 * `{"url": …}` once listening; answers each `cpu` line on stdin with
 * `{"cpuMicros": …}`, the CPU time (user + system) this process has used so far;
 * closes and exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { type ApiAppOptions, startApiApp } from './apps.js';

const app = await startApiApp(JSON.parse(process.argv[2] ?? '{}') as ApiAppOptions);
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
});
lines.on('close', () => {
  // A normal exit, so `--cpu-prof` writes its profile.
  void app.close().then(() => process.exit(0));
});
