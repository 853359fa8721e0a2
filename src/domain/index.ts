export * from './compliance.js';
export * from './compliance-report.js';
export * from './patch-event.js';
export * from './change-gate.js';
export * from './change-verdict.js';
export * from './change-scope.js';
export * from './incident-draft.js';
export * from './incident-lifecycle.js';
