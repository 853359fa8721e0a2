/**
 * Reading ServiceNow back after a storm: which incidents patchbridge wrote,
 * whether any is duplicated, and whether every failed instance is named in an
 * incident's description, work notes or attachments.
 */
import type { ServiceNowSim } from '../../../src/sim/servicenow/index.js';

export interface IncidentAudit {
  readonly incidents: number;
  /** Correlation ids with more than one incident. */
  readonly duplicated: number;
  /** Failed instances named in some incident's text or attachment. */
  readonly named: number;
  /** Failed instances named nowhere. */
  readonly missing: readonly string[];
  /** Incidents whose short description, description or work notes hold a control character other than a line feed, or a `[code]` tag (which journal fields render as HTML). */
  readonly unsafeText: number;
  /** Values ServiceNow had to cut to their column (it does so silently). */
  readonly truncated: number;
  /** Queries that failed the simulator's strict check (a value that is not a key). */
  readonly queryViolations: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_TEXT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|\[\/?code\]/i;

/** Everything ServiceNow holds about patchbridge's incidents, as text. */
export function incidentTexts(sn: ServiceNowSim): Map<string, string> {
  const out = new Map<string, string>();
  for (const incident of sn.state.records('incident')) {
    if (incident['correlation_display'] !== 'patchbridge') continue;
    const sysId = incident['sys_id'] ?? '';
    const parts = [incident['short_description'] ?? '', incident['description'] ?? ''];
    for (const note of sn.state.journal('incident', sysId, 'work_notes')) parts.push(note.value);
    for (const file of sn.state.attachments({ table: 'incident', sysId })) parts.push(file.data.toString('utf8'));
    out.set(sysId, parts.join('\n'));
  }
  return out;
}

/** Whether `id` appears as a whole id (not as the prefix of a longer one, nor cut short). */
function namesId(text: string, id: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(id, from);
    if (at < 0) return false;
    const after = text.charAt(at + id.length);
    if (!/[0-9a-f]/.test(after)) return true;
    from = at + 1;
  }
}

export function auditIncidents(sn: ServiceNowSim, failedIds: readonly string[]): IncidentAudit {
  const incidents = sn.state.records('incident').filter((i) => i['correlation_display'] === 'patchbridge');
  const perKey = new Map<string, number>();
  for (const i of incidents) perKey.set(i['correlation_id'] ?? '', (perKey.get(i['correlation_id'] ?? '') ?? 0) + 1);
  const all = [...incidentTexts(sn).values()].join('\n');
  const missing = failedIds.filter((id) => !namesId(all, id));
  const unsafeText = incidents.filter((i) => {
    const notes = sn.state.journal('incident', i['sys_id'] ?? '', 'work_notes').map((n) => n.value);
    return [i['short_description'] ?? '', i['description'] ?? '', ...notes].some((t) => UNSAFE_TEXT.test(t));
  }).length;
  return {
    incidents: incidents.length,
    duplicated: [...perKey.values()].filter((n) => n > 1).length,
    named: failedIds.length - missing.length,
    missing,
    unsafeText,
    truncated: sn.state.truncations.length,
    queryViolations: sn.queryViolations.length,
  };
}
