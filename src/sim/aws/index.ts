export {
  type AwsSim,
  type CreateAwsSimOptions,
  createAwsSim,
  type InjectedFault,
  type LatencySpec,
  type SimCounter,
  type SimRequestLogEntry,
  type TpsSpec,
} from './create-aws-sim.js';
export { type CreateFleetOptions, createFleet, type Fleet, GUARD_FUNCTION, HOSTILE_LONG, HOSTILE_TEXT, type InvocationOutcome, type SimInstance, type SimWindow } from './fleet.js';
export { type PlatformInfo, PLATFORM_INFO, type SimPatch, type SimPlatform } from './catalog.js';
export type { SimTimeMode } from './scheduler.js';
export { type AwsSimSink, type DeliveryRecord, SIGNING_CERT_PATH, type SimSinkKind, type SnsPublication } from './deliveries.js';
export { type CreateSnsSignerOptions, createSnsSigner, type SnsNotificationEnvelope, type SnsSigner, snsStringToSign } from './sns-signer.js';
export type { EventBridgeEvent, RunCommandSnsCommandMessage, RunCommandSnsInvocationMessage } from './notifications.js';
export { automationTime, snsTime } from './notifications.js';
export type { AccountState, LambdaHandler, LambdaInvocation } from './state.js';
export { AWS_SIM_CLI_USAGE, runAwsSimCli, type StartAwsSimOptions, startAwsSim } from './cli.js';
export { type AwsSimHarness, type CreateAwsSimHarnessOptions, createAwsSimHarness, SIM_CREDENTIALS } from './harness.js';
export { buildFormatSamples, type FormatSamples } from './format-samples.js';
