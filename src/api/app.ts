import type { IncomingMessage } from 'node:http';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from '../core/index.js';
import { assertShallow } from './body-limits.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { requestContext } from './request-id.js';
import { type OperationsDeps, operationsRoutes } from './routes/operations.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly operations: OperationsDeps;
  /**
   * Feature routers (patch runs, change gates, events, compliance), mounted in
   * order after the operations routes. Each brings its own auth and validation.
   */
  readonly features?: readonly Router[];
  /** Largest accepted request body. */
  readonly bodyLimit?: string;
  /**
   * Request validation against the OpenAPI contract (`createSpecValidator(doc).middleware`),
   * run after body parsing and before every route (for operations with OAuth
   * scopes, deferred until the route has authenticated the caller).
   */
  readonly validation?: RequestHandler;
}

const rawBodies = new WeakMap<IncomingMessage, Buffer>();
/** One for every request without a body: it has no byte to change. */
const NO_BODY = Buffer.alloc(0);

/** The exact bytes of the request body, as signed by HMAC callers and SNS. Empty when none. */
export function rawBody(req: Request): Buffer {
  return rawBodies.get(req) ?? NO_BODY;
}

/** Keeps the raw bytes and refuses a too-deep body before it is parsed (size is bounded by the parser's limit). */
const keepRaw = (req: IncomingMessage, _res: unknown, buf: Buffer) => {
  rawBodies.set(req, buf);
  assertShallow(buf);
};

/**
 * Builds the express app without listening, so tests drive it with supertest
 * and the Lambda proxy and the standalone server share it.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is `cache-control: no-store` and no route answers 304, so an ETag (a SHA-1 of each body) would be work for nothing.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  // Paths match as the spec spells them: `/V1/patch-runs` or `/v1/patch-runs/` is a 404, not a route the validator cannot name.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  const limit = deps.bodyLimit ?? '1mb';
  app.use(requestContext(deps.logger));
  app.use((_req, res, next) => {
    res.set({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    next();
  });
  app.use(express.json({ limit, verify: keepRaw, type: ['application/json', 'application/*+json'] }));
  // SNS HTTPS deliveries arrive as text/plain JSON.
  app.use(express.text({ limit, verify: keepRaw, type: 'text/plain' }));
  if (deps.validation) app.use(deps.validation);
  app.use(operationsRoutes(deps.operations));
  for (const feature of deps.features ?? []) app.use(feature);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
