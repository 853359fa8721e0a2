import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Principal } from '../api/auth/index.js';
import { type Clock, constantTimeEqual } from '../core/index.js';

/** `viewer` reads; `operator` also starts runs, gates windows, replays dead letters and drives the sandbox. */
export type ConsoleRole = 'viewer' | 'operator';

export const SESSION_COOKIE = 'pb_console';
/** Sent by the console's own script on every write: a cross-site form cannot set it, so a cookie alone never writes. */
export const CSRF_HEADER = 'x-patchbridge-console';

const READ_SCOPES = new Set(['patch-runs:read', 'compliance:read']);
const OPERATOR_SCOPES = new Set(['patch-runs:read', 'patch-runs:write', 'gates:write', 'compliance:read']);
const TTL_MS = 8 * 3_600_000;

interface Session {
  readonly token: string;
  readonly role: ConsoleRole;
  readonly user: string;
  readonly expires: number;
}

export interface ConsoleSessions {
  /** Starts a session and sets its cookie (HttpOnly, SameSite=Strict, Path=/). */
  start(res: Response, user: string, role: ConsoleRole): void;
  /** The session of this request, if its cookie names a live one. */
  session(req: Request): { readonly user: string; readonly role: ConsoleRole } | undefined;
  /** The API principal of a console request (none for a write without the CSRF header): read scopes, and write scopes for an operator. */
  principal(req: Request): Principal | undefined;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** In-memory console sessions: random 256-bit tokens, never in the page, compared in constant time. */
export function createConsoleSessions(options: { clock: Clock; secureCookie: boolean }): ConsoleSessions {
  const sessions = new Map<string, Session>();
  const find = (req: Request): Session | undefined => {
    const token = cookieValue(req, SESSION_COOKIE);
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const key = token.slice(0, 8);
    const s = sessions.get(key);
    if (!s || !constantTimeEqual(s.token, token)) return undefined;
    if (s.expires <= options.clock.now().getTime()) {
      sessions.delete(key);
      return undefined;
    }
    return s;
  };
  return {
    start(res, user, role) {
      const token = randomBytes(32).toString('base64url');
      sessions.set(token.slice(0, 8), { token, role, user, expires: options.clock.now().getTime() + TTL_MS });
      res.append('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${TTL_MS / 1000}${options.secureCookie ? '; Secure' : ''}`);
    },
    session(req) {
      const s = find(req);
      return s ? { user: s.user, role: s.role } : undefined;
    },
    principal(req) {
      const s = find(req);
      if (!s) return undefined;
      const write = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
      // A cookie alone never writes: a cross-site form could send it, but not this header.
      if (write && req.get(CSRF_HEADER) !== '1') return undefined;
      const scopes = s.role === 'operator' ? OPERATOR_SCOPES : READ_SCOPES;
      return { clientId: `console:${s.user}`, scheme: 'console', scopes };
    },
  };
}
