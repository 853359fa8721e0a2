export type * from './ports.js';
export { AwsError, type AwsErrorCode, type AwsErrorOptions, isAwsError, toAwsError } from './errors.js';
