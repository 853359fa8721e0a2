/**
 * fast-check arbitraries derived from the OpenAPI document: for every operation,
 * requests that conform to its schemas and requests that break them one field at
 * a time, with hostile values (huge strings, control characters, `__proto__`,
 * query characters, markup) mixed in.
 */
import fc, { type Arbitrary } from 'fast-check';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strings an attacker or a broken integration sends. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '^ORDERBYDESCsys_created_on^NQactive=true',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u0000\u0001\u001b[31m\u007f',
  '\r\nX-Injected: 1',
  '../../etc/passwd',
  '%00%2e%2e%2f',
  ['$', '{jndi:ldap://x/a}'].join(''),
  '{{constructor.constructor("return process")()}}',
  '\ud800',
  '💥'.repeat(100),
  'x'.repeat(10_240),
  'CHG0000001^ORshort_descriptionLIKEx',
  'i-0123456789abcdef0,i-0123456789abcdef1',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e309',
];

function resolve(doc: Json, schema: unknown): Json {
  let current: unknown = schema;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string' && hops < 10; hops++) {
    let target: unknown = doc;
    for (const part of current['$ref'].replace(/^#\//, '').split('/')) target = isObject(target) ? target[part] : undefined;
    current = target;
  }
  return isObject(current) ? current : {};
}

function patterned(pattern: string, min: number, max: number): Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length >= min && s.length <= max);
  } catch {
    return fc.string({ minLength: min, maxLength: Math.min(max, 64) });
  }
}

/** A value conforming to `schema` (as far as fast-check can honour it). */
export function valid(doc: Json, schemaIn: unknown, depth = 0): Arbitrary<unknown> {
  const schema = resolve(doc, schemaIn);
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length) return fc.oneof(...options.map((o) => valid(doc, o, depth + 1)));
  }
  if (Array.isArray(schema['allOf'])) {
    const merged: Json = { type: 'object', properties: {}, required: [] };
    for (const part of schema['allOf']) {
      const p = resolve(doc, part);
      Object.assign(merged['properties'] as Json, p['properties'] ?? {});
      (merged['required'] as unknown[]).push(...((p['required'] as unknown[]) ?? []));
    }
    return valid(doc, merged, depth + 1);
  }
  const type = Array.isArray(schema['type']) ? (schema['type'].find((t) => t !== 'null') as string | undefined) : (schema['type'] as string | undefined);
  switch (type) {
    case 'string': {
      const min = Number(schema['minLength'] ?? 0);
      const max = Number(schema['maxLength'] ?? 64);
      if (schema['format'] === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema['format'] === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema['format'] === 'uuid') return fc.uuid();
      if (typeof schema['pattern'] === 'string') return patterned(schema['pattern'], min, max);
      return fc.string({ minLength: min, maxLength: Math.min(max, 64) });
    }
    case 'integer':
      return fc.integer({ min: Number(schema['minimum'] ?? -1_000), max: Number(schema['maximum'] ?? 1_000_000) });
    case 'number':
      return fc.double({ min: Number(schema['minimum'] ?? -1e6), max: Number(schema['maximum'] ?? 1e6), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const min = Number(schema['minItems'] ?? 0);
      return fc.array(valid(doc, schema['items'] ?? {}, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(Number(schema['maxItems'] ?? 4), 4)) });
    }
    case 'object':
    case undefined: {
      const properties = isObject(schema['properties']) ? schema['properties'] : {};
      if (!Object.keys(properties).length) return type === 'object' ? fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }) : fc.jsonValue({ maxDepth: 2 });
      if (depth > 6) return fc.constant({});
      const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
      const record: Record<string, Arbitrary<unknown>> = {};
      for (const [name, s] of Object.entries(properties)) record[name] = valid(doc, s, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const hostileValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(null, true, -1, 1e308, 0.5, [], {}, [[[]]], { __proto__: null }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A conforming value with one field replaced, removed or added, hostile where it can be. */
export function broken(doc: Json, schema: unknown): Arbitrary<unknown> {
  return fc.tuple(valid(doc, schema), fc.nat(), hostileValue, fc.constantFrom('replace', 'remove', 'add', 'whole')).map(([value, pick, bad, how]) => {
    if (how === 'whole' || !isObject(value)) return bad;
    const out: Json = { ...value };
    const keys = Object.keys(out);
    const key = keys.length ? (keys[pick % keys.length] as string) : '__proto__';
    if (how === 'remove') delete out[key];
    else if (how === 'add') Object.defineProperty(out, pick % 2 ? '__proto__' : `extra${pick % 5}`, { value: bad, enumerable: true, writable: true, configurable: true });
    else out[key] = bad;
    return out;
  });
}

export interface SpecRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** Sign it with the API key (so it reaches validation and the flows). */
  readonly sign: boolean;
  readonly operationId: string;
}

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly operationId: string;
  readonly params: readonly Json[];
  readonly body?: { readonly type: string; readonly schema: unknown };
}

function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(isObject(doc['paths']) ? doc['paths'] : {})) {
    if (!isObject(item)) continue;
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      const op = item[method];
      if (!isObject(op)) continue;
      const params = [...shared, ...(Array.isArray(op['parameters']) ? op['parameters'] : [])].map((p) => resolve(doc, p));
      const rb = op['requestBody'] ? resolve(doc, op['requestBody']) : undefined;
      const content = rb && isObject(rb['content']) ? Object.entries(rb['content'])[0] : undefined;
      out.push({
        method: method.toUpperCase(),
        template,
        operationId: String(op['operationId'] ?? `${method} ${template}`),
        params,
        ...(content ? { body: { type: content[0], schema: isObject(content[1]) ? content[1]['schema'] : {} } } : {}),
      });
    }
  }
  return out;
}

/** Percent-encodes any value; lone surrogates (which `encodeURIComponent` refuses) become U+FFFD. */
const encode = (v: unknown) => encodeURIComponent((typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** Requests for every operation of the document: about half conform, the rest are broken somewhere. */
export function specRequests(doc: Json): Arbitrary<SpecRequest> {
  const arbitraries = operations(doc).map((op) => {
    const pathParams = op.params.filter((p) => p['in'] === 'path');
    const queryParams = op.params.filter((p) => p['in'] === 'query');
    const paramArb = (p: Json, breakIt: boolean) => (breakIt ? fc.oneof(valid(doc, p['schema']), hostileValue) : valid(doc, p['schema']));
    return fc
      .record({
        breakIt: fc.boolean(),
        sign: fc.boolean(),
        path: fc.tuple(...pathParams.map((p) => fc.boolean().chain((b) => paramArb(p, b)))),
        query: fc.tuple(...queryParams.map((p) => fc.option(paramArb(p, false), { nil: undefined }))),
        extraQuery: fc.option(fc.tuple(fc.constantFrom('limit', '__proto__', 'x', 'cursor'), hostileValue), { nil: undefined }),
        body: op.body ? fc.oneof(valid(doc, op.body.schema), broken(doc, op.body.schema)) : fc.constant(undefined),
      })
      .map(({ breakIt, sign, path, query, extraQuery, body }) => {
        let url = op.template;
        pathParams.forEach((p, i) => {
          url = url.replace(`{${String(p['name'])}}`, encode(path[i]));
        });
        const qs = queryParams.flatMap((p, i) => (query[i] === undefined ? [] : [`${String(p['name'])}=${encode(query[i])}`]));
        if (breakIt && extraQuery) qs.push(`${extraQuery[0]}=${encode(extraQuery[1])}`);
        return {
          method: op.method,
          path: qs.length ? `${url}?${qs.join('&')}` : url,
          ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: op.body?.type ?? 'application/json' }),
          sign,
          operationId: op.operationId,
        };
      });
  });
  return fc.oneof(...arbitraries);
}
