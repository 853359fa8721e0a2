export { type CreateStoreDeps, createStore } from './create-store.js';
export { type DynaliteServer, startDynalite } from './dynamodb/dynalite-server.js';
export { createDynamoStore, type DynamoStoreOptions } from './dynamodb/dynamo-store.js';
export { type EnsureTableOptions, ensureTable, INDEX, type TableDefinition, TTL_ATTRIBUTE, tableDefinition } from './dynamodb/table.js';
export { MAX_PAGE_SIZE } from './common/cursor.js';
export { STORE_ERRORS, StoreError, type StoreErrorCode } from './errors.js';
export type {
  ClaimStore,
  CorrelationStore,
  GateStore,
  IdempotencyStore,
  OutboxStore,
  OutboxWriter,
  PatchRunStore,
  ReportJobStore,
  StateStore,
} from './ports.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export * from './types.js';
