export { createAuthenticator, principalOf, type Authenticator, type AuthenticatorDeps } from './authenticator.js';
export { AuthError, type AuthErrorCode } from './errors.js';
export { type ApiAuthenticatorDeps, createApiAuthenticator } from './from-config.js';
export {
  bodyDigest,
  canonicalString,
  computeSignature,
  DEFAULT_TOLERANCE_SECONDS,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signRequest,
  type SignedRequest,
} from './hmac.js';
export {
  combinedHmacKeys,
  hmacKeyRingFromConfig,
  hmacSecretSchema,
  secretsManagerHmacKeys,
  staticHmacKeys,
  type HmacKeyRing,
  type SecretsManagerHmacKeysOptions,
} from './hmac-keys.js';
export { createJwtVerifier, scopesOf, type JwtVerifierOptions } from './jwt.js';
export { SCOPES, type Principal, type ResolvedHmacKey, type Scope } from './types.js';
