export * from './compliance.js';
export * from './compliance-report.js';
export * from './patch-event.js';
