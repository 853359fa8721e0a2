/**
 * `npm run build:app`: builds the scoped app with `--frozenKeys` and packs it,
 * offline (installing its own dependencies first when needed). `npm test` runs
 * it before vitest so the build does not compete with the test workers;
 * `test/scoped-app/app-build.test.ts` then inspects the zip.
 */
import { buildScopedApp } from './app-contract.js';

const started = Date.now();
const build = buildScopedApp({ frozenKeys: true });
console.log(`scoped app built and packed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${build.zipPath}`);
