/**
 * Every id format patchbridge checks, declared once. Each value that crosses a
 * boundary (an API body, an event, a config entry, an encoded query, a
 * simulator request) is checked against one of these, and a value that fails
 * is rejected rather than escaped.
 *
 * Sources:
 * - EC2 instance ids are `i-` + 8 (older) or 17 hex characters (EC2 issues
 *   only these two widths); SSM managed nodes (hybrid) are `mi-` + 17 hex.
 * - Maintenance window ids are `mw-` + 17 hex, fixed length 20 (SSM API
 *   `^mw-[0-9a-f]{17}$`). Command, Automation and window execution ids are UUIDs.
 * - AWS account ids are 12 digits. Regions are `<2 letters>[-gov|-iso*]-<direction>-<n>`.
 * - ServiceNow numbers are the table's prefix and at least 7 digits (the base
 *   system's number format, e.g. CHG0030001); a sys_id is a 32-character
 *   lower-case hex GUID.
 */
export const ID_SOURCES = {
  /** EC2 instance: `i-` + 8 or 17 hex. */
  ec2InstanceId: 'i-(?:[0-9a-f]{8}|[0-9a-f]{17})',
  /** SSM managed node outside EC2 (hybrid activation): `mi-` + 17 hex. */
  managedNodeId: 'mi-[0-9a-f]{17}',
  /** Either of the two: what SSM calls an instance id. */
  instanceId: '(?:i-(?:[0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})',
  /** Maintenance window: `mw-` + 17 hex. */
  windowId: 'mw-[0-9a-f]{17}',
  /** SSM command, Automation execution and window execution ids. */
  uuid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  /** AWS account id: 12 digits. */
  accountId: '\\d{12}',
  /** AWS region in any partition: eu-west-1, us-gov-west-1, us-isob-east-1, cn-north-1. */
  region: '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}',
  /** ServiceNow change request number. */
  changeNumber: 'CHG\\d{7,}',
  /** ServiceNow requested item (catalog) number. */
  requestedItemNumber: 'RITM\\d{7,}',
  /** ServiceNow incident number. */
  incidentNumber: 'INC\\d{7,}',
  /** ServiceNow catalog task number. */
  catalogTaskNumber: 'SCTASK\\d{7,}',
  /** ServiceNow record sys_id: 32 lower-case hex. */
  sysId: '[0-9a-f]{32}',
  /** IAM role ARN in any partition, with an optional path. */
  roleArn: 'arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}',
  /** SNS topic ARN in any partition. */
  topicArn: 'arn:aws[a-z-]*:sns:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}:\\d{12}:[\\w-]{1,256}',
} as const;

export type IdKind = keyof typeof ID_SOURCES;

const anchored = (source: string): RegExp => new RegExp(`^(?:${source})$`);

/** The anchored form of each id (`^(?:source)$`), for testing a whole value. */
export const ID_PATTERNS: { readonly [K in IdKind]: RegExp } = Object.freeze({
  ec2InstanceId: anchored(ID_SOURCES.ec2InstanceId),
  managedNodeId: anchored(ID_SOURCES.managedNodeId),
  instanceId: anchored(ID_SOURCES.instanceId),
  windowId: anchored(ID_SOURCES.windowId),
  uuid: anchored(ID_SOURCES.uuid),
  accountId: anchored(ID_SOURCES.accountId),
  region: anchored(ID_SOURCES.region),
  changeNumber: anchored(ID_SOURCES.changeNumber),
  requestedItemNumber: anchored(ID_SOURCES.requestedItemNumber),
  incidentNumber: anchored(ID_SOURCES.incidentNumber),
  catalogTaskNumber: anchored(ID_SOURCES.catalogTaskNumber),
  sysId: anchored(ID_SOURCES.sysId),
  roleArn: anchored(ID_SOURCES.roleArn),
  topicArn: anchored(ID_SOURCES.topicArn),
});

/** Whether `value` is a well-formed id of `kind`. */
export function isId(kind: IdKind, value: string): boolean {
  return ID_PATTERNS[kind].test(value);
}
