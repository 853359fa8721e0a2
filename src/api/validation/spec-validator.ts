import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../problem.js';
import type { operations } from '../schema.gen.js';

/** An operation of the spec, as the validator indexes it. */
export interface SpecOperation {
  readonly operationId: string;
  readonly method: string;
  /** The spec's path template, e.g. `/v1/patch-runs/{runId}`. */
  readonly path: string;
  /**
   * The scopes the caller must hold, from the operation's `security`: every
   * requirement that names scopes (`oauth2`, `hmac`) names the same ones, so a
   * caller needs the same scopes whichever scheme it signs in with. Empty for
   * public operations and those authenticated otherwise (`/v1/events`).
   */
  readonly scopes: readonly string[];
  readonly public: boolean;
}

/** The operation ids of the spec, as openapi-typescript generated them. */
export type OperationId = keyof operations;

/** A parameter group of an operation; `{}` where the spec declares none. */
type Group<T> = [Exclude<T, undefined>] extends [never] ? Readonly<Record<string, never>> : Exclude<T, undefined>;

/** The JSON body of an operation: required, optional (`| undefined`) or none (`undefined`). */
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: infer R }
    ? [Exclude<R, undefined>] extends [never]
      ? undefined
      : R extends { content: { 'application/json': infer B } }
        ? B | undefined
        : undefined
    : undefined;

/**
 * What the validator proved about a request to operation `Op`, typed from
 * `schema.gen.ts` (generated from the same spec the validator compiled, and a
 * test keeps the two in step). Query values are coerced to their declared types
 * and defaults are filled in, in the query and in the body (a copy; `req.body`
 * is untouched).
 */
export interface Validated<Op extends OperationId> {
  readonly operationId: Op;
  readonly params: Group<operations[Op]['parameters']['path']>;
  readonly query: Group<operations[Op]['parameters']['query']>;
  readonly body: JsonBody<operations[Op]>;
}

/** The same record before it is known to which operation it belongs. */
export interface ValidatedRequest {
  readonly operationId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
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

interface ParameterGroup {
  readonly properties: Json;
  readonly required: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
const DOC_ID = 'https://patchbridge.dev/openapi.json';

/**
 * What the validator knows of one request, kept on its response under a symbol
 * only this module holds: out of `res.locals` (typed `any`, and writable by any
 * middleware), and not in WeakMaps (each entry is an ephemeron the collector
 * must trace, for every request).
 */
interface SpecState {
  /** The operation the method and path matched. */
  operation?: SpecOperation;
  /** Schema validation deferred until the caller is authenticated. */
  pending?: (() => ValidatedRequest) | undefined;
  /** What validation proved. */
  proven?: ValidatedRequest;
}
const SPEC_STATE = Symbol('patchbridge.spec-validation');
type WithSpecState = Response & { [SPEC_STATE]?: SpecState };

function peekState(res: Response): SpecState | undefined {
  const holder: WithSpecState = res;
  return holder[SPEC_STATE];
}

function stateOf(res: Response): SpecState {
  const holder: WithSpecState = res;
  holder[SPEC_STATE] ??= {};
  return holder[SPEC_STATE];
}

interface Compiled {
  readonly operation: SpecOperation;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
  readonly params: ValidateFunction;
  readonly query: ValidateFunction;
  readonly headers: ValidateFunction;
  readonly headerNames: readonly string[];
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
  return isObject(value) ? anchorObject(value) : value;
}

function anchorObject(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : anchorRefs(v);
  }
  return out;
}

/** A media type's schema, ready to compile: absent means any value, as `true` does. */
function mediaSchema(media: unknown): Json | boolean {
  const schema = isObject(media) ? media['schema'] : undefined;
  if (typeof schema === 'boolean') return schema;
  return isObject(schema) ? anchorObject(schema) : true;
}

/**
 * The scopes of an operation's security requirements. Each requirement that
 * names scopes must name the same set: otherwise whether a caller is let in
 * would depend on the scheme it chose.
 */
function scopesOf(operationId: string, security: readonly unknown[]): string[] {
  let scopes: string[] | undefined;
  for (const requirement of security) {
    if (!isObject(requirement)) continue;
    for (const [scheme, listed] of Object.entries(requirement)) {
      if (!Array.isArray(listed) || listed.length === 0) continue;
      const these = listed.map(String).sort();
      if (scopes && scopes.join(' ') !== these.join(' ')) {
        throw new Error(`OpenAPI operation ${operationId}: security scheme ${scheme} requires scopes ${these.join(' ')}, another requires ${scopes.join(' ')}`);
      }
      scopes = these;
    }
  }
  return scopes ?? [];
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
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
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
 * A plain copy of the parsed query string, for ajv to coerce and fill defaults
 * in. Express's query parser returns a prototype-less object, which V8 keeps as a
 * dictionary; a spread of one is a dictionary too, and validating it costs over
 * ten times what validating a plain object does. A `__proto__` key (which an
 * assignment would take as the prototype) is copied by the spread, as an own key
 * the schema then refuses.
 */
function ownCopy(source: Readonly<Record<string, unknown>>): Json {
  const keys = Object.keys(source);
  if (keys.includes('__proto__')) return { ...source };
  const copy: Json = {};
  for (const key of keys) copy[key] = source[key];
  return copy;
}

/**
 * Compiles every operation of an OpenAPI 3.1 document with ajv (JSON Schema
 * 2020-12): path, query and header parameters and request bodies. Unknown query
 * parameters are refused, since a mistyped filter would otherwise silently widen
 * a list. Failures are 400 `VALIDATION_FAILED` with one entry per bad field,
 * 415 `UNSUPPORTED_MEDIA_TYPE` for a body type the operation does not declare.
 */
export function createSpecValidator(doc: Record<string, unknown>): SpecValidator {
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
      const group = (): ParameterGroup => ({ properties: {}, required: [] });
      const inPath = group();
      const inQuery = group();
      const inHeader = group();
      const byLocation: Readonly<Record<string, ParameterGroup | undefined>> = { path: inPath, query: inQuery, header: inHeader };
      const parameters = [...shared, ...(Array.isArray(op['parameters']) ? op['parameters'] : [])].map((p) => resolveRef(doc, p));
      for (const p of parameters) {
        const location = byLocation[String(p['in'])];
        if (!location || typeof p['name'] !== 'string') continue;
        const name = p['in'] === 'header' ? p['name'].toLowerCase() : p['name'];
        location.properties[name] = anchorRefs(p['schema'] ?? {});
        if (p['required'] === true) location.required.push(name);
      }
      const objectSchema = (l: ParameterGroup, closed: boolean) => ({
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
          body.set(type.toLowerCase(), strictAjv.compile(mediaSchema(media)));
        }
      }
      const responses = new Map<string, { content: Map<string, ValidateFunction | undefined> }>();
      for (const [status, r] of Object.entries(isObject(op['responses']) ? op['responses'] : {})) {
        const resolved = resolveRef(doc, r);
        const content = new Map<string, ValidateFunction | undefined>();
        for (const [type, media] of Object.entries(isObject(resolved['content']) ? resolved['content'] : {})) {
          content.set(type.toLowerCase(), isObject(media) && media['schema'] !== undefined ? strictAjv.compile(mediaSchema(media)) : undefined);
        }
        responses.set(status, { content });
      }
      const security = Array.isArray(op['security']) ? op['security'] : globalSecurity;
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
          scopes: scopesOf(operationId, security ?? []),
          public: security !== undefined && security.length === 0,
        },
        regex: new RegExp(`^${pattern}$`),
        paramNames,
        params: paramAjv.compile(objectSchema(inPath, false)),
        query: paramAjv.compile(objectSchema(inQuery, true)),
        headers: paramAjv.compile(objectSchema(inHeader, false)),
        headerNames: Object.keys(inHeader.properties),
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

  function validateRequest(req: Request, found: { compiled: Compiled; params: Record<string, string> }): ValidatedRequest {
    const { compiled: c } = found;
    const errors: { path: string; message: string }[] = [];
    const params: Json = {};
    for (const k of c.paramNames) {
      try {
        params[k] = decodeURIComponent(found.params[k] ?? '');
      } catch {
        errors.push({ path: `path/${k}`, message: 'is not valid percent-encoding' });
      }
    }
    if (!c.params(params)) errors.push(...formatErrors('path', c.params.errors));
    const query = ownCopy(req.query);
    if (!c.query(query)) errors.push(...formatErrors('query', c.query.errors));
    const headers: Json = {};
    for (const name of c.headerNames) {
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
      const state = stateOf(res);
      state.operation = found.compiled.operation;
      // Operations with scopes have a route authenticator: the caller is
      // authenticated (cheap) before the schema work (not cheap) runs.
      if (found.compiled.operation.scopes.length > 0) state.pending = () => validateRequest(req, found);
      else state.proven = validateRequest(req, found);
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
 * The spec operation this request matched, as the validator found it; the
 * authenticator reads the scopes to require from it. `undefined` when no
 * validator ran or the path is not in the spec.
 */
export function operationOf(res: Response): SpecOperation | undefined {
  return peekState(res)?.operation;
}

/**
 * Runs the schema validation the spec middleware deferred until the caller was
 * authenticated; throws its 400. The authenticator calls it once it has let the
 * caller through; a no-op when nothing is pending.
 */
export function completeValidation(res: Response): void {
  const state = peekState(res);
  const pending = state?.pending;
  if (!state || !pending) return;
  state.pending = undefined;
  state.proven = pending();
}

function isFor<Op extends OperationId>(request: ValidatedRequest, operationId: Op): request is Validated<Op> {
  return request.operationId === operationId;
}

/**
 * What the spec validator proved about this request, typed for `operationId`.
 * Throws (a wiring bug, answered 500) if the validator did not run or validated
 * the request as another operation: a route's path and the spec disagree.
 */
export function validated<Op extends OperationId>(res: Response, operationId: Op): Validated<Op> {
  completeValidation(res);
  const request = peekState(res)?.proven;
  if (!request) throw new Error(`validated(${operationId}): the spec validator did not run for this request`);
  if (!isFor(request, operationId)) throw new Error(`validated(${operationId}): the request was validated as ${request.operationId}`);
  return request;
}

/**
 * Records what was validated for `validated(res, …)`. The validator's middleware
 * calls it; a benchmark baseline calls it to measure the app without validation.
 */
export function markValidated(res: Response, request: ValidatedRequest): void {
  stateOf(res).proven = request;
}
