import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceNowClient } from './client.js';
import { staticCredentials } from './credentials.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An instance whose incident table hangs and whose change_request table answers at once. */
async function instance(): Promise<{ url: string; changeReads: () => number }> {
  let reads = 0;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/now/table/incident')) return;
    reads++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ result: [{ sys_id: 'a'.repeat(32), number: 'CHG0000001', state: '-1', approval: 'approved', start_date: '', end_date: '', active: 'true' }] }));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, changeReads: () => reads };
}

function client(url: string) {
  return createServiceNowClient({
    instanceUrl: url,
    auth: staticCredentials({ kind: 'basic', username: 'u', password: 'p' }),
    limits: { maxInFlight: 1, timeoutMs: 30_000, retryBudgetMs: 60_000 },
  });
}

describe('the guard lane', () => {
  it('when every bulk slot is held by a hung request, then a guard read still goes out at once on its own slot', async () => {
    // Prepare
    const sn = await instance();
    const c = client(sn.url);
    const hung = c.getRecord('incident', 'b'.repeat(32), ['sys_id']);
    hung.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));

    // Act
    const started = Date.now();
    const change = await c.getChangeRequest('CHG0000001', { lane: 'guard' });
    const bulk = Promise.race([c.getChangeRequest('CHG0000001').then(() => 'answered'), new Promise((r) => setTimeout(() => r('queued'), 300))]);

    // Assess
    expect(change?.number).toBe('CHG0000001');
    expect(Date.now() - started).toBeLessThan(2_000);
    // Without the lane, the same read waits behind the hung one.
    expect(await bulk).toBe('queued');
  });

  it('when a guard read is aborted, then it stops at once and frees its slot for the next guard read', async () => {
    // Prepare: the first guard read hangs on the incident table's behaviour.
    const sn = await instance();
    const c = client(sn.url);
    const abort = new AbortController();
    const first = c.getRecord('incident', 'c'.repeat(32), ['sys_id']);
    first.catch(() => undefined);

    // Act
    const aborted = c.getChangeRequest('CHG0000001', { lane: 'guard', signal: abort.signal });
    abort.abort();
    const outcome = await aborted.then(
      () => 'resolved',
      () => 'rejected',
    );
    const next = await c.getChangeRequest('CHG0000001', { lane: 'guard' });

    // Assess
    expect(outcome).toBe('rejected');
    expect(next?.number).toBe('CHG0000001');
  });
});
