import { loadConfig, processEnv } from '../config/index.js';
import { createLogger } from '../core/logger.js';
// core.js, not the runtime index: the index also exports the express app, which only the API Lambda bundles.
import { type CoreContext, createCoreContext } from '../runtime/core.js';
import { buildOnce } from './build-once.js';

/** What every Lambda handler is built from. */
export type LambdaContext = CoreContext;

/**
 * The Lambda composition root: configuration, logger, stores and clients, built
 * once per container on first use and reused by every invocation. A failure is
 * not cached, so the next invocation tries again (e.g. after a transient
 * Secrets Manager error).
 */
export const lambdaContext: () => Promise<LambdaContext> = buildOnce(build);

async function build(): Promise<LambdaContext> {
  const config = loadConfig(processEnv());
  const logger = createLogger({ level: config.logLevel });
  return createCoreContext(config, { logger });
}
