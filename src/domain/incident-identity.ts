/**
 * Where an incident's identity comes from: its deterministic correlation id,
 * the markers a Run Command comment carries, and the console links it names.
 * No I/O.
 */
import { createHash } from 'node:crypto';
import { ID_SOURCES } from './ids.js';
import type { ExecutionRef } from './incident-draft.js';

/** `correlation_display` on every incident patchbridge writes. */
export const CORRELATION_DISPLAY = 'patchbridge';

/** ServiceNow's `correlation_id` limit and the characters we allow in encoded queries. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9:._-]{1,100}$/;

/** A value made safe for an id: anything but `[A-Za-z0-9._-]` becomes `-`. */
export function idSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * The incident's `correlation_id`: deterministic from (account, region,
 * execution id, patch group), at most 100 characters of `[A-Za-z0-9:._-]`.
 * The patch group (free text) enters only through the hash part, which also
 * keeps the id unique when a long execution id has to be shortened.
 */
export function correlationIdFor(key: { accountId: string; region: string; executionId: string; patchGroup: string }): string {
  const hash = createHash('sha256')
    .update([key.accountId, key.region, key.executionId, key.patchGroup].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const head = `pb:${idSafe(key.accountId)}:${idSafe(key.region)}:`;
  const room = 100 - head.length - 1 - hash.length;
  const execution = idSafe(key.executionId).slice(0, Math.max(0, room));
  return `${head}${execution}:${hash}`;
}

/**
 * Reads what a Run Command `Comment` says about where the command came from
 * (see docs/incidents.md): `mwx=<window execution id>`, a window id `mw-…`
 * anywhere (as maintenance windows name themselves), `aex=<id>` or
 * `Automation <id>` for an automation execution, and a change number `CHG…`.
 */
export function markersFromComment(comment: string | undefined): {
  windowExecutionId?: string;
  windowId?: string;
  automationExecutionId?: string;
  changeNumber?: string;
} {
  if (!comment) return {};
  const uuid = `(${ID_SOURCES.uuid})`;
  const mwx = new RegExp(`(?:^|\\s)(?:mwx|window-execution)[=:]${uuid}`, 'i').exec(comment)?.[1];
  const aex = new RegExp(`(?:^|\\s)(?:aex[=:]|automation-execution[=:]|automation[ :=]+)${uuid}`, 'i').exec(comment)?.[1];
  const mw = new RegExp(`\\b(${ID_SOURCES.windowId})\\b`).exec(comment)?.[1];
  const chg = new RegExp(`\\b(${ID_SOURCES.changeNumber})\\b`).exec(comment)?.[1];
  return {
    ...(mwx ? { windowExecutionId: mwx.toLowerCase() } : {}),
    ...(mw ? { windowId: mw } : {}),
    ...(aex ? { automationExecutionId: aex.toLowerCase() } : {}),
    ...(chg ? { changeNumber: chg } : {}),
  };
}


const consoleBase = (region: string) => `https://${region}.console.aws.amazon.com/systems-manager`;

export const consoleLinks = {
  command: (region: string, commandId: string) => `${consoleBase(region)}/run-command/${commandId}?region=${region}`,
  instance: (region: string, instanceId: string) =>
    `${consoleBase(region)}/fleet-manager/managed-nodes/${instanceId}/general?region=${region}`,
  automation: (region: string, executionId: string) => `${consoleBase(region)}/automation/execution/${executionId}?region=${region}`,
  windowExecution: (region: string, windowId: string | undefined, windowExecutionId: string) =>
    windowId
      ? `${consoleBase(region)}/maintenance-windows/${windowId}/history/${windowExecutionId}?region=${region}`
      : `${consoleBase(region)}/maintenance-windows?region=${region}`,
  execution(region: string, execution: ExecutionRef): string {
    if (execution.kind === 'maintenance-window') return this.windowExecution(region, execution.windowId, execution.id);
    if (execution.kind === 'automation') return this.automation(region, execution.id);
    return this.command(region, execution.id);
  },
};

