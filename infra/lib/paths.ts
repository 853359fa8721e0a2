import { fileURLToPath } from 'node:url';

/** The repository root (handlers, lock file and runbooks are found from it). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
