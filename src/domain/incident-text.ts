/**
 * The text of an incident: short description, description table, work notes,
 * the failed-instances CSV, and the cleaning that makes AWS text safe for
 * ServiceNow fields. No I/O.
 */
import { csvField } from '../core/index.js';
import { ID_SOURCES } from './ids.js';
import { idSafe } from './incident-identity.js';
import { ERROR_EXCERPT_MAX_CHARS, type ExecutionRef, type IncidentDraft, type InstanceFailure, PATCH_TITLE_MAX_CHARS, WORK_NOTE_MAX_CHARS, DESCRIPTION_MAX_CHARS } from './incident-draft.js';

function executionLabel(execution: ExecutionRef): string {
  if (execution.kind === 'maintenance-window') return `maintenance window ${execution.windowId ?? ''} execution ${execution.id}`.replace('  ', ' ');
  if (execution.kind === 'automation') return `automation execution ${execution.id}`;
  return `command ${execution.id}`;
}

/** `short_description`: what failed, where, how many. ServiceNow caps it at 160 characters. */
export function shortDescriptionFor(d: { patchGroup: string; accountId: string; region: string; instanceCount: number; execution: ExecutionRef }): string {
  const what = d.execution.kind === 'maintenance-window' ? 'maintenance window' : d.execution.kind === 'automation' ? 'patch run' : 'patch command';
  const text = `Patching failed on ${d.instanceCount} instance${d.instanceCount === 1 ? '' : 's'} in patch group ${d.patchGroup} (${what}, ${d.accountId} ${d.region})`;
  return text.length <= 160 ? text : `${text.slice(0, 159)}…`;
}

// Control characters in AWS data (tags, names, output) would corrupt ServiceNow text (a NUL ends a string in
// some clients, ESC sequences and C1 codes garble the UI, CR/LF and line separators forge lines); pipes would break the table.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_OR_PIPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029|]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** ServiceNow renders what a journal entry wraps in `[code]…[/code]` as HTML (`glide.ui.security.allow_codetag`, on by default). */
const CODE_TAG = /\[(\/?)code\]/gi;

/**
 * AWS text made safe for ServiceNow text fields: every run of C0/C1 control
 * characters (line breaks included) and Unicode line separators becomes one
 * space, and `[code]` tags become `(code)` so a tag value cannot inject HTML
 * into the incident's activity stream.
 */
export function plainText(text: string): string {
  return text.replace(CONTROL, ' ').replace(CODE_TAG, '($1code)');
}

/** An instance failure whose free text from AWS (names, tags, titles, output) holds no control characters. */
export function plainFailure(i: InstanceFailure): InstanceFailure {
  const opt = (v: string | undefined) => (v === undefined ? {} : { value: plainText(v) });
  const name = opt(i.name);
  const platform = opt(i.platform);
  const details = opt(i.statusDetails);
  const baseline = opt(i.baselineId);
  const excerpt = opt(i.errorExcerpt);
  return {
    ...i,
    ...('value' in name ? { name: name.value } : {}),
    ...('value' in platform ? { platform: platform.value } : {}),
    ...('value' in details ? { statusDetails: details.value } : {}),
    ...('value' in baseline ? { baselineId: baseline.value } : {}),
    ...('value' in excerpt ? { errorExcerpt: excerpt.value } : {}),
    status: plainText(i.status),
    patchGroup: plainText(i.patchGroup),
    tags: Object.fromEntries(Object.entries(i.tags).map(([k, v]) => [plainText(k), plainText(v)])),
    // A title is shown cut to 100 characters; AWS allows far longer ones, which would swell every draft.
    topPatches: i.topPatches.map((p) => ({ ...p, id: plainText(p.id), title: plainText(p.title).slice(0, PATCH_TITLE_MAX_CHARS) })),
  };
}

const COLUMNS = ['Instance', 'Name', 'Platform', 'IP', 'Agent', 'Status', 'Failed', 'Missing', 'Reboot', 'Crit', 'Sec', 'Env'] as const;
/** Widest a cell may be, per column, so a dozen rows fit in the 4,000-character description. */
const WIDTHS = [20, 24, 22, 15, 14, 24, 6, 7, 6, 4, 4, 12] as const;

function row(i: InstanceFailure): string[] {
  const c = i.counts;
  const n = (v: number | undefined) => (v === undefined ? '-' : String(v));
  return [
    i.instanceId,
    i.name ?? '-',
    i.platform ?? '-',
    i.ipAddress ?? '-',
    i.pingStatus ?? '-',
    i.statusDetails && i.statusDetails !== i.status ? `${i.status}/${i.statusDetails}` : i.status,
    n(c?.failed),
    n(c?.missing),
    n(c?.installedPendingReboot),
    n(c?.criticalNonCompliant),
    n(c?.securityNonCompliant),
    i.tags['Environment'] ?? '-',
  ].map((cell, col) => cell.replace(CONTROL_OR_PIPE, ' ').slice(0, WIDTHS[col] ?? 20));
}

/** A fixed-width text table from cells: the header, then one line per row, in order. */
function renderTable(rows: readonly (readonly string[])[]): string[] {
  const all = [COLUMNS.slice(), ...rows];
  const widths = COLUMNS.map((_, col) => Math.max(...all.map((r) => (r[col] ?? '').length)));
  return all.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join(' | ')
      .trimEnd(),
  );
}

/** The per-instance table of the description, one line per instance, in `instances` order. */
export function instanceTable(instances: readonly InstanceFailure[]): string[] {
  return renderTable(instances.map(row));
}

const NEXT_STEPS = [
  'Next steps:',
  '1. Read each instance\'s error output, patches and console links in the work notes; fix the cause.',
  '2. Agents ConnectionLost or Inactive: restore SSM Agent connectivity first.',
  '3. Reboot instances with pending-reboot patches where the baseline allows.',
  '4. Re-run AWS-RunPatchBaseline (Install) on the failed instances, or let the next window retry.',
  '5. Resolve once every instance reports compliant. Late failures of this execution arrive as work notes.',
];

type DescriptionSubject = {
  accountId: string;
  region: string;
  execution: ExecutionRef;
  patchGroup: string;
  changeNumber?: string;
  executionLink: string;
  severityReasons: readonly string[];
};

function headline(d: DescriptionSubject, count: number): string {
  return `Patching failed on ${count} instance(s) of patch group "${d.patchGroup}" during ${executionLabel(d.execution)} in account ${d.accountId}, region ${d.region}.`;
}

function composeDescription(head: string, details: readonly string[], rows: readonly (readonly string[])[]): string {
  const summary = [head, ...details, ''];
  const table = renderTable(rows);
  const tail = ['', ...NEXT_STEPS];
  const fixed = [...summary, ...tail].join('\n').length + 2;
  const kept: string[] = [];
  let used = fixed;
  for (const [index, line] of table.entries()) {
    const reserve = index < table.length - 1 ? 200 : 0;
    if (used + line.length + 1 + reserve > DESCRIPTION_MAX_CHARS) {
      kept.push(
        `… and ${table.length - index} more instance(s), not in this table: every failed instance is named in the work notes, and where they would be too long, in an attached CSV of failed instances.`,
      );
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return [...summary, ...kept, ...tail].join('\n');
}

/**
 * The incident description: a summary line, the per-instance table and the next
 * steps, within `DESCRIPTION_MAX_CHARS`. If the table would not fit, the rows
 * that do are kept and the rest are named in a closing line (they are all in
 * the work notes).
 */
export function renderDescription(d: DescriptionSubject & { instances: readonly InstanceFailure[] }): string {
  const details = [
    ...(d.changeNumber ? [`Change request: ${d.changeNumber}.`] : []),
    `Priority basis: ${d.severityReasons.join('; ')}.`,
    `Execution: ${d.executionLink}`,
  ];
  return composeDescription(headline(d, d.instances.length), details, d.instances.map(row));
}

const ROW = new RegExp(`^(${ID_SOURCES.instanceId})\\s*\\|`);

/** Reads back a description this module rendered: its detail lines and table rows (as cells). */
export function parseDescription(text: string): { details: string[]; rows: string[][] } | undefined {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('Instance ') && l.includes(' | Name'));
  if (header < 1) return undefined;
  const details = lines.slice(1, header).filter((l) => l.trim() !== '');
  const rows: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    if (ROW.test(line)) rows.push(line.split(' | ').map((c) => c.trim()));
  }
  return { details, rows };
}

/**
 * The description after late failures: the rows already in `existing` (as
 * ServiceNow holds it) plus a row for each instance of `draft` not yet listed,
 * under a summary counting `total` instances. Falls back to the draft's own
 * description when `existing` is not one patchbridge wrote.
 */
export function mergeDescription(existing: string | undefined, draft: IncidentDraft, total: number): string {
  const parsed = existing ? parseDescription(existing) : undefined;
  if (!parsed) return draft.description;
  const listed = new Set(parsed.rows.map((r) => r[0]));
  const rows = [...parsed.rows, ...draft.instances.filter((i) => !listed.has(i.instanceId)).map(row)].sort((a, b) =>
    (a[0] ?? '').localeCompare(b[0] ?? ''),
  );
  return composeDescription(headline(draft, Math.max(total, rows.length)), parsed.details, rows);
}

/** Whitespace runs and control characters (AWS data may hold any) become one space. */
function oneLine(text: string): string {
  return text.replace(WHITESPACE_OR_CONTROL, ' ').trim();
}

/** One instance's block in a work note. */
export function instanceDetail(i: InstanceFailure): string {
  const lines = [
    `${i.instanceId}${i.name ? ` (${oneLine(i.name)})` : ''}: ${i.status}${i.statusDetails && i.statusDetails !== i.status ? ` / ${i.statusDetails}` : ''}` +
      `${i.platform ? `, ${i.platform}` : ''}${i.ipAddress ? `, ${i.ipAddress}` : ''}${i.pingStatus ? `, agent ${i.pingStatus}` : ''}`,
    `  Patch group ${i.patchGroup}${i.baselineId ? `, baseline ${i.baselineId}` : ''}` +
      (i.counts
        ? `; failed ${i.counts.failed}, missing ${i.counts.missing}, pending reboot ${i.counts.installedPendingReboot}, critical ${i.counts.criticalNonCompliant}, security ${i.counts.securityNonCompliant}`
        : '; no patch state reported'),
  ];
  if (i.topPatches.length) {
    lines.push('  Top patches:');
    for (const p of i.topPatches) {
      const refs = [p.kb, ...p.cves].filter(Boolean).join(' ');
      lines.push(`    - ${oneLine(p.id)} [${p.state}, ${p.vendorSeverity ?? p.severity}]${refs ? ` ${refs}` : ''}${p.title && p.title !== p.id ? ` — ${oneLine(p.title).slice(0, 100)}` : ''}`);
    }
  }
  if (i.errorExcerpt) lines.push(`  Error output (tail): ${oneLine(i.errorExcerpt)}`);
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`)
    .join(', ');
  if (tags) lines.push(`  Tags: ${tags}`);
  lines.push(`  Instance: ${i.links.instance}`);
  if (i.links.command) lines.push(`  Command: ${i.links.command}`);
  return lines.join('\n');
}

/** One line naming a failed instance and its error, for where its detail block does not fit. */
export function instanceLine(i: InstanceFailure): string {
  const status = i.statusDetails && i.statusDetails !== i.status ? `${i.status}/${i.statusDetails}` : i.status;
  const error = i.errorExcerpt ? `: ${oneLine(i.errorExcerpt).slice(-ERROR_LINE_MAX_CHARS)}` : '';
  return `- ${i.instanceId} ${status}${error}`;
}

/** Bound on the error of one instance in an overflow line; its full excerpt is in the CSV. */
const ERROR_LINE_MAX_CHARS = 120;

/** The name patchbridge gives the CSV of an incident's failed instances. */
export function failedInstancesFileName(execution: ExecutionRef, count: number): string {
  return `patchbridge-failed-instances-${idSafe(execution.id).slice(0, 80)}-${count}.csv`;
}

const CSV_COLUMNS = ['instance_id', 'name', 'patch_group', 'status', 'status_details', 'platform', 'agent', 'failed', 'missing', 'pending_reboot', 'environment', 'failed_at', 'error'] as const;

/** Every instance with its error, as CSV (RFC 4180, formula-looking cells defused): what an attachment carries. */
export function failedInstancesCsv(instances: readonly InstanceFailure[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of instances) {
    lines.push(
      [
        i.instanceId,
        i.name,
        i.patchGroup,
        i.status,
        i.statusDetails,
        i.platform,
        i.pingStatus,
        i.counts?.failed,
        i.counts?.missing,
        i.counts?.installedPendingReboot,
        i.tags['Environment'],
        i.failedAt,
        i.errorExcerpt ? oneLine(i.errorExcerpt) : undefined,
      ]
        .map((v) => csvField(v))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface RenderedWorkNote {
  readonly text: string;
  /** Instances the text does not name; when any, the caller attaches `failedInstancesCsv` as `attachment`. */
  readonly unnamed: number;
}

/**
 * A work note about `instances`, within `WORK_NOTE_MAX_CHARS`: a detail block
 * per instance while they fit, then one line per instance (id, status, error)
 * while those fit. Nothing is cut mid-item. When some instance is still not
 * named, the note says how many and that every instance is in the attached
 * CSV `attachment`: the caller must attach it (see `failedInstancesCsv`).
 */
export function renderWorkNote(heading: string, instances: readonly InstanceFailure[], extra: readonly string[] = [], attachment = 'CSV'): RenderedWorkNote {
  const parts = [heading, ...extra, ''];
  const closing = (n: number) => `${n} more failed instance(s) are not listed here: every failed instance, with its error, is in the attached ${attachment}.`;
  // Room kept for the closing line, whatever the count.
  const budget = WORK_NOTE_MAX_CHARS - closing(instances.length).length - 2;
  let used = parts.join('\n').length;
  const lines = instances.map((i) => instanceLine(i).length + 1);
  // after[k]: the one-line form of every instance after k, plus the list's heading.
  const after = new Array<number>(instances.length + 1).fill(0);
  for (let k = instances.length - 1; k >= 0; k--) after[k] = (after[k + 1] ?? 0) + (lines[k + 1] ?? 0);
  let index = 0;
  // Detail while the rest still fits one line each: naming everyone comes before detail.
  for (; index < instances.length; index++) {
    const block = instanceDetail(instances[index] as InstanceFailure);
    const rest = index < instances.length - 1 ? (after[index] ?? 0) + 14 : 0;
    if (used + block.length + 2 + Math.min(rest, budget) > budget) break;
    parts.push(block, '');
    used += block.length + 2;
  }
  if (index < instances.length) {
    const header = index === 0 ? 'Failed instances:' : 'Also failed:';
    parts.push(header);
    used += header.length + 1;
    for (; index < instances.length; index++) {
      const line = instanceLine(instances[index] as InstanceFailure);
      if (used + line.length + 1 > budget) break;
      parts.push(line);
      used += line.length + 1;
    }
  }
  const unnamed = instances.length - index;
  if (unnamed > 0) parts.push('', closing(unnamed));
  return { text: parts.join('\n').trimEnd(), unnamed };
}


/** Keeps the bounded excerpt SSM output deserves: the tail, where the error usually is. */
export function boundExcerpt(text: string | undefined, max = ERROR_EXCERPT_MAX_CHARS): string | undefined {
  if (!text) return undefined;
  const marker = text.lastIndexOf('----------ERROR-------');
  const focus = marker >= 0 ? text.slice(marker + '----------ERROR-------'.length) : text;
  const trimmed = focus.trim();
  if (!trimmed) return undefined;
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(trimmed.length - max + 1)}`;
}
