import { HttpProblem } from './problem.js';

/**
 * Deepest JSON nesting a request body may have. Our deepest schema nests five
 * levels; recursive validators and `structuredClone` overflow the stack past a
 * few thousand, so the limit is checked on the raw bytes before anything parses.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `body` (JSON text, as bytes) nests arrays and objects deeper than
 * `max`. One pass over the bytes, skipping strings, so it costs what reading
 * the body costs and cannot itself recurse.
 */
export function jsonDepthExceeds(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Refuses a body nested deeper than `MAX_JSON_DEPTH` with 400 `BODY_TOO_DEEP`. */
export function assertShallow(body: Buffer): void {
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    throw new HttpProblem(400, 'BODY_TOO_DEEP', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
}
