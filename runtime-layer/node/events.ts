/**
 * What an invocation event asks for: an HTTP request in one of the front doors' formats (API Gateway HTTP API
 * payload 2.0 and function URLs, REST payload 1.0, ALB), a scheduled action, an App Action call of the owner's
 * console (answered as payload 2.0), or something the adapter cannot serve. HTTP requests come out as the request the app must see: base path stripped, headers completed
 * (`Cookie`, `Host`, `X-Forwarded-*`, `x-amzn-request-context`, `x-amzn-lambda-context`), body decoded.
 *
 * Forwarded headers: the front door's `Host`, `X-Forwarded-Proto` and `-Port` pass as they come (API Gateway and
 * function URLs always send `https`/`443`; the dev router its own `http` and port), `https` only when an event has
 * none. Having stripped a micro's path, the adapter says so in `X-Forwarded-Prefix` (what proxy-aware apps, such as
 * Flask's ProxyFix with `x_prefix`, read to build links under that path); a client's own value never passes.
 */
import { ACTION_EVENT_SOURCE } from '../../lib/core/action-event';
import { APP_ACTION_EVENT_SOURCE } from '../../lib/core/app-action-event';
import { ACTIONS_PATH, isOriginForm, isReservedPath, RESERVED_PREFIX } from '../../lib/core/paths';
import { stripBasePath } from '../../lib/routing/routes';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';

export type EventFormat = 'v2' | 'v1' | 'alb';

export interface AppRequest {
  readonly method: string;
  /** Path plus `?query`, ready to send. */
  readonly target: string;
  /** Header pairs as Node's `rawHeaders`: name, value, name, value... */
  readonly headers: string[];
  readonly body: Buffer;
}

/** A response the adapter gives without asking the app (404, 413, 400). */
export interface Refusal {
  readonly status: number;
  readonly message: string;
}

export type ParsedEvent =
  | { readonly kind: 'http'; readonly format: EventFormat; readonly request: AppRequest }
  | { readonly kind: 'refused'; readonly format: EventFormat; readonly refusal: Refusal }
  | { readonly kind: 'action'; readonly actionId: string; readonly request: AppRequest }
  | { readonly kind: 'unsupported'; readonly errorType: string; readonly message: string };

/** The parts of an invocation (besides its event) the app is told about. */
export interface InvocationContext {
  readonly basePath: string;
  /** The `x-amzn-lambda-context` header value. */
  readonly lambdaContext: string;
}

const FORMAT_NAMES: Record<EventFormat, string> = {
  v2: 'API Gateway HTTP API (payload 2.0) event',
  v1: 'API Gateway REST (payload 1.0) event',
  alb: 'ALB event',
};
/**
 * Request headers the adapter sets itself, that make no sense once the body has been decoded and buffered, or that
 * only a client would have sent: API Gateway passes a client's `X-Forwarded-Host` and `Forwarded` as they came, and
 * proxy-aware apps build links and redirects from them.
 */
const REPLACED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'expect',
  'upgrade',
  'proxy-connection',
  'x-amzn-request-context',
  'x-amzn-lambda-context',
  'x-forwarded-prefix',
  'x-forwarded-host',
  'forwarded',
]);
/** Characters a decoded path may hold that are not allowed in a request target. */
const UNSAFE_PATH_CHARS = /[^\x21-\x7e]|["<>\\^`{|}#?]/gu;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class MissingField extends Error {}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new MissingField(field);
  return value;
}

/** JSON as ASCII, so it can travel in a header (the same escaping as Python's `json.dumps`). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function formatOf(event: Json): EventFormat | undefined {
  if (isObject(event.requestContext) && isObject(event.requestContext.elb)) return 'alb';
  if (event.version === '2.0' || 'rawPath' in event) return 'v2';
  if (event.version === '1.0' || 'httpMethod' in event) return 'v1';
  return undefined;
}

/** The query string of a 1.0 or ALB event: API Gateway decodes values, ALB passes them as sent. */
function queryFromParameters(event: Json, encode: (text: string) => string): string {
  const pairs: string[] = [];
  if (isObject(event.multiValueQueryStringParameters)) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters)) {
      for (const value of Array.isArray(values) ? values : [values]) pairs.push(`${encode(name)}=${encode(String(value))}`);
    }
  } else if (isObject(event.queryStringParameters)) {
    for (const [name, value] of Object.entries(event.queryStringParameters)) pairs.push(`${encode(name)}=${encode(String(value))}`);
  }
  return pairs.join('&');
}

/** Header entries of a 1.0 or ALB event, repeated headers as several values. */
function headerEntriesV1(event: Json): Array<[string, string[]]> {
  if (isObject(event.multiValueHeaders)) {
    return Object.entries(event.multiValueHeaders).map(([name, values]) => [name, Array.isArray(values) ? values.map(String) : [String(values)]]);
  }
  if (isObject(event.headers)) return Object.entries(event.headers).map(([name, value]) => [name, [String(value)]]);
  return [];
}

function headerEntriesV2(event: Json): Array<[string, string[]]> {
  const entries: Array<[string, string[]]> = isObject(event.headers)
    ? Object.entries(event.headers).map(([name, value]) => [name, [String(value)]])
    : [];
  if (Array.isArray(event.cookies) && event.cookies.length > 0) entries.push(['cookie', [event.cookies.join('; ')]]);
  return entries;
}

function completeHeaders(
  entries: Array<[string, string[]]>,
  fallbackHost: string,
  sourceIp: string | undefined,
  requestContext: unknown,
  context: InvocationContext,
): string[] {
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let hasHost = false;
  let hasProto = false;
  for (const [name, values] of entries) {
    const lower = name.toLowerCase();
    if (REPLACED_HEADERS.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? values.join(', ') : `${forwardedFor}, ${values.join(', ')}`;
      continue;
    }
    if (lower === 'host') hasHost = true;
    if (lower === 'x-forwarded-proto') hasProto = true;
    for (const value of values) headers.push(name, value);
  }
  if (!hasHost) headers.push('host', fallbackHost);
  if (sourceIp) {
    const last = forwardedFor?.slice(forwardedFor.lastIndexOf(',') + 1).trim();
    if (last !== sourceIp) forwardedFor = forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`;
  }
  if (forwardedFor !== undefined) headers.push('x-forwarded-for', forwardedFor);
  if (!hasProto) headers.push('x-forwarded-proto', 'https');
  if (context.basePath) headers.push('x-forwarded-prefix', context.basePath);
  headers.push('x-amzn-request-context', asciiJson(requestContext ?? {}));
  headers.push('x-amzn-lambda-context', context.lambdaContext);
  return headers;
}

function decodeBody(event: Json): Buffer {
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, an empty body decodes to no bytes either way
  if (typeof event.body !== 'string' || event.body === '') return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded === true ? 'base64' : 'utf8');
}

function parseHttp(event: Json, format: EventFormat, context: InvocationContext): ParsedEvent {
  const requestContext = isObject(event.requestContext) ? event.requestContext : {};
  let method: string;
  let rawPath: string;
  let query: string;
  let entries: Array<[string, string[]]>;
  let sourceIp: unknown;
  try {
    if (format === 'v2') {
      const http = isObject(requestContext.http) ? requestContext.http : {};
      method = requireString(http.method, 'requestContext.http.method');
      rawPath = requireString(event.rawPath ?? http.path, 'rawPath');
      query = typeof event.rawQueryString === 'string' ? event.rawQueryString : '';
      entries = headerEntriesV2(event);
      sourceIp = http.sourceIp;
    } else {
      method = requireString(event.httpMethod, 'httpMethod');
      rawPath = requireString(event.path, 'path');
      query = queryFromParameters(event, format === 'alb' ? String : encodeURIComponent);
      entries = headerEntriesV1(event);
      sourceIp = isObject(requestContext.identity) ? requestContext.identity.sourceIp : undefined;
    }
  } catch (error) {
    if (!(error instanceof MissingField)) throw error;
    return refuse(format, 400, `Bad request: the ${FORMAT_NAMES[format]} has no ${error.message}`);
  }
  // Only a path goes on: the app's server would read the path inside an absolute-form target, unjudged.
  if (!isOriginForm(rawPath)) return refuse(format, 400, 'Bad request: the request target must be a path, not a URL');
  const path = stripBasePath(rawPath, context.basePath);
  if (isReservedPath(path)) return refuse(format, 404, `Not found: paths under ${RESERVED_PREFIX}/ are reserved for the Space runtime`);
  const body = decodeBody(event);
  if (body.length > BODY_LIMIT_BYTES) {
    return refuse(format, 413, `Payload too large: the request body is ${body.length} bytes, the limit is ${BODY_LIMIT_BYTES} bytes (5.5 MB)`);
  }
  const domainName = typeof requestContext.domainName === 'string' ? requestContext.domainName : 'localhost';
  const headers = completeHeaders(entries, domainName, typeof sourceIp === 'string' ? sourceIp : undefined, event.requestContext, context);
  const encodedPath = path.replace(UNSAFE_PATH_CHARS, encodeURIComponent);
  return { kind: 'http', format, request: { method, target: query ? `${encodedPath}?${query}` : encodedPath, headers, body } };
}

function refuse(format: EventFormat, status: number, message: string): ParsedEvent {
  return { kind: 'refused', format, refusal: { status, message } };
}

function parseAction(event: Json, context: InvocationContext): ParsedEvent {
  const action = event.event;
  if (!isObject(action) || typeof action.id !== 'string' || action.id === '') {
    return {
      kind: 'unsupported',
      errorType: 'Spaceport.MalformedEvent',
      message: 'The spaceport.action event has no event.id: expected {"source":"spaceport.action","event":{"id":"<action id>","trigger":"schedule"}}',
    };
  }
  const body = Buffer.from(JSON.stringify({ event: action }), 'utf8');
  const headers = ['host', 'localhost', 'content-type', 'application/json', 'x-amzn-lambda-context', context.lambdaContext];
  return { kind: 'action', actionId: action.id, request: { method: 'POST', target: ACTIONS_PATH, headers, body } };
}

/** An App Action call: the one event that may reach `/__space/actions`, since only a direct invoker can send it. */
function parseAppAction(event: Json, context: InvocationContext): ParsedEvent {
  const request = event.request;
  if (
    !isObject(request) ||
    (request.method !== 'GET' && request.method !== 'POST') ||
    typeof request.path !== 'string' ||
    !isOriginForm(request.path)
  ) {
    return {
      kind: 'unsupported',
      errorType: 'Spaceport.MalformedEvent',
      message:
        'The spaceport.app-action event needs request.method (GET or POST) and request.path (a path): expected {"source":"spaceport.app-action","request":{"method":"GET","path":"/__space/actions"}}',
    };
  }
  const body = Buffer.from(typeof request.body === 'string' ? request.body : '', 'utf8');
  const headers = ['host', 'localhost', 'content-type', 'application/json', 'x-amzn-lambda-context', context.lambdaContext];
  return { kind: 'http', format: 'v2', request: { method: request.method, target: request.path, headers, body } };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array';
  if (value === null) return 'JSON null';
  if (!isObject(value)) return `a JSON ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty JSON object';
  return `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`;
}

export function parseEvent(raw: Buffer, context: InvocationContext): ParsedEvent {
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch {
    return { kind: 'unsupported', errorType: 'Spaceport.UnsupportedEvent', message: 'The event is not JSON' };
  }
  if (isObject(event)) {
    if (event.source === ACTION_EVENT_SOURCE) return parseAction(event, context);
    if (event.source === APP_ACTION_EVENT_SOURCE) return parseAppAction(event, context);
    const format = formatOf(event);
    if (format !== undefined) return parseHttp(event, format, context);
  }
  return {
    kind: 'unsupported',
    errorType: 'Spaceport.UnsupportedEvent',
    message: `Spaceport cannot handle this event (${describe(event)}): it serves API Gateway, function URL and ALB HTTP requests, spaceport.action and spaceport.app-action events`,
  };
}
