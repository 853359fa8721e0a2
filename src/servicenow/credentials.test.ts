import { describe, expect, it } from 'vitest';
import { ManualClock, ValidationError } from '../core/index.js';
import { cachedCredentials, parseServiceNowSecret } from './credentials.js';

const OAUTH_SECRET = { instanceUrl: 'https://acme.service-now.com', clientId: 'id', clientSecret: 's3cr3t-value' };

describe('parseServiceNowSecret', () => {
  it.each([
    { name: 'an OAuth JSON string', input: JSON.stringify(OAUTH_SECRET), kind: 'oauth' },
    { name: 'a Basic object', input: { instanceUrl: 'https://acme.service-now.com', username: 'u', password: 'p' }, kind: 'basic' },
    { name: 'both shapes (OAuth wins)', input: { ...OAUTH_SECRET, username: 'u', password: 'p' }, kind: 'oauth' },
  ])('when given $name, then kind is $kind', ({ input, kind }) => {
    // Act
    const parsed = parseServiceNowSecret(input);

    // Assess
    expect(parsed.kind).toBe(kind);
    expect(parsed.instanceUrl).toBe('https://acme.service-now.com');
  });

  it.each([
    { name: 'not JSON', input: '{s3cr3t-value' },
    { name: 'no credentials', input: { instanceUrl: 'https://acme.service-now.com' } },
    { name: 'an ftp instance URL', input: { ...OAUTH_SECRET, instanceUrl: 'ftp://acme' } },
  ])('when the secret is $name, then VALIDATION_FAILED without echoing it', ({ input }) => {
    // Act
    let error: unknown;
    try {
      parseServiceNowSecret(input);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain('s3cr3t-value');
  });
});

describe('cachedCredentials', () => {
  it('when read within the TTL, then the store is read once; after it, again', async () => {
    // Prepare
    const clock = new ManualClock();
    let loads = 0;
    const load = async () => {
      loads++;
      return OAUTH_SECRET;
    };
    const source = cachedCredentials({ load, ttlMs: 1_000, clock });

    // Act
    await Promise.all([source(), source(), source()]);
    await clock.advance(999);
    await source();
    const withinTtl = loads;
    await clock.advance(1);
    await source();

    // Assess
    expect(withinTtl).toBe(1);
    expect(loads).toBe(2);
  });

  it('when refreshed, then the store is read again and the new value served', async () => {
    // Prepare
    let secret = OAUTH_SECRET;
    const source = cachedCredentials({ load: async () => secret, clock: new ManualClock() });
    await source();
    secret = { ...OAUTH_SECRET, clientSecret: 'rotated' };

    // Act
    const stale = await source();
    const fresh = await source.refresh();
    const after = await source();

    // Assess
    expect(stale.kind === 'oauth' && stale.clientSecret).toBe('s3cr3t-value');
    expect(fresh.kind === 'oauth' && fresh.clientSecret).toBe('rotated');
    expect(after).toBe(fresh);
  });

  it('when the load fails, then the error propagates and the next call tries again', async () => {
    // Prepare
    let fail = true;
    const source = cachedCredentials({
      load: async () => {
        if (fail) throw new Error('AccessDenied');
        return OAUTH_SECRET;
      },
      clock: new ManualClock(),
    });

    // Act
    const first = await source().catch((e: unknown) => e);
    fail = false;
    const second = await source();

    // Assess
    expect((first as Error).message).toBe('AccessDenied');
    expect(second.kind).toBe('oauth');
  });
});
