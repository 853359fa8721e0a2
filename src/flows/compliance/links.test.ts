import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.js';
import { createLinkSigner } from './links.js';

const KEY = 'k'.repeat(40);
const ID = '3f6d1a52-6a8e-4a0e-9f1f-1b2c3d4e5f60';

function query(url: string): { expires: string; sig: string } {
  const u = new URL(url);
  return { expires: u.searchParams.get('expires') ?? '', sig: u.searchParams.get('sig') ?? '' };
}

describe('createLinkSigner', () => {
  it('when a fresh link is checked, then it is accepted and expires after the configured time', () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const signer = createLinkSigner({ key: KEY, clock });
    const { url, expiresAt } = signer.url('http://127.0.0.1:8080/', ID, 'compliance-report.csv', 3600);
    const { expires, sig } = query(url);
    expect(url.startsWith(`http://127.0.0.1:8080/v1/compliance/reports/${ID}/files/compliance-report.csv?`)).toBe(true);
    expect(expiresAt.toISOString()).toBe('2026-03-01T01:00:00.000Z');
    expect(() => signer.verify(ID, 'compliance-report.csv', expires, sig)).not.toThrow();
  });

  it('when the link is used after its expiry, then it is refused as LINK_EXPIRED', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const signer = createLinkSigner({ key: KEY, clock });
    const { expires, sig } = query(signer.url('http://x', ID, 'compliance-report.csv', 3600).url);
    await clock.advance(3600_000);
    expect(() => signer.verify(ID, 'compliance-report.csv', expires, sig)).toThrow(expect.objectContaining({ code: 'LINK_EXPIRED' }));
  });

  it.each([
    ['a later expiry', (q: { expires: string; sig: string }) => ({ ...q, expires: String(Number(q.expires) + 86_400) }), 'compliance-report.csv', ID],
    ['another file name', (q: { expires: string; sig: string }) => q, 'compliance-report.html', ID],
    ['another report id', (q: { expires: string; sig: string }) => q, 'compliance-report.csv', '00000000-0000-4000-8000-000000000000'],
    ['a flipped signature character', (q: { expires: string; sig: string }) => ({ ...q, sig: (q.sig[0] === 'A' ? 'B' : 'A') + q.sig.slice(1) }), 'compliance-report.csv', ID],
    ['a truncated signature', (q: { expires: string; sig: string }) => ({ ...q, sig: q.sig.slice(0, 20) }), 'compliance-report.csv', ID],
    ['no signature', (q: { expires: string; sig: string }) => ({ ...q, sig: '' }), 'compliance-report.csv', ID],
    ['a non-numeric expiry', (q: { expires: string; sig: string }) => ({ ...q, expires: '1e12' }), 'compliance-report.csv', ID],
  ])('when the link is tampered with (%s), then it is refused as LINK_INVALID', (_what, tamper, name, id) => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const signer = createLinkSigner({ key: KEY, clock });
    const q = tamper(query(signer.url('http://x', ID, 'compliance-report.csv', 3600).url));
    expect(() => signer.verify(id, name, q.expires, q.sig)).toThrow(expect.objectContaining({ code: 'LINK_INVALID' }));
  });

  it('when a link was signed with another key, then it is refused as LINK_INVALID even after expiry', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const other = createLinkSigner({ key: 'o'.repeat(40), clock });
    const signer = createLinkSigner({ key: KEY, clock });
    const { expires, sig } = query(other.url('http://x', ID, 'compliance-report.csv', 60).url);
    await clock.advance(120_000);
    expect(() => signer.verify(ID, 'compliance-report.csv', expires, sig)).toThrow(expect.objectContaining({ code: 'LINK_INVALID' }));
  });

  it('when the key is short, then the signer refuses to start', () => {
    expect(() => createLinkSigner({ key: 'short', clock: new ManualClock() })).toThrow(/at least 32/);
  });
});
