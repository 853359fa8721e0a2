export { type CoreContext, type CoreOverrides, createCoreContext, stateTableClient } from './core.js';
export { type ApiAppFlows, createApiApp } from './api-app.js';
export {
  checkBlobStoreWritable,
  checkServiceNow,
  checkStateTable,
  checkStore,
  DiagnosisError,
  type DiagnosisLine,
  type OnlineCheck,
  onlineChecks,
  readinessChecks,
  runChecks,
  serviceNowFailure,
} from './diagnostics.js';
