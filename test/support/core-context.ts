/**
 * The `CoreContext` a test harness hands to `createApiApp`: the same shape both
 * composition roots build with `createCoreContext`, but made of the pieces the
 * harness already wired against the simulators (its clock, its store, the AWS
 * simulator's clients and ports, the ServiceNow simulator's client). The harness
 * owns and closes those pieces, so `close` here does nothing.
 */
import type { AwsClients, AwsPorts } from '../../src/aws/index.js';
import type { BlobStore } from '../../src/blobs/index.js';
import type { Config } from '../../src/config/index.js';
import { type Clock, type Ids, type Logger, randomIds } from '../../src/core/index.js';
import type { CoreContext } from '../../src/runtime/index.js';
import type { ServiceNowClient } from '../../src/servicenow/index.js';
import type { StateStore } from '../../src/store/index.js';

export interface HarnessCoreParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids?: Ids;
  readonly store: StateStore;
  readonly blobs: BlobStore;
  readonly awsClients: AwsClients;
  readonly aws: AwsPorts;
  readonly servicenow: ServiceNowClient;
}

export function harnessCore(parts: HarnessCoreParts): CoreContext {
  return { ...parts, ids: parts.ids ?? randomIds, async close() {} };
}
