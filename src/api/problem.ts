import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ErrorSpec, type Logger, spec } from '../core/index.js';
import { requestIdOf } from './request-id.js';

/**
 * The one HTTP error type. Routes and middleware throw it (or any `AppError`);
 * `problemHandler` renders every error as RFC 9457 `application/problem+json`.
 */
export class HttpProblem extends AppError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly errors: readonly { path: string; message: string }[] | undefined;

  constructor(
    status: number,
    code: string,
    detail: string,
    options: { cause?: unknown; headers?: Record<string, string>; errors?: { path: string; message: string }[] } = {},
  ) {
    super(code, detail, { cause: options.cause, spec: spec(status, status === 429 || status === 503 ? 'now' : 'never') });
    this.status = status;
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
    this.errors = options.errors;
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: readonly { path: string; message: string }[];
}

/** What callers are told when a family's own words may not reach them (see `ErrorSpec.public`). */
const SAFE_DETAIL: Readonly<Record<string, string>> = {
  INTERNAL: 'An unexpected error occurred.',
  UPSTREAM_FAILED: 'A service patchbridge depends on refused or failed the request; the operators can see why in the logs.',
  UPSTREAM_UNAVAILABLE: 'A service patchbridge depends on is unavailable or busy; retry later.',
  CONFLICT: 'The resource changed while the request was handled; retry.',
  NOT_FOUND: 'No such resource.',
};

/**
 * Status, code and detail for an `AppError`, from its family's declaration alone.
 * A public code answers with its own code and message. Any other keeps its status,
 * but a 5xx is answered as `UPSTREAM_UNAVAILABLE` (503, 504), `UPSTREAM_FAILED` (502)
 * or `INTERNAL` (500), and never with the upstream's message: an AWS `AccessDenied`
 * names patchbridge's role ARN, and ServiceNow's 401 is patchbridge's, not the caller's.
 */
export function answerFor(declared: ErrorSpec, code: string, message: string): { status: number; code: string; detail: string } {
  if (declared.public) return { status: declared.status, code, detail: message };
  const status = declared.status;
  const answered = status === 503 || status === 504 ? 'UPSTREAM_UNAVAILABLE' : status === 502 ? 'UPSTREAM_FAILED' : status >= 500 ? 'INTERNAL' : code;
  return { status, code: answered, detail: SAFE_DETAIL[answered] ?? SAFE_DETAIL[status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : 'INTERNAL'] ?? '' };
}

function problemType(code: string): string {
  return `https://patchbridge.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

/** Renders any thrown value as a problem body; internals never leak for 5xx. */
export function toProblem(err: unknown, instance: string | undefined, requestId: string | undefined): { body: ProblemBody; headers: Record<string, string> } {
  let status = 500;
  let code = 'INTERNAL';
  let detail = 'An unexpected error occurred.';
  let headers: Record<string, string> = {};
  let errors: ProblemBody['errors'];
  if (err instanceof HttpProblem) {
    status = err.status;
    code = err.code;
    detail = err.message;
    headers = { ...err.headers };
    errors = err.errors;
  } else if (err instanceof AppError) {
    ({ status, code, detail } = answerFor(err.spec, err.code, err.message));
    const fields = err.spec.public ? err.details['errors'] : undefined;
    if (Array.isArray(fields)) errors = fields.filter(isFieldError);
  } else if (isClientHttpError(err)) {
    status = err.status;
    ({ code, detail } = bodyErrorCode(err));
  }
  const body: ProblemBody = {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...(errors ? { errors } : {}),
  };
  return { body, headers };
}

/**
 * A 4xx from the body parser or the HTTP layer (`http-errors`): too large,
 * unsupported media type or encoding, bad JSON, a body that does not inflate.
 */
function isClientHttpError(err: unknown): err is { status: number; type?: unknown; code?: unknown } {
  if (typeof err !== 'object' || err === null || !('status' in err) || typeof err.status !== 'number') return false;
  const expose = 'expose' in err ? err.expose : undefined;
  const type = 'type' in err ? err.type : undefined;
  // The router's URIError (a path parameter that is not valid percent-encoding) carries only a status.
  return err.status >= 400 && err.status < 500 && (expose === true || typeof type === 'string' || err instanceof URIError);
}

/** One entry of a problem's `errors`, as a public validation error carries them. */
function isFieldError(e: unknown): e is { path: string; message: string } {
  return typeof e === 'object' && e !== null && 'path' in e && typeof e.path === 'string' && 'message' in e && typeof e.message === 'string';
}

function bodyErrorCode(err: { status: number; type?: unknown; code?: unknown }): { code: string; detail: string } {
  if (err.status === 413) return { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large.' };
  if (err.type === 'encoding.unsupported') return { code: 'UNSUPPORTED_ENCODING', detail: 'The request body uses a content-encoding this API does not accept (identity, gzip, deflate).' };
  if (err.type === 'charset.unsupported') return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body uses a charset this API does not accept (utf-8).' };
  if (err.status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body has a media type this API does not accept.' };
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) return { code: 'MALFORMED_BODY', detail: 'The request body does not match its content-encoding.' };
  if (err instanceof URIError) return { code: 'MALFORMED_PATH', detail: 'The request path is not valid percent-encoding.' };
  if (err.type === 'entity.parse.failed') return { code: 'MALFORMED_BODY', detail: 'The request body is not valid JSON.' };
  return { code: 'MALFORMED_BODY', detail: 'The request body could not be read.' };
}

/** What is logged of an unexpected error: never the request body some parsers attach to it. */
function loggable(err: unknown): unknown {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = 'code' in err ? err.code : undefined;
  return { type: err.name, message: err.message, stack: err.stack, ...(typeof code === 'string' ? { code } : {}), ...(err.cause !== undefined ? { cause: loggable(err.cause) } : {}) };
}

/**
 * A complete HTTP/1.1 problem+json response, for answers the HTTP parser gives
 * before express sees a request (oversized headers, malformed requests).
 */
export function rawProblemResponse(status: number, code: string, detail: string): string {
  const body = JSON.stringify({ type: problemType(code), title: TITLES[status] ?? 'Error', status, code, detail });
  return [
    `HTTP/1.1 ${status} ${TITLES[status] ?? 'Error'}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The single error-mapping middleware: logs once, answers problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = requestIdOf(res);
    const { body, headers } = toProblem(err, req.originalUrl.split('?')[0], requestId);
    if (body.status >= 500) logger.error({ err: loggable(err), requestId, method: req.method, path: req.path, code: body.code }, 'request failed');
    else logger.info({ requestId, method: req.method, path: req.path, status: body.status, code: body.code }, 'request refused');
    if (res.headersSent) return;
    res.status(body.status).set(headers).type('application/problem+json').send(JSON.stringify(body));
  };
}

/** 404 for anything no route matched. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};
