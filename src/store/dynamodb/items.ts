import type { z } from 'zod';
import { parseStored } from '../common/records.js';
import { StoreError } from '../errors.js';

/** An item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

/** The table's primary key. */
export type Key = { pk: string; sk: string };

/** The item without its `undefined` attributes (the document client refuses them). */
export function defined(item: Record<string, unknown | undefined>): Item {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

/** A record as item attributes, with `opaque` fields as JSON strings. */
export function encode(record: object, opaque: readonly string[]): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[name] = opaque.includes(name) ? JSON.stringify(value) : value;
  }
  return out;
}

/** An item back as a record: `opaque` JSON strings parsed, the whole checked against `schema`. */
export function decode<T>(schema: z.ZodType<T>, item: unknown, opaque: readonly string[], what: string): T {
  if (typeof item !== 'object' || item === null) return parseStored(schema, item, what);
  const out: Item = { ...item };
  for (const name of opaque) {
    const value = out[name];
    if (typeof value !== 'string') continue;
    try {
      out[name] = JSON.parse(value);
    } catch (err) {
      throw new StoreError('CORRUPT', `stored ${what} has invalid JSON in ${name}`, { cause: err });
    }
  }
  return parseStored(schema, out, what);
}

/** `SET #n0 = :v0, …` over the given attributes, with their name/value maps. */
export function setExpression(attributes: Item): {
  expression: string;
  names: Record<string, string>;
  values: Item;
} {
  const names: Record<string, string> = {};
  const values: Item = {};
  const parts = Object.entries(attributes).map(([name, value], i) => {
    names[`#n${i}`] = name;
    values[`:v${i}`] = value;
    return `#n${i} = :v${i}`;
  });
  return { expression: `SET ${parts.join(', ')}`, names, values };
}
