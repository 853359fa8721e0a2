import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Config, missingSettings } from '../config/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createApp, loadOpenApiDocument, type ReadinessCheck, startServer } from '../api/index.js';
import { createStore } from '../store/index.js';

export interface StandaloneOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
}

export interface RunningStandalone {
  readonly url: string;
  /** Human-readable lines for the terminal: which simulators run, what is missing. */
  readonly notes: readonly string[];
  /** Graceful stop: no new connections, in-flight requests finish, background work stops, store closes. */
  close(): Promise<void>;
}

/**
 * The standalone composition root (`patchbridge serve`): builds every adapter
 * and flow from configuration, starts the embedded simulators where nothing
 * real is configured, and listens.
 */
export async function startStandalone(config: Config, options: StandaloneOptions): Promise<RunningStandalone> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<void>)[] = [];
  const notes: string[] = [];
  try {
    ensureDirs(config);
    const store = await createStore(config.store, { clock, logger });
    closers.push(() => store.close());

    const checks: ReadinessCheck[] = [
      {
        name: 'store',
        check: async () => {
          await store.ping();
          return config.store.kind;
        },
      },
    ];
    const app = createApp({
      logger,
      operations: { checks, missing: () => missingSettings(config), openApi: loadOpenApiDocument() },
      features: [],
    });
    const server = await startServer(app, { host: config.server.host, port: config.server.port, logger });
    closers.push(() => server.close());
    for (const m of missingSettings(config)) notes.push(`not configured: ${m.setting} (${m.why})`);
    return {
      url: server.url,
      notes,
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** Embedded defaults live under relative paths; create their directories on first start. */
function ensureDirs(config: Config): void {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') mkdirSync(path.dirname(path.resolve(config.store.path)), { recursive: true });
  if (config.blobs.kind === 'file') mkdirSync(path.resolve(config.blobs.dir), { recursive: true });
}

/** Closes in reverse order of opening: the server first, the store last. */
async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
}
