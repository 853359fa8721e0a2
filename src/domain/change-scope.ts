/**
 * The rule that decides whether an approved change covers what a patch run targets
 * (`PATCHBRIDGE_CHANGE_SCOPE`). Pure: a function of the change, the CIs it names,
 * and the instances and CIs the targets resolve to.
 */
import { nameSome } from '../core/index.js';

/**
 * - `none`: an approved change authorises any targets (the default, for compatibility).
 * - `affected-cis`: every targeted instance's CI must be an affected CI (`task_ci`) of
 *   the change or the change's own `cmdb_ci`.
 * - `patch-groups`: every targeted patch group must be named by an affected CI (its
 *   name), the change's CI, or the change's short description or description, as a
 *   whole word; targets given as instances fall back to the `affected-cis` rule.
 */
export type ChangeScopeMode = 'none' | 'affected-cis' | 'patch-groups';

export const CHANGE_SCOPE_MODES: readonly ChangeScopeMode[] = ['none', 'affected-cis', 'patch-groups'];

/** What the change names: its affected CIs plus its own `cmdb_ci`, and its text. */
export interface ChangeScopeFacts {
  readonly changeNumber: string;
  /** sys_id and name of every CI the change names. */
  readonly cis: readonly { readonly sys_id: string; readonly name: string }[];
  readonly text: string;
}

/** One thing a run targets, as the scope rule checks it. */
export type ScopeTarget =
  | { readonly kind: 'patch-group'; readonly name: string }
  /** `ciSysIds`: every CI of the instance in the CMDB (duplicates happen), none when it has none. */
  | { readonly kind: 'instance'; readonly instanceId: string; readonly ciSysIds: readonly string[] };

export type ScopeVerdict = { readonly ok: true } | { readonly ok: false; readonly uncovered: readonly string[]; readonly reason: string };

/** How many uncovered targets a refusal names. */
export const UNCOVERED_NAMED_MAX = 10;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `name` appears in `text` as a whole word: not inside a longer name made of letters, digits, `_`, `-` or `.`. */
export function namesWord(text: string, name: string): boolean {
  if (name === '') return false;
  return new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(name)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`).test(text);
}

/**
 * Decides whether the change covers every target. An empty target list is refused:
 * a run whose targets match no instance cannot be shown to be covered, and an
 * instance that joins the group before SSM resolves it would be patched unchecked.
 */
export function evaluateChangeScope(mode: ChangeScopeMode, change: ChangeScopeFacts, targets: readonly ScopeTarget[]): ScopeVerdict {
  if (mode === 'none') return { ok: true };
  if (targets.length === 0) {
    return { ok: false, uncovered: [], reason: `The targets match no managed instance, so change ${change.changeNumber} cannot be shown to cover them.` };
  }
  const ciIds = new Set(change.cis.map((c) => c.sys_id));
  const ciNames = new Set(change.cis.map((c) => c.name).filter((n) => n !== ''));
  const covered = (t: ScopeTarget): boolean =>
    t.kind === 'instance' ? t.ciSysIds.some((id) => ciIds.has(id)) : ciNames.has(t.name) || namesWord(change.text, t.name);
  const uncovered = targets.filter((t) => !covered(t)).map((t) => (t.kind === 'instance' ? t.instanceId : t.name));
  if (uncovered.length === 0) return { ok: true };
  const what =
    mode === 'affected-cis' || targets.every((t) => t.kind === 'instance')
      ? 'instances whose CI is not an affected CI of the change'
      : 'targets the change names neither as an affected CI nor in its description';
  return {
    ok: false,
    uncovered,
    reason: `Change ${change.changeNumber} does not cover ${uncovered.length} of ${targets.length} targets (${what}): ${nameSome(uncovered, UNCOVERED_NAMED_MAX)}.`,
  };
}
