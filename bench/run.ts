/**
 * `npm run bench -- <name> [args]` runs `bench/<name>/index.ts`, whose `main(args)`
 * prints a table of figures with ratios against a baseline and a limit.
 * With no name it lists the benchmarks.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((d) => statSync(path.join(here, d)).isDirectory() && d !== 'out');
const [name, ...args] = process.argv.slice(2);

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
  process.exit(name ? 2 : 0);
}
const mod = (await import(pathToFileURL(path.join(here, name, 'index.ts')).href)) as { main?: (argv: string[]) => Promise<void> };
if (typeof mod.main !== 'function') {
  console.error(`bench/${name}/index.ts exports no main()`);
  process.exit(2);
}
await mod.main(args);
