import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../problem.js';

/** An operation of the spec, as the validator indexes it. */
export interface SpecOperation {
  readonly operationId: string;
  readonly method: string;
  /** The spec's path template, e.g. `/v1/patch-runs/{runId}`. */
  readonly path: string;
  /** Required OAuth scopes (from the `oauth2` security requirement); empty for public operations. */
  readonly scopes: readonly string[];
  readonly public: boolean;
}

/** What the validator proved about a request; routes read it with `validated(res)`. */
export interface ValidatedRequest {
  readonly operationId: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Query values coerced to their declared types, with declared defaults filled in. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The body with declared defaults filled in (a copy; `req.body` is untouched). */
  readonly body: unknown;
}

export interface SpecValidator {
  readonly operations: readonly SpecOperation[];
  /** Validates every request whose method and path match an operation; others pass untouched. */
  readonly middleware: RequestHandler;
  /** The operation a method and path belong to, if any. */
  match(method: string, path: string): { operation: SpecOperation; params: Record<string, string> } | undefined;
  /** Checks a response against the spec (for tests); returns the failures, empty when it conforms. */
  validateResponse(operationId: string, status: number, contentType: string | undefined, body: unknown): string[];
}

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
const DOC_ID = 'https://patchbridge.dev/openapi.json';
const VALIDATED = 'validated';
const PENDING = 'validationPending';

interface Compiled {
  readonly operation: SpecOperation;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
  readonly params: ValidateFunction;
  readonly query: ValidateFunction;
  readonly headers: ValidateFunction;
  readonly body: ReadonlyMap<string, ValidateFunction> | undefined;
  readonly bodyRequired: boolean;
  readonly responses: ReadonlyMap<string, { readonly content: ReadonlyMap<string, ValidateFunction | undefined> }>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Points every local `$ref` at the registered document, so sub-schemas compile on their own. */
function anchorRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anchorRefs);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : anchorRefs(v);
  }
  return out;
}

function resolveRef(doc: Json, value: unknown): Json {
  let current: unknown = value;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string' && hops < 10; hops++) {
    const pointer = current['$ref'].replace(/^#\//, '').split('/');
    let target: unknown = doc;
    for (const part of pointer) target = isObject(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    current = target;
  }
  if (!isObject(current)) throw new Error(`unresolvable reference in OpenAPI document`);
  return current;
}

function mediaBase(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function formatErrors(where: string, errors: readonly ErrorObject[] | null | undefined) {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties' && typeof e.params['additionalProperty'] === 'string'
        ? ` (${e.params['additionalProperty']})`
        : e.keyword === 'required' && typeof e.params['missingProperty'] === 'string'
          ? ` (${e.params['missingProperty']})`
          : '';
    return { path: `${where}${e.instancePath}`, message: `${e.message ?? 'is invalid'}${extra}` };
  });
}

/**
 * Compiles every operation of an OpenAPI 3.1 document with ajv (JSON Schema
 * 2020-12): path, query and header parameters and request bodies. Unknown query
 * parameters are refused, since a mistyped filter would otherwise silently widen
 * a list. Failures are 400 `VALIDATION_FAILED` with one entry per bad field,
 * 415 `UNSUPPORTED_MEDIA_TYPE` for a body type the operation does not declare.
 */
export function createSpecValidator(document: Record<string, unknown>): SpecValidator {
  const doc = document as Json;
  const strictAjv = new Ajv2020({ strict: false, allErrors: true, useDefaults: true, coerceTypes: false });
  const paramAjv = new Ajv2020({ strict: false, allErrors: true, useDefaults: true, coerceTypes: true });
  for (const ajv of [strictAjv, paramAjv]) {
    addFormats.default(ajv);
    ajv.addSchema({ $id: DOC_ID, components: anchorRefs(doc['components'] ?? {}) });
  }
  const compiled: Compiled[] = [];
  const globalSecurity = Array.isArray(doc['security']) ? doc['security'] : undefined;

  for (const [path, item] of Object.entries(isObject(doc['paths']) ? doc['paths'] : {})) {
    if (!isObject(item)) continue;
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const operationId = typeof op['operationId'] === 'string' ? op['operationId'] : `${method} ${path}`;
      const byLocation: Record<string, { properties: Json; required: string[] }> = {
        path: { properties: {}, required: [] },
        query: { properties: {}, required: [] },
        header: { properties: {}, required: [] },
      };
      const parameters = [...shared, ...(Array.isArray(op['parameters']) ? op['parameters'] : [])].map((p) => resolveRef(doc, p));
      for (const p of parameters) {
        const location = byLocation[String(p['in'])];
        if (!location || typeof p['name'] !== 'string') continue;
        const name = p['in'] === 'header' ? p['name'].toLowerCase() : p['name'];
        location.properties[name] = anchorRefs(p['schema'] ?? {});
        if (p['required'] === true) location.required.push(name);
      }
      const objectSchema = (l: { properties: Json; required: string[] }, closed: boolean) => ({
        type: 'object',
        properties: l.properties,
        required: l.required,
        ...(closed ? { additionalProperties: false } : {}),
      });
      let body: Map<string, ValidateFunction> | undefined;
      let bodyRequired = false;
      if (op['requestBody'] !== undefined) {
        const rb = resolveRef(doc, op['requestBody']);
        bodyRequired = rb['required'] === true;
        body = new Map();
        for (const [type, media] of Object.entries(isObject(rb['content']) ? rb['content'] : {})) {
          const schema = isObject(media) && media['schema'] !== undefined ? anchorRefs(media['schema']) : {};
          body.set(type.toLowerCase(), strictAjv.compile(schema as Json));
        }
      }
      const responses = new Map<string, { content: Map<string, ValidateFunction | undefined> }>();
      for (const [status, r] of Object.entries(isObject(op['responses']) ? op['responses'] : {})) {
        const resolved = resolveRef(doc, r);
        const content = new Map<string, ValidateFunction | undefined>();
        for (const [type, media] of Object.entries(isObject(resolved['content']) ? resolved['content'] : {})) {
          content.set(type.toLowerCase(), isObject(media) && media['schema'] !== undefined ? strictAjv.compile(anchorRefs(media['schema']) as Json) : undefined);
        }
        responses.set(status, { content });
      }
      const security = Array.isArray(op['security']) ? op['security'] : globalSecurity;
      const scopes = new Set<string>();
      for (const requirement of security ?? []) {
        if (isObject(requirement) && Array.isArray(requirement['oauth2'])) for (const s of requirement['oauth2']) scopes.add(String(s));
      }
      const paramNames: string[] = [];
      const pattern = path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (!m?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          paramNames.push(m[1]);
          return '([^/]+)';
        })
        .join('');
      compiled.push({
        operation: {
          operationId,
          method: method.toUpperCase(),
          path,
          scopes: [...scopes],
          public: security !== undefined && security.length === 0,
        },
        regex: new RegExp(`^${pattern}$`),
        paramNames,
        params: paramAjv.compile(objectSchema(byLocation['path']!, false)),
        query: paramAjv.compile(objectSchema(byLocation['query']!, true)),
        headers: paramAjv.compile(objectSchema(byLocation['header']!, false)),
        body,
        bodyRequired,
        responses,
      });
    }
  }

  function find(method: string, path: string) {
    // HEAD is answered as GET without a body, so it is the GET operation.
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    for (const c of compiled) {
      if (c.operation.method !== wanted) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.paramNames.forEach((name, i) => {
        params[name] = m[i + 1] ?? '';
      });
      return { compiled: c, params };
    }
    return undefined;
  }

  function validateRequest(req: Request): ValidatedRequest | undefined {
    const found = find(req.method, req.path);
    if (!found) return undefined;
    const { compiled: c } = found;
    const errors: { path: string; message: string }[] = [];
    const params: Json = {};
    for (const [k, v] of Object.entries(found.params)) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        errors.push({ path: `path/${k}`, message: 'is not valid percent-encoding' });
      }
    }
    if (!c.params(params)) errors.push(...formatErrors('path', c.params.errors));
    const query: Json = { ...(req.query as Json) };
    if (!c.query(query)) errors.push(...formatErrors('query', c.query.errors));
    const headers: Json = {};
    for (const name of Object.keys((c.headers.schema as { properties: Json }).properties)) {
      const v = req.get(name);
      if (v !== undefined) headers[name] = v;
    }
    if (!c.headers(headers)) errors.push(...formatErrors('header', c.headers.errors));
    let body: unknown = req.body;
    const hasBody = req.body !== undefined && !(typeof req.body === 'string' && req.body === '') && Number(req.get('content-length') ?? '1') !== 0;
    if (c.body && hasBody) {
      const type = mediaBase(req.get('content-type'));
      const validate = c.body.get(type) ?? (type.endsWith('+json') ? c.body.get('application/json') : undefined);
      if (!validate) throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `This operation takes ${[...c.body.keys()].join(' or ')}.`);
      body = structuredClone(req.body);
      if (!validate(body)) errors.push(...formatErrors('body', validate.errors));
    } else if (c.body && c.bodyRequired) {
      errors.push({ path: 'body', message: 'is required' });
    }
    if (errors.length > 0) {
      throw new HttpProblem(400, 'VALIDATION_FAILED', 'The request does not match the API contract.', { errors: errors.slice(0, 20) });
    }
    return { operationId: c.operation.operationId, params, query, body };
  }

  /** Methods the spec declares for a concrete path (HEAD with GET, OPTIONS always). */
  function allowed(path: string): string[] {
    const methods = new Set(compiled.filter((c) => c.regex.test(path)).map((c) => c.operation.method));
    if (methods.size === 0) return [];
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods];
  }

  return {
    operations: compiled.map((c) => c.operation),
    middleware: (req, res, next) => {
      const found = find(req.method, req.path);
      if (!found) {
        const allow = allowed(req.path);
        if (allow.length === 0) return next();
        res.set('allow', allow.join(', '));
        if (req.method === 'OPTIONS') return void res.status(204).end();
        throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; allowed: ${allow.join(', ')}.`);
      }
      // Operations with OAuth scopes have a route authenticator: the caller is
      // authenticated (cheap) before the schema work (not cheap) runs.
      if (found.compiled.operation.scopes.length > 0) res.locals[PENDING] = () => validateRequest(req);
      else {
        const result = validateRequest(req);
        if (result) markValidated(res, result);
      }
      next();
    },
    match(method, path) {
      const found = find(method, path);
      return found ? { operation: found.compiled.operation, params: found.params } : undefined;
    },
    validateResponse(operationId, status, contentType, body) {
      const c = compiled.find((x) => x.operation.operationId === operationId);
      if (!c) return [`no operation ${operationId}`];
      const response = c.responses.get(String(status)) ?? c.responses.get(`${String(status)[0]}XX`) ?? c.responses.get('default');
      if (!response) return [`status ${status} is not declared for ${operationId}`];
      if (response.content.size === 0) return body === undefined || body === '' || (isObject(body) && Object.keys(body).length === 0) ? [] : ['a body was sent where none is declared'];
      const type = mediaBase(contentType);
      if (!response.content.has(type)) return [`content type ${type || '(none)'} is not declared for ${operationId} ${status}`];
      const validate = response.content.get(type);
      if (!validate || validate(structuredClone(body))) return [];
      return formatErrors('body', validate.errors).map((e) => `${e.path}: ${e.message}`);
    },
  };
}

/**
 * Runs the schema validation the spec middleware deferred until the caller was
 * authenticated; throws its 400. The authenticator calls it once it has let the
 * caller through; a no-op when nothing is pending.
 */
export function completeValidation(res: Response): void {
  const pending: unknown = res.locals[PENDING];
  if (typeof pending !== 'function') return;
  res.locals[PENDING] = undefined;
  const result = (pending as () => ValidatedRequest | undefined)();
  if (result) markValidated(res, result);
}

/** What the spec validator proved about this request; throws if it did not run (a wiring bug). */
export function validated(res: Response): ValidatedRequest {
  completeValidation(res);
  const v: unknown = res.locals[VALIDATED];
  if (!isObject(v) || typeof v['operationId'] !== 'string') throw new Error('validated: the spec validator did not run for this request');
  return v as unknown as ValidatedRequest;
}

/**
 * Records what was validated for `validated(res)`. The validator's middleware
 * calls it; a benchmark baseline calls it to measure the app without validation.
 */
export function markValidated(res: Response, request: ValidatedRequest): void {
  res.locals[VALIDATED] = request;
}
