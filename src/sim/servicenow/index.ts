export { SIM_CLI_USAGE, runServiceNowSimCli } from './cli.js';
export { type CreateServiceNowSimHarnessOptions, FAST_SIM_LIMITS, SIM_BASIC_CREDENTIALS, SIM_OAUTH_CREDENTIALS, type ServiceNowSimHarness, createServiceNowSimHarness } from './harness.js';
export { type Condition, type ParsedQuery, applyQuery, parseEncodedQuery } from './query.js';
export { FAILURE_IMPORT_COLUMNS, FAILURE_IMPORT_TABLE, IMPORT_ROLES, INTEGRATION_ROLES, TABLES, TRANSFORM_MAP_NAME } from './schema.js';
export { type ChangeSeed, SimSeeder } from './seed.js';
export { SIM_DEFAULTS, type ServiceNowSim, type SimAuth, createServiceNowSim } from './sim.js';
export { type ImportSetRecord, type JournalEntry, type SimAttachment, type SimRecord, SimState, snDate } from './state.js';
export type * from './types.js';
