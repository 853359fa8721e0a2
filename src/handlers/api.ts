import { configure } from '@codegenie/serverless-express';
import type { Express } from 'express';
import { lambdaApiApp } from '../runtime/api-app/index.js';
import { type ApiGatewayProxyResult, buildOnce, lambdaContext } from '../runtime/lambda/index.js';

export type { ApiGatewayProxyResult } from '../runtime/lambda/index.js';
export type ApiHandler = (event: unknown, context: unknown) => Promise<ApiGatewayProxyResult>;

/**
 * API Gateway (REST proxy or HTTP API v2 payload) → the same express app the
 * standalone server runs, through `@codegenie/serverless-express`. The app is
 * built once per container; `openapi/patchbridge.yaml` ships in the bundle.
 */
export function createApiHandler(deps: { readonly app: Express }): ApiHandler {
  const proxy = configure({ app: deps.app, logSettings: { level: 'error' } });
  return async (event, context) => (await proxy(event, context as never, () => undefined)) as ApiGatewayProxyResult;
}

const deployed = buildOnce(async () => createApiHandler({ app: await lambdaApiApp(await lambdaContext()) }));

/** The deployed API Lambda. */
export const handler: ApiHandler = async (event, context) => (await deployed())(event, context);
