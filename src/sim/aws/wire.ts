import { AppError } from '../../core/index.js';

export type SimService = 'ssm' | 'secretsmanager' | 'tagging' | 'sns' | 'sts';

/**
 * An AWS-shaped failure the simulator answers with: `awsName` is the error code the
 * SDK sees (`ThrottlingException`, `InvalidAction` …), `status` the HTTP status.
 */
export class SimAwsError extends AppError<'SIM_AWS_ERROR'> {
  readonly awsName: string;
  readonly status: number;

  constructor(awsName: string, message: string, status = 400) {
    super('SIM_AWS_ERROR', message, { details: { awsName, status } });
    this.awsName = awsName;
    this.status = status;
  }
}

export function validation(message: string): SimAwsError {
  return new SimAwsError('ValidationException', `1 validation error detected: ${message}`);
}

/** A parsed JSON 1.1 request body, with typed readers that answer AWS validation errors. */
export class JsonInput {
  readonly raw: Record<string, unknown>;

  constructor(raw: unknown) {
    this.raw = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  }

  str(key: string, opts: { required?: boolean; pattern?: RegExp; max?: number } = {}): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (opts.required) throw validation(`Value null at '${lcFirst(key)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof v !== 'string') throw new SimAwsError('SerializationException', `${key} must be a string`);
    if (opts.max !== undefined && v.length > opts.max) {
      throw validation(`Value at '${lcFirst(key)}' failed to satisfy constraint: Member must have length less than or equal to ${opts.max}`);
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      throw validation(`Value '${v}' at '${lcFirst(key)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${opts.pattern.source}`);
    }
    return v;
  }

  need(key: string, opts: { pattern?: RegExp; max?: number } = {}): string {
    return this.str(key, { ...opts, required: true }) as string;
  }

  int(key: string, range?: { min: number; max: number }): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new SimAwsError('SerializationException', `${key} must be an integer`);
    if (range && (v < range.min || v > range.max)) {
      const bound = v < range.min ? `greater than or equal to ${range.min}` : `less than or equal to ${range.max}`;
      throw validation(`Value '${v}' at '${lcFirst(key)}' failed to satisfy constraint: Member must have value ${bound}`);
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new SimAwsError('SerializationException', `${key} must be a boolean`);
    return v;
  }

  strList(key: string, opts: { max?: number; min?: number } = {}): string[] | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new SimAwsError('SerializationException', `${key} must be a list of strings`);
    }
    if (opts.max !== undefined && v.length > opts.max) {
      throw validation(`Value at '${lcFirst(key)}' failed to satisfy constraint: Member must have length less than or equal to ${opts.max}`);
    }
    if (opts.min !== undefined && v.length < opts.min) {
      throw validation(`Value at '${lcFirst(key)}' failed to satisfy constraint: Member must have length greater than or equal to ${opts.min}`);
    }
    return v as string[];
  }

  /** `[{Key, Values}]` lists (SSM filters and targets). */
  keyValues(key: string, names: { key: string; values: string } = { key: 'Key', values: 'Values' }): { key: string; values: string[] }[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new SimAwsError('SerializationException', `${key} must be a list`);
    return v.map((item) => {
      const o = new JsonInput(item);
      return { key: o.need(names.key), values: o.strList(names.values) ?? [] };
    });
  }

  /** `{name: [values]}` maps (SSM document parameters). */
  paramMap(key: string): Record<string, string[]> | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw new SimAwsError('SerializationException', `${key} must be a map`);
    const out: Record<string, string[]> = {};
    for (const [k, vals] of Object.entries(v as Record<string, unknown>)) {
      if (!Array.isArray(vals) || vals.some((x) => typeof x !== 'string')) {
        throw new SimAwsError('SerializationException', `${key}.${k} must be a list of strings`);
      }
      out[k] = vals as string[];
    }
    return out;
  }

  obj(key: string): JsonInput | undefined {
    const v = this.raw[key];
    return v === undefined || v === null ? undefined : new JsonInput(v);
  }
}

function lcFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** SSM JSON timestamps are epoch seconds (numbers). */
export function epoch(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Opaque page tokens: base64 of `op:offset`, rejected if replayed on another operation. */
export function pageToken(op: string, offset: number): string {
  return Buffer.from(`${op}:${offset}`).toString('base64');
}

export function readPageToken(op: string, token: string | undefined, errorName = 'InvalidNextToken'): number {
  if (token === undefined || token === '') return 0;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const cut = decoded.lastIndexOf(':');
  const tokenOp = decoded.slice(0, cut);
  const n = cut < 0 ? Number.NaN : Number(decoded.slice(cut + 1));
  if (tokenOp !== op || !Number.isInteger(n) || n < 0) throw new SimAwsError(errorName, 'The specified token is not valid.');
  return n;
}

/**
 * One page of the items `pick` makes of `source` (`undefined`: not a match),
 * scanning from the token's position and building only the page's items, as a
 * real service reads an index rather than materialising the whole result per
 * call. The next token is the position after the page, or `undefined` when no
 * match is left.
 */
export function scanPage<S, T>(op: string, source: readonly S[], token: string | undefined, size: number, pick: (item: S) => T | undefined) {
  let pos = readPageToken(op, token);
  const items: T[] = [];
  let next: T | undefined;
  for (; pos < source.length; pos++) {
    const made = pick(source[pos] as S);
    if (made === undefined) continue;
    if (items.length === size) {
      next = made;
      break;
    }
    items.push(made);
  }
  return { items, nextToken: next === undefined ? undefined : pageToken(op, pos) };
}

/** Slices one page and the token for the next; `undefined` token on the last page. */
export function page<T>(op: string, items: readonly T[], token: string | undefined, size: number) {
  const offset = readPageToken(op, token);
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? pageToken(op, offset + size) : undefined;
  return { items: slice, nextToken: next };
}

// ---------------------------------------------------------------------------
// Query protocol (SNS, STS)
// ---------------------------------------------------------------------------

export const XML_NS: Readonly<Record<'sns' | 'sts', string>> = {
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Renders `{ Tag: 'text' | nested | undefined }` as XML elements, in key order. */
export type XmlNode = string | number | boolean | undefined | { readonly [tag: string]: XmlNode } | readonly XmlNode[];

export function toXml(node: XmlNode, tag?: string): string {
  if (node === undefined) return '';
  if (Array.isArray(node)) return node.map((n) => toXml(n, tag)).join('');
  if (typeof node === 'object') {
    const inner = Object.entries(node as Record<string, XmlNode>)
      .map(([k, v]) => toXml(v, k))
      .join('');
    return tag ? `<${tag}>${inner}</${tag}>` : inner;
  }
  const text = xmlEscape(String(node));
  return tag ? `<${tag}>${text}</${tag}>` : text;
}

export function queryResponse(service: 'sns' | 'sts', action: string, result: XmlNode, requestId: string): string {
  const body = result === undefined ? '' : toXml(result, `${action}Result`);
  return `<${action}Response xmlns="${XML_NS[service]}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(service: 'sns' | 'sts', err: SimAwsError, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${XML_NS[service]}"><Error><Type>${type}</Type><Code>${xmlEscape(err.awsName)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** Reads `Prefix.member.N` / `Prefix.entry.N.Field` lists from query parameters. */
export function queryList(params: URLSearchParams, prefix: string): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const [k, v] of params) {
    if (!k.startsWith(`${prefix}.`)) continue;
    const rest = k.slice(prefix.length + 1).split('.');
    const idx = Number(rest[1]);
    if (!Number.isInteger(idx)) continue;
    const field = rest.slice(2).join('.');
    let entry = out.get(idx);
    if (!entry) {
      entry = new Map();
      out.set(idx, entry);
    }
    entry.set(field, v);
  }
  return out;
}
