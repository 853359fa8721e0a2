/**
 * Regenerates the files the simulator derives from the scoped app:
 * `src/sim/servicenow/app/contract.gen.ts` (from the built XML) and
 * `src/sim/servicenow/app/<module>.gen.ts` (the app's server modules patchbridge runs in Node).
 * Run after changing anything in `scoped-app/src`: `npm run gen:app-contract`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_MODULES,
  appModuleGen,
  appModuleSource,
  buildScopedApp,
  CONTRACT_GEN,
  readAppContract,
  readXmlTree,
  renderAppContract,
  renderModuleCopy,
  SCOPED_APP_DIR,
} from './app-contract.js';

buildScopedApp({ frozenKeys: false });
writeFileSync(CONTRACT_GEN, renderAppContract(readAppContract(readXmlTree(join(SCOPED_APP_DIR, 'dist/app')))));
console.log(`wrote ${CONTRACT_GEN}`);
for (const name of APP_MODULES) {
  writeFileSync(appModuleGen(name), renderModuleCopy(name, readFileSync(appModuleSource(name), 'utf8')));
  console.log(`wrote ${appModuleGen(name)}`);
}
