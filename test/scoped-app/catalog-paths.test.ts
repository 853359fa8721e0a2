import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/core/logger.js';
import { ACCOUNT, createHarness, type Harness, HMAC_KEY, REGION } from '../api/harness.js';
import { createInstance, type Instance } from './instance.js';

let h: Harness;
let server: RunningServer;
let sn: Instance;

beforeAll(async () => {
  h = await createHarness();
  server = await startServer(h.app, { host: '127.0.0.1', port: 0, logger: silentLogger() });
  sn = await createInstance({
    sn: h.sn,
    clock: h.clock,
    connections: { 'x_pbridge.patchbridge': { connection_url: server.url, credential: { api_key: HMAC_KEY.secret } } },
    properties: { 'x_pbridge.api.key_id': HMAC_KEY.id },
  });
}, 60_000);

afterAll(async () => {
  await sn?.close();
  await server?.close(0);
  await h?.close();
});

describe('smoke', () => {
  it('orders ad hoc patching', async () => {
    const change = h.change();
    const before = h.aws.count('StartAutomationExecution');
    const ritm = await sn.order('Request ad hoc patching', { change_request: change.sysId, account_id: ACCOUNT, region: REGION, patch_groups: 'web-prod', operation: 'Install' });
    console.log(ritm, h.sn.state.journal('sc_req_item', ritm['sys_id'] ?? ''), sn.requests, sn.logs);
    expect(h.aws.count('StartAutomationExecution')).toBe(before + 1);
  });
});
