import { ChangeFlowError } from './errors.js';

/** Refuses an account outside `managed` (when a list is configured) before any AWS call is made for it. */
export function assertManaged(managed: readonly string[], accountId: string): void {
  if (managed.length > 0 && !managed.includes(accountId)) {
    throw new ChangeFlowError('ACCOUNT_NOT_MANAGED', `Account ${accountId} is not managed by this patchbridge.`);
  }
}
