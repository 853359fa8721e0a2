/**
 * The first `max` items joined with `, `, then ` and N more` for the rest: a
 * list that names what it can and stays within the field or note it goes into.
 */
export function nameSome(items: readonly string[], max: number): string {
  const named = items.slice(0, Math.max(0, max)).join(', ');
  return items.length > max ? `${named} and ${items.length - max} more` : named;
}
