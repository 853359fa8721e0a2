import type { Express, IRoute } from 'express';

type ILayer = IRoute['stack'][number];

export interface RouteEntry {
  readonly method: string;
  /** In OpenAPI form: `/v1/patch-runs/{runId}`. */
  readonly path: string;
}

/** A mounted router is a function carrying its own layer stack. */
function nestedStack(handle: unknown): readonly ILayer[] | undefined {
  if (typeof handle !== 'function' || !('stack' in handle) || !Array.isArray(handle.stack)) return undefined;
  return handle.stack.filter((l): l is ILayer => typeof l === 'object' && l !== null && 'handle' in l);
}

/**
 * Every method + path an express app routes, in OpenAPI form. Feature routers
 * are mounted at the root (see `createApp`), so each route's own path is its full path.
 */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: readonly ILayer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        // Each handler layer of a route carries its method; `all()` leaves it unset.
        const methods = new Set(layer.route.stack.map((l) => l.method).filter((m): m is string => typeof m === 'string' && m !== '_all'));
        for (const method of methods) out.push({ method: method.toUpperCase(), path });
      } else {
        const nested = nestedStack(layer.handle);
        if (nested) walk(nested);
      }
    }
  };
  walk(app.router.stack);
  return out;
}
