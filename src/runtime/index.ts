export { type CoreContext, type CoreOverrides, createCoreContext } from './core.js';
