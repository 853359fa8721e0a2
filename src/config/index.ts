export { apiAuthConfigured, freezeConfig, loadConfig, missingSettings, processEnv } from './load-config.js';
export { VARIABLES, type VariableSpec, type VariableName } from './schema.js';
export type * from './types.js';
