import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStandalone, startStandalone } from '../../src/cli/standalone.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/core/logger.js';
import { fuzzApi } from './scenarios/fuzz.js';

const HMAC = { id: 'fuzz', secret: 'fuzz-secret-0123456789abcdef0123456789abcdef' };
const EVENTS_KEY = 'fuzz-events-key-0123456789abcdef';

describe('chaos: API fuzz', () => {
  let dir: string;
  let running: RunningStandalone;
  let logs = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pb-fuzz-'));
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const config = loadConfig({
      PATCHBRIDGE_PORT: '0',
      PATCHBRIDGE_DATA_DIR: dir,
      PATCHBRIDGE_STORE: `sqlite:${dir}/state.db`,
      PATCHBRIDGE_BLOBS: `file:${dir}/blobs`,
      PATCHBRIDGE_API_HMAC_KEYS: `${HMAC.id}:${HMAC.secret}`,
      PATCHBRIDGE_EVENTS_API_KEY: EVENTS_KEY,
    });
    running = await startStandalone(config, { logger: createLogger({ level: 'info', destination: capture }) });
  });
  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when 2,000 schema-derived and hostile requests arrive, then none is answered 5xx, every error is problem+json, and no secret is logged', async () => {
    // Act
    const result = await fuzzApi({ url: running.url, hmacKey: HMAC }, { count: 2_000, seed: 13 });

    // Assess
    expect(result.requests).toBeGreaterThanOrEqual(2_000);
    const show = (list: typeof result.nonProblem) => [...new Set(list.map((o) => `${o.status} ${o.contentType || '(no content-type)'} ${o.label}`))];
    expect({ serverErrors: show(result.serverErrors), nonProblem: show(result.nonProblem) }).toEqual({ serverErrors: [], nonProblem: [] });
    for (const secret of [HMAC.secret, EVENTS_KEY]) expect(logs).not.toContain(secret);
  }, 120_000);
});
