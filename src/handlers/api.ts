import { configure } from '@codegenie/serverless-express';
import type { Express } from 'express';

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
