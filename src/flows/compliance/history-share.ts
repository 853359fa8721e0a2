/**
 * What the main thread and the history workers share: the messages they
 * exchange, and how instances are split between workers.
 */
import type { AccumulatorState } from '../../domain/index.js';

export interface HistoryWorkerInit {
  /** The report period, oldest first. */
  readonly days: readonly string[];
  /** This worker's share of the instances, `0 ≤ share < shares`. */
  readonly share: number;
  readonly shares: number;
  /** Only these patch groups (`(unmanaged)` for none); all when absent. */
  readonly patchGroups?: readonly string[];
}

export type ToWorker =
  /** Whole decompressed lines of one history object, in order; `bytes` is shared by every worker. */
  | { readonly type: 'lines'; readonly seq: number; readonly day: string; readonly key: string; readonly bytes: Uint8Array }
  | { readonly type: 'finish' };

export type ToMain =
  | { readonly type: 'done'; readonly seq: number; readonly records: number }
  | { readonly type: 'state'; readonly state: AccumulatorState }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16_777_619;

/** The share an instance id falls in (FNV-1a): every record of an instance goes to the same worker. */
export function shareOf(instanceId: string, shares: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < instanceId.length; i++) h = Math.imul(h ^ instanceId.charCodeAt(i), FNV_PRIME);
  return (h >>> 0) % shares;
}

const ID_FIELD = '"instance_id":"';

/**
 * The share of a history line read from its text, without parsing it, so each
 * worker parses only its own lines. `undefined` when the text alone cannot say
 * for sure (no such field, the key twice, any escape sequence, which could
 * spell the key another way): the line is then parsed and its parsed id decides.
 */
export function shareOfLine(line: string, shares: number): number | undefined {
  if (line.includes('\\')) return undefined;
  const at = line.indexOf(ID_FIELD);
  if (at < 0 || line.lastIndexOf(ID_FIELD) !== at) return undefined;
  const start = at + ID_FIELD.length;
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ line.charCodeAt(i), FNV_PRIME);
  return (h >>> 0) % shares;
}
