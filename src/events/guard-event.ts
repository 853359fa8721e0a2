import { z } from 'zod';
import { ValidationError } from '../core/index.js';
import { ID_PATTERNS } from '../domain/index.js';

/** The window execution a guard invocation is about. */
export interface GuardInput {
  readonly windowId: string;
  readonly windowExecutionId: string;
  readonly accountId: string;
  readonly region: string;
}

/** The fields of the Lambda context the guard reads. */
export interface GuardLambdaContext {
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

/**
 * The maintenance-window task payload: `{"windowId":"{{WINDOW_ID}}","windowExecutionId":"{{WINDOW_EXECUTION_ID}}"}`.
 * Account and region default to those of the function itself (the window's own).
 * Only the execution id is needed to cancel: a payload whose other fields are
 * wrong still gets its execution cancelled (no gate can match a window it cannot name).
 */
const executionId = z.string().regex(ID_PATTERNS.uuid);
const windowId = z.string().regex(ID_PATTERNS.windowId);
const accountId = z.string().regex(ID_PATTERNS.accountId);
const region = z.string().regex(ID_PATTERNS.region);
const guardEvent = z.looseObject({ windowExecutionId: executionId });
/** The window id a guard input carries when its payload names no valid window. */
export const UNNAMED_WINDOW = 'unnamed-window';

export const drainEvent = z.union([
  z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') }),
  z.object({ action: z.literal('drain') }),
]);

/**
 * The execution to guard, from the task payload and the function ARN. Throws
 * `INVALID_EVENT` only when no execution can be named to cancel.
 */
export function guardInput(event: unknown, context?: GuardLambdaContext): GuardInput {
  const parsed = guardEvent.safeParse(parseJson(event));
  if (!parsed.success) throw new ValidationError('INVALID_EVENT', 'window guard expects {windowId, windowExecutionId}');
  const data = parsed.data;
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME
  const arn = context?.invokedFunctionArn?.split(':') ?? [];
  const account = accountId.safeParse(data['accountId']).data ?? accountId.safeParse(arn[4]).data;
  const where = region.safeParse(data['region']).data ?? region.safeParse(arn[3]).data;
  if (!account || !where) throw new ValidationError('INVALID_EVENT', 'window guard cannot tell the window account and region');
  return { windowId: windowId.safeParse(data['windowId']).data ?? UNNAMED_WINDOW, windowExecutionId: data.windowExecutionId, accountId: account, region: where };
}

function parseJson(event: unknown): unknown {
  if (typeof event !== 'string') return event;
  try {
    return JSON.parse(event);
  } catch {
    return undefined;
  }
}
