import { z } from 'zod';
import { CORRELATION_DISPLAY, CORRELATION_ID_PATTERN, ID_PATTERNS, type IncidentDraft } from '../../domain/index.js';
import { IncidentError } from './errors.js';

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]);

const instanceFailure = z.object({
  instanceId: z.string().regex(ID_PATTERNS.instanceId),
  name: z.string().exactOptional(),
  platform: z.string().exactOptional(),
  ipAddress: z.string().exactOptional(),
  pingStatus: z.string().exactOptional(),
  patchGroup: z.string().min(1),
  baselineId: z.string().exactOptional(),
  status: z.string().min(1),
  statusDetails: z.string().exactOptional(),
  commandId: z.string().exactOptional(),
  counts: z
    .object({
      failed: z.number(),
      missing: z.number(),
      installedPendingReboot: z.number(),
      criticalNonCompliant: z.number(),
      securityNonCompliant: z.number(),
    })
    .exactOptional(),
  topPatches: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      vendorSeverity: z.string().exactOptional(),
      state: z.string(),
      classification: z.string().exactOptional(),
      kb: z.string().exactOptional(),
      cves: z.array(z.string()),
    }),
  ),
  errorExcerpt: z.string().exactOptional(),
  tags: z.record(z.string(), z.string()),
  links: z.object({ instance: z.string(), command: z.string().exactOptional() }),
  failedAt: z.string(),
});

/**
 * The wire shape of an `IncidentDraft` on the monitoring topic / in the outbox.
 * It is always parsed from JSON, which has no `undefined`: an optional field is
 * present with a value or absent (`exactOptional`), as `IncidentDraft` says.
 */
export const incidentDraftSchema = z.object({
  schema: z.literal('patchbridge.incident-draft/1'),
  correlationId: z.string().regex(CORRELATION_ID_PATTERN),
  correlationDisplay: z.literal(CORRELATION_DISPLAY),
  accountId: z.string().regex(ID_PATTERNS.accountId),
  region: z.string().min(1),
  execution: z.object({
    kind: z.enum(['maintenance-window', 'automation', 'command']),
    id: z.string().min(1),
    windowId: z.string().exactOptional(),
  }),
  patchGroup: z.string().min(1),
  changeNumber: z.string().regex(ID_PATTERNS.changeNumber).exactOptional(),
  shortDescription: z.string().min(1),
  description: z.string(),
  impact: level,
  urgency: level,
  severityReasons: z.array(z.string()),
  assignmentGroup: z.string().min(1),
  ci: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('instance'), instanceId: z.string().regex(ID_PATTERNS.instanceId) }),
    z.object({ kind: z.literal('service'), name: z.string().min(1) }),
  ]).exactOptional(),
  executionLink: z.string(),
  instances: z.array(instanceFailure).min(1),
  createdAt: z.string(),
});

/** Parses a draft received from the monitoring topic; `INVALID_DRAFT` (permanent) otherwise. */
export function parseIncidentDraft(input: unknown): IncidentDraft {
  const result = incidentDraftSchema.safeParse(input);
  if (!result.success) {
    const reason = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new IncidentError('INVALID_DRAFT', `not an incident draft: ${reason}`);
  }
  return result.data;
}
