import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { AppError, internal } from './errors.js';
import { createLogger, SECRET_FIELDS } from './logger.js';
import { runInRequestContext } from './request-context.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, destination: destination as unknown as NodeJS.WritableStream & { write(s: string): boolean } };
}

const SECRETS = {
  clientSecret: 'sn-client-secret-1f2e3d',
  password: 'sn-password-9a8b7c',
  hmac: 'hmac-key-material-0123456789abcdef0123',
  apiKey: 'eventbridge-api-key-5566778899',
  token: 'eyJhbGciOiJSUzI1NiJ9.payload.sig',
};

describe('createLogger', () => {
  it('when a config holding secrets is logged, then no secret value appears in the output', () => {
    // Prepare
    const config = loadConfig({
      PATCHBRIDGE_SERVICENOW_URL: 'https://acme.service-now.com',
      PATCHBRIDGE_SERVICENOW_CLIENT_ID: 'cid',
      PATCHBRIDGE_SERVICENOW_CLIENT_SECRET: SECRETS.clientSecret,
      PATCHBRIDGE_API_HMAC_KEYS: `k1:${SECRETS.hmac}`,
      PATCHBRIDGE_EVENTS_API_KEY: SECRETS.apiKey,
      PATCHBRIDGE_EVENTS_BASIC_AUTH: `eb:${SECRETS.password}`,
    });
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'debug', destination });

    // Act
    logger.info({ config }, 'configuration loaded');
    logger.debug({ req: { headers: { authorization: `Bearer ${SECRETS.token}`, 'x-api-key': SECRETS.apiKey } } }, 'request');
    logger.warn({ oauth: { access_token: SECRETS.token, refresh_token: SECRETS.token } }, 'token refreshed');
    logger.error({ err: new Error('boom'), credentials: { password: SECRETS.password } }, 'failed');

    // Assess
    expect(lines).toHaveLength(4);
    const output = lines.join('\n');
    for (const value of Object.values(SECRETS)) expect(output).not.toContain(value);
    expect(output).toContain('[REDACTED]');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'info', msg: 'configuration loaded', service: 'patchbridge' });
  });

  it.each(SECRET_FIELDS.map((f) => [f]))('redacts %s at any depth', (field) => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    logger.info({ [field]: 'S3CRET-top', a: { [field]: 'S3CRET-1', b: { c: { d: { [field]: 'S3CRET-4' } } } } }, 'x');
    expect(lines.join('')).not.toContain('S3CRET');
  });
});

describe('error logging', () => {
  it('when an error with a cause is logged, then its type, message, stack, code and cause survive and its secrets do not', () => {
    const { lines, destination } = capture();
    const cause = new Error('socket hang up');
    const err = new AppError('UNAVAILABLE', 'ServiceNow did not answer', { cause, spec: internal(503, 'now'), details: { table: 'incident', password: 'pw-in-details' } });
    createLogger({ destination }).error({ err, nested: { err: new TypeError('inner boom') } }, 'failed');
    const line = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown>; nested: { err: Record<string, unknown> } };
    expect(line.err).toMatchObject({ type: 'AppError', message: expect.stringContaining('ServiceNow did not answer'), code: 'UNAVAILABLE', spec: { status: 503, retry: 'now', public: false } });
    expect(String(line.err['stack'])).toContain('logger.test.ts');
    expect(JSON.stringify(line.err)).toContain('socket hang up');
    expect(line.nested.err).toMatchObject({ type: 'TypeError', message: 'inner boom' });
    expect(lines[0]).not.toContain('pw-in-details');
  });
});

describe('redact', () => {
  it('when a field name differs only in case, then it is still redacted', () => {
    const { lines, destination } = capture();
    createLogger({ destination }).info({ headers: { AUTHORIZATION: 'Basic c2VjcmV0' } }, 'x');
    expect(lines.join('')).not.toContain('c2VjcmV0');
  });

  it('when a flat line names a secret field at the top level, in any case, then its value is redacted and the rest is written as given', () => {
    // A flat line with no secret field is written without a copy; one with a secret field never takes that path.
    fc.assert(
      fc.property(
        fc.constantFrom(...SECRET_FIELDS),
        fc.constantFrom<(s: string) => string>((s) => s, (s) => s.toUpperCase(), (s) => s.toLowerCase()),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null))),
        (field, casing, rest) => {
          const { lines, destination } = capture();
          createLogger({ destination }).info({ ...rest, [casing(field)]: 'top-level-secret-4321', method: 'GET' }, 'x');
          expect(lines.join('')).not.toContain('top-level-secret-4321');
          expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ method: 'GET', [casing(field)]: '[REDACTED]' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when the logged object is frozen or circular, then logging neither throws nor mutates it', () => {
    const { lines, destination } = capture();
    const inner: Record<string, unknown> = { password: 'hunter2-xyz' };
    inner['self'] = inner;
    const frozen = Object.freeze({ password: 'frozen-pw-123', inner });
    createLogger({ destination }).info({ frozen }, 'x');
    expect(frozen.password).toBe('frozen-pw-123');
    expect(lines.join('')).not.toMatch(/hunter2-xyz|frozen-pw-123/);
    expect(lines.join('')).toContain('[Circular]');
  });
});

describe('request id mixin', () => {
  it('when lines are logged inside a request context, then each carries its id once, after awaits and timers too, and none outside', async () => {
    // Prepare
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'debug', destination });

    // Act
    logger.info('before');
    await runInRequestContext({ requestId: 'req-a' }, async () => {
      logger.info('direct');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.child({ flow: 'patch-runs' }).info('after a timer, from a child');
      logger.info({ requestId: 'req-a' }, 'passed explicitly too');
    });
    logger.info('after');

    // Assess
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; requestId?: string });
    expect(parsed.map((l) => [l.msg, l.requestId])).toEqual([
      ['before', undefined],
      ['direct', 'req-a'],
      ['after a timer, from a child', 'req-a'],
      ['passed explicitly too', 'req-a'],
      ['after', undefined],
    ]);
    expect(lines.every((l) => l.split('"requestId"').length <= 2)).toBe(true);
  });
});
