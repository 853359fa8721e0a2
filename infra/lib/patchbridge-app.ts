import { App, type AppProps as CdkAppProps } from 'aws-cdk-lib';
import type { AppProps } from './props.js';
import { BridgeStack } from './stacks/bridge-stack.js';
import { MemberAccountStack } from './stacks/member-account-stack.js';
import { PatchingStack } from './stacks/patching-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';

/** Feature flags the app relies on (what `cdk init` would put in cdk.json). */
export const FEATURE_FLAGS = {
  // Server access logs are granted by bucket policy, so the log bucket can enforce bucket-owner ownership (no ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
} as const;

/** A CDK App with patchbridge's feature flags. */
export function newPatchbridgeApp(props: CdkAppProps = {}): App {
  return new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
}

export interface PatchbridgeStacks {
  readonly stateful: StatefulStack;
  readonly bridge: BridgeStack;
  readonly patching: PatchingStack;
  readonly member: MemberAccountStack;
}

/**
 * Every stack of patchbridge in `app`, from props read once, including the member
 * stack (the StackSet template).
 */
export function addPatchbridgeStacks(app: App, props: AppProps): PatchbridgeStacks {
  const env = props.env.account || props.env.region ? { env: props.env } : {};
  const prefix = props.prefix;
  const members = props.bridge.memberAccountIds ?? [];
  const stateful = new StatefulStack(app, 'PatchbridgeStateful', {
    ...env,
    description: 'patchbridge: state table, data bucket, KMS key, secrets (retained on delete)',
    prefix,
    memberAccountIds: members,
    ...props.stateful,
  });
  const bridge = new BridgeStack(app, 'PatchbridgeBridge', {
    ...env,
    description: 'patchbridge: topics, queues, Lambda handlers, API, schedules',
    prefix,
    ...props.bridge,
    table: stateful.state.table,
    bucket: stateful.data.bucket,
    key: stateful.encryption.key,
    serviceNowSecret: stateful.secrets.serviceNow,
    apiHmacSecret: stateful.secrets.apiHmacKeys,
    ...(props.member?.roleName ? { memberRoleName: props.member.roleName } : {}),
  });
  const patching = new PatchingStack(app, 'PatchbridgePatching', {
    ...env,
    description: 'patchbridge: patch baselines, gated maintenance windows, ad hoc runbook, aws.ssm events',
    prefix,
    ...props.patching,
    guard: bridge.functions['window-guard'].fn,
    patchResults: bridge.topics.patchResults,
    topicKey: stateful.encryption.key,
    intakeQueueArn: bridge.intake.queue.queueArn,
  });
  // The StackSet template: no fixed account or region; central account and external id from context, else parameters.
  const member = new MemberAccountStack(app, 'PatchbridgeMember', {
    description: 'patchbridge member account: patching regime, bridge role (external id), aws.ssm forwarding',
    prefix,
    ...props.patching,
    ...props.member,
  });
  return { stateful, bridge, patching, member };
}
