export { type CoreContext, type CoreOverrides, createCoreContext, stateTableClient } from './core.js';
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
