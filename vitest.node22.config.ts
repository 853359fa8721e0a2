import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The Lambda side of patchbridge under Node.js 22, the Lambda runtime
 * (`npm run test:node22`): handlers, flows, event normalisers, the AWS and
 * ServiceNow adapters, the DynamoDB store and the blob stores.
 *
 * Left out: the test files that open an SQLite store. better-sqlite3 is a native
 * addon compiled by `npm ci` for the Node that ran it (20), and Lambda never uses
 * SQLite (its store is DynamoDB). They run under Node 20 in the main suite.
 */
export const OPENS_SQLITE = [
  'src/flows/incidents/processor.test.ts',
  'src/flows/outbox/dead-letters.test.ts',
  'src/flows/outbox/worker.test.ts',
  'src/flows/changes/compose.test.ts',
  'src/flows/changes/start-deadline.test.ts',
];

// A file that moved would silently run under Node 22 and fail on the native addon: name it here instead.
for (const file of OPENS_SQLITE) {
  if (!existsSync(file)) throw new Error(`vitest.node22.config.ts: ${file} does not exist; update OPENS_SQLITE`);
}

// Standalone, not merged with vitest.config.ts: merging would append to its include list.
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    include: [
      'src/handlers/**/*.test.ts',
      'src/runtime/lambda/**/*.test.ts',
      'src/flows/**/*.test.ts',
      'src/events/**/*.test.ts',
      'src/aws/**/*.test.ts',
      'src/servicenow/**/*.test.ts',
      'src/domain/**/*.test.ts',
      'src/config/**/*.test.ts',
      'src/store/dynamodb/**/*.test.ts',
      'src/blobs/**/*.test.ts',
    ],
    exclude: [...configDefaults.exclude, ...OPENS_SQLITE],
  },
});
