/**
 * The window guard under a backlog: while ServiceNow fails in one of its fault
 * modes and the outbox holds a storm's worth of deliveries, a gated window
 * starts; the guard cannot confirm the change and must cancel the execution.
 * Measured: seconds from the start event reaching `/v1/events` to
 * `CancelMaintenanceWindowExecution` reaching AWS.
 */
import type { FaultMode } from '../support/fault-proxy.js';
import { type Patchbridge, postEvents, signedFetch, type World, waitFor, ACCOUNT, REGION } from '../support/world.js';
import type { FailureBatch } from './storm.js';

const WINDOW_EXECUTION = 'Maintenance Window Execution State-change Notification';

/** Gates every window of the fleet with the world's approved change, while ServiceNow is up. */
export async function openGates(world: World, pb: Patchbridge): Promise<string[]> {
  const windows = world.aws.fleet.windows.map((w) => w.windowId);
  for (const windowId of windows) {
    const res = await signedFetch(pb.url, 'PUT', `/v1/maintenance-windows/${windowId}/change-gate`, {
      accountId: ACCOUNT,
      region: REGION,
      changeRequest: world.change.number,
    });
    if (res.status !== 200) throw new Error(`gate of ${windowId} refused: ${res.status} ${await res.text()}`);
  }
  return windows;
}

/** Posts the backlog (without waiting for it to be delivered). */
export async function postBacklog(pb: Patchbridge, backlog: FailureBatch): Promise<void> {
  const statuses = await postEvents(pb.url, backlog.deliveries);
  if (statuses.some((s) => s >= 300)) throw new Error(`backlog refused: ${[...new Set(statuses)].join(',')}`);
}

export interface GuardRun {
  readonly mode: FaultMode;
  readonly windowExecutionId: string;
  /** Seconds from the start event to the cancel; `undefined` when no cancel came within `limitMs`. */
  readonly seconds: number | undefined;
}

/**
 * Starts `windowId` with ServiceNow in `mode`, delivers the execution's start
 * event to patchbridge as EventBridge would, and times the cancellation.
 */
export async function guardUnderFault(world: World, pb: Patchbridge, windowId: string, mode: FaultMode, limitMs: number): Promise<GuardRun> {
  await world.proxy.set(mode);
  const seen = world.events.length;
  const windowExecutionId = world.aws.runMaintenanceWindow(windowId);
  if (!windowExecutionId) throw new Error(`window ${windowId} did not start (not enabled by its gate?)`);
  const start = await waitFor(
    'the window execution start event',
    () =>
      world.events.slice(seen).find((d) => {
        const e = JSON.parse(d.body) as { 'detail-type'?: string; detail?: { 'window-execution-id'?: string; status?: string } };
        return e['detail-type'] === WINDOW_EXECUTION && e.detail?.['window-execution-id'] === windowExecutionId;
      }),
    10_000,
    10,
  );
  const sent = Date.now();
  await postEvents(pb.url, [start], 1);
  let seconds: number | undefined;
  try {
    const cancel = await waitFor(
      'the cancellation',
      () =>
        world.aws.requestLog.find((e) => e.operation === 'CancelMaintenanceWindowExecution' && e.at >= sent && e.status === 200 && cancelled(world, windowExecutionId)),
      limitMs,
      20,
    );
    seconds = (cancel.at - sent) / 1000;
  } catch {
    seconds = undefined;
  }
  return { mode, windowExecutionId, seconds };
}

function cancelled(world: World, windowExecutionId: string): boolean {
  const state = world.aws.state(ACCOUNT, REGION);
  return state.windowExecutions.get(windowExecutionId)?.cancelRequested === true;
}
