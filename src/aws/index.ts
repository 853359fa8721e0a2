export type * from './ports.js';
export { INVOCATION_FILTER_STATUSES } from './ports.js';
export { AWS_ERRORS, AwsError, type AwsErrorCode, type AwsErrorOptions, isAwsError, toAwsError } from './errors.js';
export {
  type AwsClients,
  type AwsCredentialsInput,
  type AwsService,
  type CreateAwsClientsOptions,
  createAwsClients,
} from './client-factory.js';
export { type CreateAwsAdaptersOptions, createAwsAdapters } from './create-aws-adapters.js';
export { createPatchExecution, type PatchExecutionOptions } from './ssm-patch-execution.js';
export { createFleetInventory, type FleetInventoryOptions, instanceArn } from './ssm-inventory.js';
export { createMaintenanceWindows, type MaintenanceWindowsOptions } from './ssm-maintenance-windows.js';
export { createPublisher, type PublisherOptions, snsSubject } from './sns-publisher.js';
export { createSecretReader, type SecretReaderOptions } from './secrets-reader.js';
export { createIdentityProbe } from './sts-identity.js';
export { phaseOf } from './map-ssm.js';
export { TokenBucket } from './token-bucket.js';
export { createSsmThrottle, SSM_READ_QUOTAS, type SsmThrottle, type SsmThrottleOptions } from './ssm-quotas.js';
