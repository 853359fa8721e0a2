/** The scopes API routes require. JWTs carry them in `scope`/`scp`; HMAC keys are granted them. */
export const SCOPES = ['patch-runs:write', 'patch-runs:read', 'gates:write', 'compliance:read'] as const;

export type Scope = (typeof SCOPES)[number];

/** Who made an authenticated request. Rate limits and idempotency keys are per `clientId`. */
export interface Principal {
  /** JWT `client_id` / `azp` / `sub`, or the HMAC key's client (its key id unless the secret names one). */
  readonly clientId: string;
  readonly scheme: 'jwt' | 'hmac' | 'console';
  readonly scopes: ReadonlySet<string>;
  /** JWT `jti` or the HMAC key id; for logs only. */
  readonly credentialId?: string;
}

/** One HMAC signing key as patchbridge holds it. Two are active during a rotation. */
export interface ResolvedHmacKey {
  readonly id: string;
  readonly secret: string;
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
}
