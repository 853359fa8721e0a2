import { Template } from 'aws-cdk-lib/assertions';
import { addPatchbridgeStacks, newPatchbridgeApp, type PatchbridgeStacks } from '../lib/patchbridge-app.js';
import { readAppProps } from '../lib/props.js';

export const MEMBER_ACCOUNT = '111111111111';
export const CENTRAL_ACCOUNT = '222222222222';
export const EXTERNAL_ID = 'msp-customer-42';

/** Context every assertion test synthesises with: one member account, the member stack on. */
export const TEST_CONTEXT: Readonly<Record<string, string>> = {
  'patchbridge:memberAccountIds': MEMBER_ACCOUNT,
  'patchbridge:centralAccountId': CENTRAL_ACCOUNT,
  'patchbridge:externalId': EXTERNAL_ID,
  'patchbridge:reportEmail': 'patching@example.com',
};

/**
 * The whole app with asset bundling skipped (`aws:cdk:bundling-stacks` empty):
 * the templates are the same, only the Lambda code hashes are placeholders.
 * `npm run synth` bundles for real.
 */
export function synthApp(context: Readonly<Record<string, string>> = TEST_CONTEXT) {
  const app = newPatchbridgeApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addPatchbridgeStacks(app, readAppProps((key) => context[key], {}));
  return { app, stacks, template: (stack: keyof PatchbridgeStacks) => Template.fromStack(stacks[stack]!) };
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
