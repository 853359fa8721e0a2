import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Path of the contract, resolved from this module so it works from src/ and dist/src/. */
export function openApiPath(): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/src/') ? here.slice(0, here.indexOf('/dist/src/')) : here.slice(0, here.indexOf('/src/'));
  return `${root}/openapi/patchbridge.yaml`;
}

/** Reads and parses `openapi/patchbridge.yaml`. Callers cache the result. */
export function loadOpenApiDocument(path: string = openApiPath()): Record<string, unknown> {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (typeof doc !== 'object' || doc === null || !('openapi' in doc)) throw new Error(`${path} is not an OpenAPI document`);
  return doc as Record<string, unknown>;
}
