export { type CoreContext, type CoreOverrides, createCoreContext, stateTableClient } from './core.js';
export { type ApiAppFlows, createApiApp } from './api-app.js';
