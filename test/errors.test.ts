/**
 * Every error code of every family, walked through the three places that act on
 * errors: the HTTP problem mapper, the outbox worker and the Lambda batch wrapper.
 * They must all follow the family's own declaration, and no declared code may
 * become an accidental 500 or leak its message when the family is not public.
 */
import { describe, expect, it } from 'vitest';
import { answerFor, toProblem } from '../src/api/index.js';
import { AUTH_ERRORS, AuthError } from '../src/api/auth/errors.js';
import { AWS_ERRORS, AwsError } from '../src/aws/index.js';
import { BLOB_ERRORS, BlobError } from '../src/blobs/errors.js';
import { type AppError, CONFIG_ERRORS, ConfigError, type ErrorSpecs, retryClassOf, VALIDATION_ERRORS, ValidationError } from '../src/core/errors.js';
import { CHANGE_ERRORS, ChangeRefusedError } from '../src/domain/index.js';
import { SNS_ERRORS, SnsVerificationError } from '../src/events/errors.js';
import { CHANGE_FLOW_ERRORS, ChangeFlowError } from '../src/flows/changes/index.js';
import { COMPLIANCE_ERRORS, ComplianceError } from '../src/flows/compliance/errors.js';
import { INCIDENT_ERRORS, IncidentError } from '../src/flows/incidents/errors.js';
import { DEAD_LETTER_ERRORS, DeadLetterError } from '../src/flows/outbox/dead-letters.js';
import { isRetryableError } from '../src/runtime/lambda/index.js';
import { SERVICENOW_ERRORS, ServiceNowError } from '../src/servicenow/index.js';
import { STORE_ERRORS, StoreError } from '../src/store/index.js';

const SECRET = 'arn:aws:iam::111122223333:role/patchbridge-api hunter2';

type Family = readonly [name: string, specs: ErrorSpecs<string>, make: (code: string) => AppError];
const FAMILIES: readonly Family[] = [
  ['AwsError', AWS_ERRORS, (c) => new AwsError(c as never, SECRET)],
  ['ServiceNowError', SERVICENOW_ERRORS, (c) => new ServiceNowError(c as never, SECRET)],
  ['StoreError', STORE_ERRORS, (c) => new StoreError(c as never, SECRET)],
  ['BlobError', BLOB_ERRORS, (c) => new BlobError(c as never, SECRET)],
  ['ConfigError', CONFIG_ERRORS, () => new ConfigError('PATCHBRIDGE_X', SECRET)],
  ['ValidationError', VALIDATION_ERRORS, (c) => new ValidationError(c as never, 'the body is wrong')],
  ['AuthError', AUTH_ERRORS, (c) => new AuthError(c as never, SECRET)],
  ['SnsVerificationError', SNS_ERRORS, (c) => new SnsVerificationError(c as never, 'the delivery is wrong')],
  ['ChangeRefusedError', CHANGE_ERRORS, (c) => new ChangeRefusedError(c as never, 'the change says no')],
  ['ChangeFlowError', CHANGE_FLOW_ERRORS, (c) => new ChangeFlowError(c as never, 'the flow says no')],
  ['ComplianceError', COMPLIANCE_ERRORS, (c) => new ComplianceError(c as never, 'the report says no')],
  ['IncidentError', INCIDENT_ERRORS, (c) => new IncidentError(c as never, 'the incident says no')],
  ['DeadLetterError', DEAD_LETTER_ERRORS, (c) => new DeadLetterError(c as never, 'the dead letter says no')],
];

const CASES = FAMILIES.flatMap(([family, specs, make]) => Object.entries(specs).map(([code, spec]) => [family, code, spec, make] as const));

describe('every declared error code', () => {
  it('covers every family and code (the walk below is not empty)', () => {
    expect(CASES.length).toBeGreaterThan(60);
  });

  it.each(CASES)('%s %s: the HTTP answer, the outbox and the Lambda wrapper follow its declaration', (_family, code, spec, make) => {
    const err = make(code);
    expect(err.code).toBe(code);
    expect(err.spec).toEqual(spec);

    const { body } = toProblem(err, '/x', 'req-1');
    expect(body.status).toBe(spec.status);
    expect(body).toMatchObject(answerFor(spec, code, err.message));
    if (spec.public) {
      expect(body.code).toBe(code);
      expect(body.detail).toBe(err.message);
    } else {
      expect(JSON.stringify(body)).not.toContain('arn:aws');
      expect(JSON.stringify(body)).not.toContain('hunter2');
      if (spec.status >= 500) expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_FAILED', 'INTERNAL']).toContain(body.code);
    }
    // An upstream's 401/403 is patchbridge's own failure, never the caller's.
    if (!spec.public) expect([401, 403]).not.toContain(body.status);

    expect(retryClassOf(err)).toBe(spec.retry);
    expect(err.retryable).toBe(spec.retry === 'now');
    expect(isRetryableError(err)).toBe(spec.retry !== 'never');
  });

  it('an unexpected error is a 500 INTERNAL that queues retry rather than drop', () => {
    const err = new Error(SECRET);
    expect(toProblem(err, '/x', undefined).body).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred.' });
    expect(retryClassOf(err)).toBe('now');
    expect(isRetryableError(err)).toBe(true);
  });
});
