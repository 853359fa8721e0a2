/**
 * What the compliance flow needs from other folders, narrowed to the calls it makes
 * so tests can fake exactly that and nothing more.
 */
import type { AwsContext, FleetInventory, Publisher } from '../../aws/index.js';
import type { BlobStore } from '../../blobs/index.js';
import type { ServiceNowClient } from '../../servicenow/index.js';
import type { StateStore } from '../../store/index.js';

export type { AwsContext } from '../../aws/index.js';

/** The bulk inventory calls a snapshot makes (never per-instance ones). */
export type ComplianceInventory = Pick<FleetInventory, 'instancePages' | 'patchGroups' | 'patchStatesForGroup' | 'describePatchStates' | 'tags'>;

export type ReportPublisher = Pick<Publisher, 'publish'>;

export type ReportServiceNow = Pick<ServiceNowClient, 'listRecords' | 'getRecord' | 'uploadAttachment' | 'addWorkNote'>;

export type ReportBlobs = Pick<BlobStore, 'put' | 'get' | 'head' | 'presign'>;

export type ReportJobStore = Pick<StateStore, 'createReportJob' | 'getReportJob' | 'updateReportJob' | 'listReportJobs' | 'claim' | 'extendClaim' | 'release' | 'enqueue'>;

/** The (account, region) pairs a snapshot or report covers. */
export type ComplianceTargets = readonly AwsContext[];
