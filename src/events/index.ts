export { InvalidEventError, SnsVerificationError, type SnsVerificationErrorCode } from './errors.js';
export { DETAIL_TYPES, isEventBridgeShape, normaliseEventBridge } from './eventbridge.js';
export { arnScope, automationTime } from './fields.js';
export {
  isSnsEnvelopeShape,
  normaliseMessage,
  normaliseSnsNotification,
  normaliseSqsRecord,
  parseSnsEnvelope,
  type SnsEnvelope,
  type SqsMessageLike,
  snsEnvelopeSchema,
} from './normalise.js';
export { isRunCommandShape, type MessageOrigin, normaliseRunCommandNotification } from './run-command-sns.js';
export {
  checkSnsUrl,
  createSnsVerifier,
  httpsFetcher,
  type SnsFetcher,
  type SnsVerifier,
  type SnsVerifierOptions,
  snsStringToSign,
} from './sns-signature.js';
export { drainEvent, type GuardInput, type GuardLambdaContext, guardInput, UNNAMED_WINDOW } from './guard-event.js';
