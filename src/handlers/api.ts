import { configure } from '@codegenie/serverless-express';
import type { Express } from 'express';
import { createApiAuthenticator } from '../api/auth/index.js';
import { createApp } from '../api/app.js';
import { createIdempotency } from '../api/idempotency.js';
import { loadOpenApiDocument } from '../api/openapi-document.js';
import { changeGateRoutes } from '../api/routes/change-gates.js';
import { patchRunRoutes } from '../api/routes/patch-runs.js';
import { createSpecValidator } from '../api/validation/index.js';
import { missingSettings } from '../config/index.js';
import { createChangeFlows } from '../flows/patch-runs/index.js';
import type { LambdaContext } from './context.js';

/** The Lambda result API Gateway expects from a proxy integration. */
export interface ApiGatewayProxyResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export type ApiHandler = (event: unknown, context: unknown) => Promise<ApiGatewayProxyResult>;

/**
 * API Gateway (REST proxy or HTTP API v2 payload) → the same express app the
 * standalone server runs, through `@codegenie/serverless-express`. Build the app
 * once per container and pass it here.
 */
export function createApiHandler(deps: { readonly app: Express }): ApiHandler {
  const proxy = configure({ app: deps.app, logSettings: { level: 'error' } });
  return async (event, context) => (await proxy(event, context as never, () => undefined)) as ApiGatewayProxyResult;
}

/**
 * The API as the Lambda serves it, from the Lambda composition root. The
 * document is read from `openapi/patchbridge.yaml`, so the bundle must ship it.
 */
export function lambdaApiApp(ctx: LambdaContext): Express {
  const { config, clock, logger, store } = ctx;
  const flows = createChangeFlows(ctx);
  const auth = createApiAuthenticator({ config, clock, logger, store, secrets: ctx.aws.secrets, home: ctx.awsClients.defaultContext() });
  const idempotency = createIdempotency({ store, clock, logger });
  const openApi = loadOpenApiDocument();
  return createApp({
    logger,
    operations: { checks: [{ name: 'store', check: async () => void (await store.ping()) }], missing: () => missingSettings(config), openApi },
    validation: createSpecValidator(openApi).middleware,
    features: [patchRunRoutes({ auth, idempotency, patchRuns: flows.patchRuns }), changeGateRoutes({ auth, changeGates: flows.changeGates })],
  });
}

let built: Promise<ApiHandler> | undefined;

/** The deployed API Lambda: the app is built once per container. */
export const handler: ApiHandler = async (event, context) => {
  built ??= import('./context.js')
    .then(async ({ lambdaContext }) => createApiHandler({ app: lambdaApiApp(await lambdaContext()) }))
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return (await built)(event, context);
};
