export * from './clock.js';
export * from './errors.js';
export * from './logger.js';
export * from './compare.js';
export * from './backoff.js';
export * from './timeout.js';
export * from './csv.js';
export * from './request-context.js';
