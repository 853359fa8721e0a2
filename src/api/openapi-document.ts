import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * Path of the contract, resolved from this module so it works from src/, dist/src/
 * and a Lambda bundle (one file, with `openapi/` copied beside it by infra/).
 */
export function openApiPath(here: string = fileURLToPath(import.meta.url)): string {
  // The last match: the checkout may itself sit under a folder named src (~/src/patchbridge).
  const dist = here.lastIndexOf('/dist/src/');
  const src = here.lastIndexOf('/src/');
  const root = dist >= 0 ? here.slice(0, dist) : src >= 0 ? here.slice(0, src) : here.slice(0, here.lastIndexOf('/'));
  return `${root}/openapi/patchbridge.yaml`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and parses `openapi/patchbridge.yaml`. Callers cache the result. */
export function loadOpenApiDocument(path: string = openApiPath()): Record<string, unknown> {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc) || !('openapi' in doc)) throw new Error(`${path} is not an OpenAPI document`);
  return doc;
}
