import type { Express } from 'express';

export interface RouteEntry {
  readonly method: string;
  /** In OpenAPI form: `/v1/patch-runs/{runId}`. */
  readonly path: string;
}

interface LayerLike {
  route?: { path: unknown; methods?: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/**
 * Every method + path an express app routes, in OpenAPI form. Feature routers
 * are mounted at the root (see `createApp`), so each route's own path is its full path.
 */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: readonly LayerLike[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const [method, on] of Object.entries(layer.route.methods ?? {})) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  const router = (app as unknown as { router?: { stack?: LayerLike[] } }).router;
  walk(router?.stack ?? []);
  return out;
}
