export { type ConsoleDeps, consoleRoutes, countingReceiver } from './routes.js';
export { createSandboxDriver, SANDBOX_FAILING_GROUPS, type SandboxDriver, type SandboxStatus } from './sandbox.js';
export { type ConsoleRole, type ConsoleSessions, CSRF_HEADER, createConsoleSessions, SESSION_COOKIE } from './sessions.js';
export { claimHasRole, type ConsoleOidcOptions, consoleOidc } from './oidc.js';
