import { type Request, Router } from 'express';
import type { DeliveryOutcome, EventReceiver } from '../../flows/incidents/index.js';
import { rawBody } from '../app.js';
import { HttpProblem } from '../problem.js';
import { constantTimeEqual } from '../../core/index.js';

export interface EventsRoutesDeps {
  readonly receiver: EventReceiver;
  /** The EventBridge connection's credentials (`config.events`): an API key (`x-api-key`) and/or Basic auth. */
  readonly credentials: {
    readonly apiKey: string | undefined;
    readonly basicAuth: { readonly username: string; readonly password: string } | undefined;
  };
}

/** EventBridge API destinations authenticate with the connection's API key or Basic auth. */
function checkEventBridgeAuth(req: Request, credentials: EventsRoutesDeps['credentials']): void {
  const { apiKey, basicAuth } = credentials;
  if (!apiKey && !basicAuth) throw new HttpProblem(401, 'UNAUTHORIZED', 'EventBridge deliveries are not configured (PATCHBRIDGE_EVENTS_API_KEY or PATCHBRIDGE_EVENTS_BASIC_AUTH).');
  const key = req.get('x-api-key');
  if (apiKey && key !== undefined && constantTimeEqual(key, apiKey)) return;
  const header = req.get('authorization') ?? '';
  if (basicAuth && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Both halves are compared, always, so timing does not tell which one was wrong.
    const userOk = constantTimeEqual(decoded.slice(0, Math.max(0, colon)), basicAuth.username);
    const passOk = constantTimeEqual(decoded.slice(colon + 1), basicAuth.password);
    if (colon >= 0 && userOk && passOk) return;
  }
  throw new HttpProblem(401, 'UNAUTHORIZED', 'Missing or invalid EventBridge connection credentials.', {
    headers: basicAuth ? { 'www-authenticate': 'Basic realm="patchbridge-events"' } : {},
  });
}

function respond(outcome: DeliveryOutcome): { status: number; body: Record<string, unknown> } {
  if (outcome.kind === 'accepted') return { status: 202, body: { status: 'accepted', accepted: outcome.accepted, duplicates: outcome.duplicates, ignored: outcome.ignored } };
  return { status: 200, body: { status: outcome.kind } };
}

/**
 * `POST /v1/events`: SNS HTTPS deliveries (recognised by `x-amz-sns-message-type`,
 * authenticated by their signature) and EventBridge API-destination calls
 * (authenticated by the connection's API key or Basic auth).
 */
export function eventsRoutes(deps: EventsRoutesDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.post('/v1/events', async (req, res) => {
    let outcome: DeliveryOutcome;
    if (req.get('x-amz-sns-message-type') !== undefined) {
      // The signature covers the exact text SNS sent, so read the raw body, not a re-serialised one.
      const body = typeof req.body === 'string' ? req.body : rawBody(req).toString('utf8');
      outcome = await deps.receiver.receiveSns(body);
    } else {
      checkEventBridgeAuth(req, deps.credentials);
      outcome = await deps.receiver.receiveEventBridge(req.body);
    }
    const { status, body } = respond(outcome);
    res.status(status).json(body);
  });
  return router;
}
