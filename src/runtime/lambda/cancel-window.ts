import { createAwsClients, createMaintenanceWindows } from '../../aws/index.js';
import { createLogger } from '../../core/index.js';

/** The logger of a guard that could not be built: nothing of the configuration is trusted, not even its log level. */
export const fallbackLogger = createLogger({ name: 'window-guard' });

/**
 * Cancels a window execution with the function's own credentials, in the
 * window's region: what the guard still has when patchbridge itself cannot start.
 */
export async function cancelWithOwnCredentials(input: { readonly accountId: string; readonly region: string; readonly windowExecutionId: string }): Promise<void> {
  const clients = createAwsClients({ accounts: [], defaultRegion: input.region, logger: fallbackLogger });
  try {
    await createMaintenanceWindows({ clients, logger: fallbackLogger }).cancelExecution({ accountId: input.accountId, region: input.region }, input.windowExecutionId);
  } finally {
    clients.destroy();
  }
}
