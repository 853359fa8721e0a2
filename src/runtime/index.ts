export { type CoreContext, type CoreOverrides, createCoreContext } from './core.js';
export { type ApiAppFlows, createApiApp } from './api-app.js';
