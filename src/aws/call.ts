import { toAwsError } from './errors.js';
import type { AwsContext } from './ports.js';

/**
 * The one error wrapper every adapter call goes through: whatever the SDK (or the
 * credential provider behind it) throws comes out as an `AwsError` naming the
 * operation, account and region.
 */
export async function awsCall<T>(ctx: AwsContext, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAwsError(err, { operation, accountId: ctx.accountId, region: ctx.region });
  }
}

/** Drains an SDK paginator, mapping each page to items; errors are wrapped like `awsCall`. */
export async function collectPages<P, T>(
  ctx: AwsContext,
  operation: string,
  pages: () => AsyncIterable<P>,
  pick: (page: P) => readonly T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  await awsCall(ctx, operation, async () => {
    for await (const page of pages()) out.push(...(pick(page) ?? []));
  });
  return out;
}

/** Splits `items` into slices of at most `size` (an AWS per-call limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
