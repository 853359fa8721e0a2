export { type ArrivalBatching, type ArrivalBatchingOptions, createArrivalBatching } from './arrival-batching.js';
export { contentId, DEAD_LETTER_KIND, type DeadLetter, type DeadLetterSink, PARKED_UNTIL, storeDeadLetters } from './dead-letter.js';
export {
  DeadLetterError,
  type DeadLetterEntry,
  type DeadLetterErrorCode,
  type DeadLetterPage,
  listDeadLetters,
  type ReplayResult,
  replayDeadLetter,
  replayIdOf,
} from './dead-letters.js';
export {
  type BackoffOptions,
  backoffDelay,
  createOutboxWorker,
  itemHandler,
  type OutboxHandler,
  type OutboxOutcome,
  type OutboxWorker,
  type OutboxWorkerOptions,
  type RoundResult,
} from './worker.js';
