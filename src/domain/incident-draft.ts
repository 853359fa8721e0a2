/**
 * `IncidentDraft`: one ServiceNow incident's worth of patch failures — one per
 * (account, region, window / automation / command execution, patch group) —
 * and how it is built and combined. The rules that shape it live beside it:
 * its identity (`incident-identity.ts`), the policy for impact, urgency, group
 * and CI (`incident-policy.ts`) and its text (`incident-text.ts`). No I/O. The
 * policy is documented in docs/incidents.md.
 */
import { CORRELATION_DISPLAY, consoleLinks, correlationIdFor } from './incident-identity.js';
import { assessSeverity, assignmentGroupFor, ciFor } from './incident-policy.js';
import { mergeDescription, plainFailure, plainText, renderDescription, shortDescriptionFor } from './incident-text.js';


/** `task.description` is a 4,000-character string field on a default instance. */
export const DESCRIPTION_MAX_CHARS = 4_000;
/** Bound on one work note, so a storm cannot post megabytes of journal. */
export const WORK_NOTE_MAX_CHARS = 16_000;
/** Bound on one instance's error excerpt inside a draft. */
export const ERROR_EXCERPT_MAX_CHARS = 600;
/** Longest patch title a draft keeps (notes show 100 characters of it). */
export const PATCH_TITLE_MAX_CHARS = 200;
/** Patches listed per instance. */
export const TOP_PATCHES = 5;
/** Patch group name used when an instance reports none. */
export const NO_PATCH_GROUP = '(no patch group)';

export type ExecutionKind = 'maintenance-window' | 'automation' | 'command';

/** The unit of work an incident is about. */
export interface ExecutionRef {
  readonly kind: ExecutionKind;
  /** Window execution id, automation execution id or command id. */
  readonly id: string;
  /** Set for maintenance-window executions. */
  readonly windowId?: string;
}

export interface PatchFinding {
  /** Patch id, e.g. `KB5031356` or `openssl.x86_64:1:3.0.8-1.amzn2023`. */
  readonly id: string;
  readonly title: string;
  /** `CRITICAL` … `UNSPECIFIED` (SSM compliance severity). */
  readonly severity: string;
  /** Vendor severity, e.g. `Critical`, `Important`. */
  readonly vendorSeverity?: string;
  /** `Missing`, `Failed`, `InstalledPendingReboot`. */
  readonly state: string;
  readonly classification?: string;
  readonly kb?: string;
  readonly cves: readonly string[];
}

export interface FailurePatchCounts {
  readonly failed: number;
  readonly missing: number;
  readonly installedPendingReboot: number;
  readonly criticalNonCompliant: number;
  readonly securityNonCompliant: number;
}

/** One failed instance, with everything needed to act on it. */
export interface InstanceFailure {
  readonly instanceId: string;
  readonly name?: string;
  readonly platform?: string;
  readonly ipAddress?: string;
  /** SSM Agent ping status: `Online`, `ConnectionLost`, `Inactive`. */
  readonly pingStatus?: string;
  readonly patchGroup: string;
  readonly baselineId?: string;
  /** Invocation status (`Failed`, `TimedOut`, `Cancelled`) and SSM's finer detail. */
  readonly status: string;
  readonly statusDetails?: string;
  readonly commandId?: string;
  readonly counts?: FailurePatchCounts;
  readonly topPatches: readonly PatchFinding[];
  /** The tail of the command's error output, at most `ERROR_EXCERPT_MAX_CHARS`. */
  readonly errorExcerpt?: string;
  /** `Environment`, `Application`, `Owner` (and `Patch Group`) tags where present. */
  readonly tags: Readonly<Record<string, string>>;
  readonly links: { readonly instance: string; readonly command?: string };
  /** When the failure was reported (ISO-8601). */
  readonly failedAt: string;
}

export type CiRef = { readonly kind: 'instance'; readonly instanceId: string } | { readonly kind: 'service'; readonly name: string };

export type Level = 1 | 2 | 3;

export interface IncidentDraft {
  readonly schema: 'patchbridge.incident-draft/1';
  readonly correlationId: string;
  readonly correlationDisplay: typeof CORRELATION_DISPLAY;
  readonly accountId: string;
  readonly region: string;
  readonly execution: ExecutionRef;
  readonly patchGroup: string;
  readonly changeNumber?: string;
  readonly shortDescription: string;
  readonly description: string;
  readonly impact: Level;
  readonly urgency: Level;
  /** Why impact/urgency are what they are, for the work note. */
  readonly severityReasons: readonly string[];
  readonly assignmentGroup: string;
  readonly ci?: CiRef;
  /** Console link to the window execution / automation / command. */
  readonly executionLink: string;
  /** Failed instances this draft reports, sorted by instance id. */
  readonly instances: readonly InstanceFailure[];
  readonly createdAt: string;
}

/** The configurable part of the incident rules (see docs/incidents.md). */
export interface IncidentPolicy {
  /** `Environment` tag values (case-insensitive) that count as production. */
  readonly prodEnvironments: readonly string[];
  /** First match wins; matched against every instance's tags. */
  readonly groupMap: readonly { readonly tagKey: string; readonly tagValue: string; readonly group: string }[];
  readonly defaultGroup: string;
  /** Patch group → CI name or sys_id used when a draft has more than one instance. */
  readonly serviceMap: Readonly<Record<string, string>>;
  /** A draft with at least this many instances has at least medium impact. Default 10. */
  readonly wideImpactThreshold?: number;
}


export interface DraftInput {
  readonly accountId: string;
  readonly region: string;
  readonly execution: ExecutionRef;
  readonly patchGroup: string;
  readonly changeNumber?: string;
  readonly instances: readonly InstanceFailure[];
  readonly now: Date;
}

/** Builds the draft for one (account, region, execution, patch group). */
export function buildIncidentDraft(raw: DraftInput, policy: IncidentPolicy): IncidentDraft {
  // The key hashes the patch group as AWS spells it; everything shown in ServiceNow is plain text.
  const key = correlationIdFor({ accountId: raw.accountId, region: raw.region, executionId: raw.execution.id, patchGroup: raw.patchGroup });
  const input = { ...raw, patchGroup: plainText(raw.patchGroup) };
  const instances = raw.instances.map(plainFailure).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const { impact, urgency, reasons } = assessSeverity(instances, policy);
  const executionLink = consoleLinks.execution(input.region, input.execution);
  const ci = ciFor(instances, input.patchGroup, policy);
  return {
    schema: 'patchbridge.incident-draft/1',
    correlationId: key,
    correlationDisplay: CORRELATION_DISPLAY,
    accountId: input.accountId,
    region: input.region,
    execution: input.execution,
    patchGroup: input.patchGroup,
    ...(input.changeNumber ? { changeNumber: input.changeNumber } : {}),
    shortDescription: shortDescriptionFor({ ...input, instanceCount: instances.length }),
    description: renderDescription({ ...input, executionLink, instances, severityReasons: reasons }),
    impact,
    urgency,
    severityReasons: reasons,
    assignmentGroup: assignmentGroupFor(instances, policy),
    ...(ci ? { ci } : {}),
    executionLink,
    instances,
    createdAt: input.now.toISOString(),
  };
}

/**
 * Folds several drafts for one correlation id (pending together in a queue)
 * into one, so the listener writes the incident once: instances united (the
 * first report of an instance wins), the description's table merged, the
 * highest impact and urgency kept.
 */
export function combineDrafts(drafts: readonly IncidentDraft[]): IncidentDraft {
  const [first, ...rest] = [...drafts].sort((a, b) => b.instances.length - a.instances.length);
  if (!first) throw new Error('combineDrafts needs at least one draft');
  if (rest.some((d) => d.correlationId !== first.correlationId)) throw new Error('combineDrafts needs drafts of one correlation id');
  if (rest.length === 0) return first;
  const byId = new Map(first.instances.map((i) => [i.instanceId, i]));
  let description = first.description;
  for (const d of rest) {
    const fresh = d.instances.filter((i) => !byId.has(i.instanceId));
    if (fresh.length === 0) continue;
    for (const i of fresh) byId.set(i.instanceId, i);
    description = mergeDescription(description, { ...d, instances: fresh }, byId.size);
  }
  const instances = [...byId.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const all = [first, ...rest];
  const service = all.find((d) => d.ci?.kind === 'service')?.ci;
  const ci = instances.length === 1 ? first.ci : service;
  const changeNumber = all.find((d) => d.changeNumber)?.changeNumber;
  const { ci: _replaced, ...base } = first;
  return {
    ...base,
    ...(changeNumber ? { changeNumber } : {}),
    shortDescription: shortDescriptionFor({ ...first, instanceCount: instances.length }),
    description,
    impact: Math.min(...all.map((d) => d.impact)) as Level,
    urgency: Math.min(...all.map((d) => d.urgency)) as Level,
    severityReasons: [...new Set(all.flatMap((d) => d.severityReasons))],
    ...(ci ? { ci } : {}),
    instances,
  };
}
