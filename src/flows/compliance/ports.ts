/**
 * What the compliance flow needs from other folders, narrowed to the calls it makes
 * so tests can fake exactly that and nothing more.
 */
import type { AwsContext, FleetInventory, Publisher } from '../../aws/index.js';
import type { BlobStore } from '../../blobs/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { ClaimStore, OutboxWriter, ReportJobStore } from '../../store/index.js';

export type { AwsContext } from '../../aws/index.js';

/** The bulk inventory calls a snapshot makes (never per-instance ones). */
export type ComplianceInventory = Pick<FleetInventory, 'instancePages' | 'patchGroups' | 'patchStatesForGroup' | 'describePatchStates' | 'tags'>;

export type ReportPublisher = Pick<Publisher, 'publish'>;

export type ReportServiceNow = Pick<ServiceNowClient, 'listRecords' | 'getRecord' | 'uploadAttachment' | 'addWorkNote'>;

export type ReportBlobs = Pick<BlobStore, 'put' | 'get' | 'head' | 'presign'>;

/** What report jobs keep: the jobs, the claim that runs each once, the outbox that delivers their files. */
export type ReportJobState = ReportJobStore & ClaimStore & OutboxWriter;

/** The (account, region) pairs a snapshot or report covers. */
export type ComplianceTargets = readonly AwsContext[];
