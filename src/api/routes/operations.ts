import { Router } from 'express';
import type { MissingSetting } from '../../config/index.js';
import { withTimeout } from '../../core/index.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with an optional detail when healthy; throws when not. */
  check(): Promise<string | undefined>;
}

export interface OperationsDeps {
  readonly checks: readonly ReadinessCheck[];
  readonly missing: () => readonly MissingSetting[];
  readonly openApi: Record<string, unknown>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** `/healthz` (liveness), `/readyz` (store + configuration) and `/openapi.json`. */
export function operationsRoutes(deps: OperationsDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    await Promise.all(
      deps.checks.map(async (c) => {
        try {
          const detail = await withTimeout(c.check(), CHECK_TIMEOUT_MS, () => Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
          checks[c.name] = detail ? { ok: true, detail } : { ok: true };
        } catch (err) {
          checks[c.name] = { ok: false, detail: publicDetail(err) };
        }
      }),
    );
    const missing = deps.missing();
    const ready = Object.values(checks).every((c) => c.ok) && missing.length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks, missing });
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(deps.openApi);
  });
  return router;
}

/**
 * Readiness answers are public: a check may name its cause in `publicDetail`
 * ("table not found", "ServiceNow auth refused"), never a raw message; otherwise only the code.
 */
function publicDetail(err: unknown): string {
  if (err instanceof Error && 'publicDetail' in err && typeof err.publicDetail === 'string') return err.publicDetail;
  return err instanceof Error && 'code' in err ? String(err.code) : 'unavailable';
}
