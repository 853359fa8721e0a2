/**
 * Regenerates the files the simulator derives from the scoped app:
 * `src/sim/servicenow/app/contract.gen.ts` (from the built XML) and
 * `src/sim/servicenow/app/failure-import.gen.ts` (the app's transform module).
 * Run after changing anything in `scoped-app/src`: `npm run gen:app-contract`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_MODULE_SOURCE,
  buildScopedApp,
  CONTRACT_GEN,
  MODULE_GEN,
  readAppContract,
  readXmlTree,
  renderAppContract,
  renderModuleCopy,
  SCOPED_APP_DIR,
} from './app-contract.js';

buildScopedApp({ frozenKeys: false });
writeFileSync(CONTRACT_GEN, renderAppContract(readAppContract(readXmlTree(join(SCOPED_APP_DIR, 'dist/app')))));
writeFileSync(MODULE_GEN, renderModuleCopy(readFileSync(APP_MODULE_SOURCE, 'utf8')));
console.log(`wrote ${CONTRACT_GEN}\nwrote ${MODULE_GEN}`);
