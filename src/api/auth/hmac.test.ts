import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyDigest, canonicalString, computeSignature, parseSignatureHeader, signatureBytes, signaturesEqual, signRequest } from './hmac.js';

// The worked example of docs/api.md; if this test changes, the document must change with it.
const KEY = { id: 'servicenow-2026-03', secret: 'example-secret-do-not-use-0123456789abcdef' };
const BODY = '{"changeRequest":"CHG0030001","accountId":"111122223333","region":"eu-west-1","targets":{"patchGroups":["web-prod"]},"operation":"Install"}';
const REQUEST = { method: 'POST', pathWithQuery: '/v1/patch-runs', body: BODY };
const TS = 1772359200;
const NONCE = 'q1Z3xG9vYb2mK7pR4tLw8A';
const SIG = '08c5b00549dec54de7f88562a4b9a52b695f6c050a1b2415741db96b2a7f2af2';

describe('HMAC request signatures', () => {
  it('when the documented example is signed, then every intermediate value matches docs/api.md', () => {
    expect(bodyDigest(BODY)).toBe('4ca6bf41eed063fc6efc1fcfce45c3362be2eb5364a98d58a44f3da94c8bb95e');
    expect(bodyDigest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(canonicalString(REQUEST, TS, NONCE)).toBe(`POST\n/v1/patch-runs\n${TS}\n${NONCE}\n4ca6bf41eed063fc6efc1fcfce45c3362be2eb5364a98d58a44f3da94c8bb95e`);
    expect(signRequest(KEY, REQUEST, { ts: TS, nonce: NONCE })).toBe(`keyId=${KEY.id},ts=${TS},nonce=${NONCE},sig=${SIG}`);
  });

  it.each([
    ['lower-case hex', SIG],
    ['upper-case hex', SIG.toUpperCase()],
    ['Base64 (ServiceNow generateMac)', Buffer.from(SIG, 'hex').toString('base64')],
  ])('when the MAC is sent as %s, then it parses to the same 32 bytes', (_name, sig) => {
    const parts = parseSignatureHeader(`keyId=${KEY.id},ts=${TS},nonce=${NONCE},sig=${sig}`);
    expect(parts.sig.toString('hex')).toBe(computeSignature(KEY.secret, REQUEST, TS, NONCE));
  });

  it('when the fields come in another order with spaces, then they still parse', () => {
    expect(parseSignatureHeader(`sig=${SIG}, nonce=${NONCE}, ts=${TS}, keyId=${KEY.id}`)).toMatchObject({ keyId: KEY.id, ts: TS, nonce: NONCE });
  });

  it('when the header is in the usual order, then it reads exactly as the same fields in another order do', () => {
    // The usual order is read with one expression, any other field by field: the two must agree on every header.
    const field = (valid: fc.Arbitrary<string>) => fc.oneof(valid, fc.string({ maxLength: 70 }), valid.map((v) => `${v} `), valid.map((v) => v.slice(1)));
    const keyId = field(fc.stringMatching(/^[\w.-]{1,64}$/));
    const ts = field(fc.oneof(fc.stringMatching(/^\d{1,12}$/), fc.constant('1.5'), fc.constant('1234567890123')));
    const nonce = field(fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/));
    const sig = field(fc.oneof(fc.constant(SIG), fc.constant(SIG.toUpperCase()), fc.constant(Buffer.from(SIG, 'hex').toString('base64')), fc.stringMatching(/^[0-9a-f]{63,65}$/)));
    const read = (header: string) => {
      try {
        return parseSignatureHeader(header);
      } catch (err) {
        return err instanceof Error ? `${err.name}: ${err.message}` : 'thrown';
      }
    };
    fc.assert(
      fc.property(keyId, ts, nonce, sig, (k, t, n, g) => {
        expect(read(`keyId=${k},ts=${t},nonce=${n},sig=${g}`)).toEqual(read(`sig=${g},nonce=${n},ts=${t},keyId=${k}`));
      }),
      { numRuns: 2_000 },
    );
  });

  it('when the MAC received is compared, then only the same 32 bytes match: one flipped bit or another length does not', () => {
    const expected = signatureBytes(KEY.secret, REQUEST, TS, NONCE);
    const flipped = Buffer.from(expected);
    flipped[31] = (flipped[31] ?? 0) ^ 1;

    expect(expected.toString('hex')).toBe(SIG);
    expect(signaturesEqual(expected, Buffer.from(SIG, 'hex'))).toBe(true);
    expect(signaturesEqual(expected, flipped)).toBe(false);
    expect(signaturesEqual(expected, expected.subarray(0, 31))).toBe(false);
    expect(signaturesEqual(expected, Buffer.concat([expected, Buffer.from([0])]))).toBe(false);
  });

  it.each([
    ['a short MAC', `keyId=a,ts=1,nonce=${NONCE},sig=abcd`],
    ['a 16-character nonce minimum', `keyId=a,ts=1,nonce=short,sig=${SIG}`],
    ['an extra field', `keyId=a,ts=1,nonce=${NONCE},sig=${SIG},x=1`],
    ['a fractional timestamp', `keyId=a,ts=1.5,nonce=${NONCE},sig=${SIG}`],
  ])('when the header has %s, then it is refused as UNAUTHORIZED', (_name, header) => {
    expect(() => parseSignatureHeader(header)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
