import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { type Logger, runInRequestContext } from '../core/index.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const requestIds = new WeakMap<Response, string>();

/** This request's id (the caller's valid `X-Request-Id`, else a new UUID); `undefined` before the first middleware. */
export function requestIdOf(res: Response): string | undefined {
  return requestIds.get(res);
}

/**
 * Gives the request its id and runs the rest of the chain in its request
 * context, so every log line of the work it starts carries the id.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    requestIds.set(res, requestId);
    res.set('x-request-id', requestId);
    // The access line is debug: at the default level no request pays for timing it.
    if (logger.isLevelEnabled('debug')) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Paths only: query strings may carry tokens (signed report links).
        logger.debug({ requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
      });
    }
    runInRequestContext({ requestId }, next);
  };
}
