/**
 * The incident policy's rules: impact and urgency, assignment group and CI,
 * from the failed instances and the configured policy (docs/incidents.md).
 * No I/O.
 */
import type { CiRef, IncidentPolicy, InstanceFailure, Level } from './incident-draft.js';

function isProduction(instance: InstanceFailure, policy: IncidentPolicy): boolean {
  const env = instance.tags['Environment']?.toLowerCase();
  return env !== undefined && policy.prodEnvironments.some((p) => p.toLowerCase() === env);
}

function missesCritical(instance: InstanceFailure): boolean {
  return (instance.counts?.criticalNonCompliant ?? 0) > 0 || instance.topPatches.some((p) => p.severity === 'CRITICAL');
}

function missesSecurity(instance: InstanceFailure): boolean {
  return (instance.counts?.securityNonCompliant ?? 0) > 0;
}

/**
 * Impact and urgency (1 high … 3 low), with the reasons:
 * - impact 1 when any instance is production; 2 when the draft is wide
 *   (≥ `wideImpactThreshold` instances) or critical/security patches are missing; else 3;
 * - urgency 1 when critical patches are missing on production; 2 when critical or
 *   security patches are missing anywhere, or any instance is production; else 3.
 */
export function assessSeverity(instances: readonly InstanceFailure[], policy: IncidentPolicy): { impact: Level; urgency: Level; reasons: string[] } {
  const prod = instances.filter((i) => isProduction(i, policy));
  const critical = instances.filter(missesCritical);
  const security = instances.filter(missesSecurity);
  const criticalOnProd = critical.filter((i) => isProduction(i, policy));
  const wide = instances.length >= (policy.wideImpactThreshold ?? 10);
  const reasons: string[] = [];
  if (prod.length) reasons.push(`${prod.length} production instance(s)`);
  if (critical.length) reasons.push(`${critical.length} instance(s) missing critical patches`);
  if (security.length) reasons.push(`${security.length} instance(s) missing security patches`);
  if (wide) reasons.push(`${instances.length} instances affected`);
  const impact: Level = prod.length ? 1 : wide || critical.length || security.length ? 2 : 3;
  const urgency: Level = criticalOnProd.length ? 1 : critical.length || security.length || prod.length ? 2 : 3;
  if (!reasons.length) reasons.push('no production instance and no missing critical or security patch');
  return { impact, urgency, reasons };
}

/** The first `groupMap` entry whose tag any instance carries, else the default group. */
export function assignmentGroupFor(instances: readonly InstanceFailure[], policy: IncidentPolicy): string {
  for (const rule of policy.groupMap) {
    if (instances.some((i) => i.tags[rule.tagKey] === rule.tagValue)) return rule.group;
  }
  return policy.defaultGroup;
}

/** One instance → that instance's CI; several → the patch group's service, if mapped. */
export function ciFor(instances: readonly InstanceFailure[], patchGroup: string, policy: IncidentPolicy): CiRef | undefined {
  const [only, ...rest] = instances;
  if (only && rest.length === 0) return { kind: 'instance', instanceId: only.instanceId };
  const service = policy.serviceMap[patchGroup];
  return service ? { kind: 'service', name: service } : undefined;
}

