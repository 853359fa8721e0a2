/**
 * Storms: a fleet patched with one Run Command per patch group whose failures
 * reach `patchbridge serve` (a real child process) as EventBridge deliveries,
 * with SIGKILLs and restarts in the middle of delivering them to ServiceNow.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { createAwsAdapters, createAwsClients } from '../../../src/aws/index.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { type Delivery, postEvents, startPatchbridge, waitFor, type Patchbridge, type World, ACCOUNT, REGION } from '../support/world.js';
import { auditIncidents, type IncidentAudit } from './incidents.js';

const INVOCATION = 'EC2 Command Invocation Status-change Notification';

export interface FailureBatch {
  /** Instance ids whose invocation failed. */
  readonly failedIds: readonly string[];
  /** Patch groups with at least one failure: one incident each. */
  readonly groups: readonly string[];
  /** Invocation-level EventBridge events (one per instance, failures and successes). */
  readonly deliveries: readonly Delivery[];
}

/**
 * Fails `failed` instances (spread over the patch groups) and patches each
 * group with one command, as a maintenance window's Run Command task would.
 */
export async function patchWithFailures(world: World, failed: number): Promise<FailureBatch> {
  const logger = silentLogger();
  const clients = createAwsClients({
    accounts: [],
    defaultRegion: REGION,
    logger,
    endpointOverrides: world.aws.url,
    credentials: { accessKeyId: 'AKIDCHAOSTEST', secretAccessKey: 'chaos-test' },
  });
  try {
    const ports = createAwsAdapters({ clients, clock: systemClock, logger, runbook: 'patchbridge-AdHocPatch' });
    const instances = world.aws.fleet.instances.filter((i) => i.tags['Patch Group']);
    const failedIds = instances.slice(0, failed).map((i) => i.instanceId);
    if (failedIds.length < failed) throw new Error(`the fleet has only ${failedIds.length} patchable instances`);
    for (const id of failedIds) world.aws.forceOutcome(id, 'Failed');
    const groups = [...new Set(instances.slice(0, failed).map((i) => i.tags['Patch Group'] as string))];
    const before = world.events.length;
    for (const group of groups) {
      await ports.patchExecution.sendPatchCommand(
        { accountId: ACCOUNT, region: REGION },
        { targets: [{ key: 'tag:Patch Group', values: [group] }], operation: 'Install', maxConcurrency: '100%', maxErrors: '100%', comment: `chaos ${group}` },
      );
    }
    await world.aws.settle();
    const deliveries = world.events.slice(before).filter((d) => (JSON.parse(d.body) as { 'detail-type'?: string })['detail-type'] === INVOCATION);
    return { failedIds, groups, deliveries };
  } finally {
    clients.destroy();
  }
}

export interface StormResult extends IncidentAudit {
  readonly expected: number;
  readonly failedInstances: number;
  /** Longest time from a restart until every incident was complete in ServiceNow. */
  readonly recoverySeconds: number[];
  /** Per kill: outbox items the killed process held leased, and seconds from the restart until all were delivered (acked); undefined if not within 120 s. */
  readonly leased: { readonly items: number; readonly seconds: number | undefined }[];
  /** Whether everything arrived before the deadline. */
  readonly complete: boolean;
  readonly pb: Patchbridge;
  readonly outputs: string[];
}

export interface StormOptions {
  readonly failed: number;
  /** SIGKILLs, each once ServiceNow has taken another share of the writes. */
  readonly kills: number;
  /** How long after a restart everything must have arrived. */
  readonly deadlineMs: number;
}

/**
 * Delivers a storm to a running patchbridge, kills it with SIGKILL `kills`
 * times while it is writing to ServiceNow, restarts it on the same data, and
 * measures how long until every failed instance is named in ServiceNow.
 */
export async function stormWithKills(world: World, options: StormOptions): Promise<StormResult> {
  const batch = await patchWithFailures(world, options.failed);
  const outputs: string[] = [];
  let pb = await startPatchbridge(world);
  const statuses = await postEvents(pb.url, batch.deliveries);
  if (statuses.some((s) => s >= 300)) throw new Error(`events refused: ${[...new Set(statuses)].join(',')}`);
  const recoverySeconds: number[] = [];
  const done = () => {
    const audit = auditIncidents(world.sn, batch.failedIds);
    return audit.missing.length === 0 && audit.incidents >= batch.groups.length ? audit : undefined;
  };
  let complete = true;
  const leasedWaits: Promise<{ items: number; seconds: number | undefined }>[] = [];
  for (let kill = 1; kill <= options.kills; kill++) {
    // Kill while writes are under way: once ServiceNow has some of the incident rows, not all.
    const share = Math.max(1, Math.floor((batch.groups.length * kill) / (options.kills + 1)));
    await waitFor('ServiceNow writes to start', () => (importRows(world) >= share || done() ? true : undefined), 120_000, 20);
    await pb.kill9();
    outputs.push(pb.output());
    const held = leasedItems(world.dataDir);
    const restarted = Date.now();
    pb = await startPatchbridge(world);
    leasedWaits.push(
      waitFor('the killed process\'s leased items delivered', () => (remainingItems(world.dataDir, held) === 0 ? true : undefined), 120_000, 250).then(
        () => ({ items: held.length, seconds: (Date.now() - restarted) / 1000 }),
        () => ({ items: held.length, seconds: undefined }),
      ),
    );
    if (kill === options.kills) {
      try {
        await waitFor('every failed instance in ServiceNow', done, options.deadlineMs, 250);
      } catch {
        complete = false;
      }
      recoverySeconds.push((Date.now() - restarted) / 1000);
    }
  }
  if (options.kills === 0) {
    try {
      await waitFor('every failed instance in ServiceNow', done, options.deadlineMs, 250);
    } catch {
      complete = false;
    }
  }
  const audit = auditIncidents(world.sn, batch.failedIds);
  const leased = await Promise.all(leasedWaits);
  return { ...audit, expected: batch.groups.length, failedInstances: batch.failedIds.length, recoverySeconds, leased, complete, pb, outputs };
}

/** The outbox items a (killed) patchbridge held leased, read from its SQLite file. */
function leasedItems(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id FROM outbox WHERE lease_until IS NOT NULL AND lease_until > ?').all(new Date().toISOString()) as { id: string }[];
    return rows.map((r) => r.id);
  } finally {
    db.close();
  }
}

/** How many of `ids` are still in the outbox (not yet delivered). */
function remainingItems(dataDir: string, ids: readonly string[]): number {
  if (ids.length === 0) return 0;
  const db = new Database(path.join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const present = db.prepare('SELECT id FROM outbox').all() as { id: string }[];
    const wanted = new Set(ids);
    return present.filter((r) => wanted.has(r.id)).length;
  } finally {
    db.close();
  }
}

function importRows(world: World): number {
  return world.sn.requests.filter((r) => r.method === 'POST' && r.path.includes('/api/now/import/')).length;
}
