import type { Config } from '../../config/index.js';
import type { AwsContext } from './ports.js';

/**
 * Every (account, region) pair a snapshot or report covers. With no accounts
 * configured patchbridge manages the account of its ambient credentials, whose
 * id the composition root reads once (STS `GetCallerIdentity`) and passes here.
 */
export function complianceTargets(aws: Config['aws'], ambientAccountId?: string): AwsContext[] {
  if (aws.accounts.length === 0) return ambientAccountId ? aws.regions.map((region) => ({ accountId: ambientAccountId, region })) : [];
  return aws.accounts.flatMap((a) => a.regions.map((region) => ({ accountId: a.id, region })));
}
