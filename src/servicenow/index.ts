export { type CreateServiceNowClientOptions, createServiceNowClient } from './client.js';
export * from './credentials.js';
export * from './dates.js';
export * from './encoded-query.js';
export * from './errors.js';
export type * from './ports.js';
export { CHANGE_STATE } from './ports.js';
export { DEFAULT_LIMITS as DEFAULT_SERVICENOW_LIMITS, retryAfterMs } from './transport.js';
