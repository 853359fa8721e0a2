import { expect } from 'vitest';
import { type ManualClock, ValidationError } from '../../core/index.js';
import { rejectionOf } from '../../core/testing.js';
import { StoreError } from '../errors.js';
import type { StateStore } from '../ports.js';
import type { GateAuthorisation, IdempotencyRecord, PatchRunInstance, PatchRunRecord, ReportJobRecord } from '../types.js';

/** What a store implementation hands the contract suite for each test: a fresh, empty store. */
export interface StoreFixture {
  readonly store: StateStore;
  readonly clock: ManualClock;
  readonly cleanup: () => Promise<void>;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

export async function expectValidationError(promise: Promise<unknown>): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('VALIDATION_FAILED');
}

export function patchRun(clock: ManualClock, overrides: Partial<PatchRunRecord> = {}): PatchRunRecord {
  const now = clock.now().toISOString();
  return {
    id: overrides.id ?? `run-${now}`,
    changeNumber: 'CHG0001001',
    changeSysId: '0123456789abcdef0123456789abcdef',
    accountId: '111122223333',
    region: 'eu-west-1',
    clientToken: '6f1c2d3e-0000-5000-8000-000000000001',
    request: { targets: [{ key: 'tag:Patch Group', values: ['web'] }], operation: 'Install', nested: { depth: { ok: true } } },
    status: 'Pending',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function reportJob(clock: ManualClock, overrides: Partial<ReportJobRecord> = {}): ReportJobRecord {
  const now = clock.now().toISOString();
  return {
    id: overrides.id ?? `job-${now}`,
    status: 'queued',
    request: { format: 'csv', days: 30 },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function gate(clock: ManualClock, overrides: Partial<GateAuthorisation> = {}): GateAuthorisation {
  const now = clock.now().toISOString();
  return {
    windowId: 'mw-0123456789abcdef0',
    accountId: '111122223333',
    region: 'eu-west-1',
    changeNumber: 'CHG0001001',
    changeSysId: '0123456789abcdef0123456789abcdef',
    start: '2026-01-02T00:00:00.000Z',
    end: '2026-01-02T04:00:00.000Z',
    revoked: false,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function idempotency(clock: ManualClock, key: string, ttlMs: number, requestHash = 'hash-a'): IdempotencyRecord {
  return {
    key,
    requestHash,
    status: 'in-progress',
    expiresAt: new Date(clock.now().getTime() + ttlMs).toISOString(),
  };
}

/** Pages through a listing to the end, asserting no page is empty and no page is larger than `limit`. */
export async function collectPages<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: readonly T[]; nextCursor?: string }>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    pages += 1;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (pages > 100) throw new Error('pagination did not terminate');
  } while (cursor !== undefined);
  return { items, pages };
}

/**
 * `count` per-instance results with 256-character names (the longest an EC2
 * Name tag may be), the largest a run record keeps: far past one DynamoDB item.
 * `round` changes every status detail, so two rounds never compare equal.
 */
export function manyInstances(count: number, round = 0): PatchRunInstance[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(5, '0');
    return {
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
      instanceName: `${n}-${'patch-group-web-tier-'.repeat(13)}`.slice(0, 256),
      status: i % 7 === 0 ? 'Failed' : 'Success',
      statusDetails: `round ${round}: ${i % 7 === 0 ? 'Failed: exit code 1 from AWS-RunPatchBaseline' : 'Success'}`,
      commandId: `0b4f8d3e-${n.slice(1)}-4c1a-9e6b-${String(round).padStart(12, '0')}`,
    };
  });
}
