import { configure } from '@codegenie/serverless-express';
import type { Express } from 'express';
import { createComplianceFlows, resolveComplianceTargets } from '../flows/compliance/index.js';
import { createChangeFlows } from '../flows/patch-runs/index.js';
import { createApiApp } from '../runtime/index.js';
import { buildOnce } from './build-once.js';
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
 * Report jobs it accepts are run by the `compliance-report` Lambda.
 */
export async function lambdaApiApp(ctx: LambdaContext): Promise<Express> {
  const targets = await resolveComplianceTargets(ctx.config, ctx.aws, ctx.awsClients.defaultContext());
  return createApiApp(ctx, { change: createChangeFlows(ctx), compliance: createComplianceFlows(ctx, { targets }) });
}

const deployed = buildOnce(() =>
  import('./context.js').then(async ({ lambdaContext }) => createApiHandler({ app: await lambdaApiApp(await lambdaContext()) })),
);

/** The deployed API Lambda: the app is built once per container. */
export const handler: ApiHandler = async (event, context) => (await deployed())(event, context);
