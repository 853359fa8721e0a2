import { loadConfig, processEnv } from '../../config/index.js';
import { createLogger } from '../../core/index.js';
import { type CoreContext, createCoreContext } from '../index.js';

/** What every Lambda handler is built from. */
export type LambdaContext = CoreContext;

/** The Lambda composition root: configuration, logger, stores and clients. */
export async function buildLambdaContext(): Promise<LambdaContext> {
  const config = loadConfig(processEnv());
  const logger = createLogger({ level: config.logLevel });
  return createCoreContext(config, { logger });
}
