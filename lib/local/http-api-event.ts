/**
 * The API Gateway HTTP API (payload format 2.0) event a micro's function receives, and the response it returns,
 * built and read locally exactly as the cloud front door does, so the adapter sees the same bytes in both places.
 */
import { randomUUID } from 'node:crypto';
import type { Micro } from '../spacefile/model';
import { isTextBody } from '../core/text-body';
import { routeKeys } from '../routing/routes';

/** What the router knows about one HTTP request once its body has been read. */
export interface IncomingHttpRequest {
  readonly method: string;
  /** The request target as sent: path plus `?query`. */
  readonly url: string;
  readonly httpVersion: string;
  /** Node's `rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly receivedAt: Date;
}

export interface HttpApiEvent {
  readonly version: '2.0';
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: '$default';
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly pathParameters?: { readonly proxy: string };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** The HTTP response the router writes back. */
export interface HttpResponse {
  readonly statusCode: number;
  /** Header pairs in order; `set-cookie` may repeat. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** A function result that is not a response HTTP API could turn into one. */
export class InvalidResponseError extends Error {}

/** Account and API ids of the local "API": fixed, like SAM's, so apps can tell they run locally if they care. */
const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'spaceport-dev';

/** Lower-cased headers with repeated names comma-joined, as payload 2.0 carries them. */
function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]},${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return headers;
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryComponent(pair.slice(eq + 1));
    params[name] = name in params ? `${params[name]},${value}` : value;
  }
  return params;
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function formatRequestTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().match(/^\w+, (\d+) (\w+) (\d+) ([\d:]+)/) ?? [];
  return `${day.padStart(2, '0')}/${month}/${year}:${time} +0000`;
}

/** The event HTTP API sends `micro` for `request`: full path in `rawPath` (the adapter strips the micro's path). */
export function buildHttpApiEvent(request: IncomingHttpRequest, micro: Micro): HttpApiEvent {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const headers = joinHeaders(request.rawHeaders);
  // Payload 2.0 moves cookies out of the headers into `cookies[]`.
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ?.split(/[;,]/)
    .map((cookie) => cookie.trim())
    .filter(Boolean);

  const [exactKey, proxyKey] = routeKeys(micro);
  const prefix = micro.path === '/' ? '' : micro.path;
  const proxy = rawPath.length > prefix.length + 1 ? rawPath.slice(prefix.length + 1) : undefined;
  const routeKey = proxy === undefined ? exactKey : proxyKey;
  const requestId = randomUUID();
  const domainName = headers.host ?? 'localhost';

  const event: HttpApiEvent = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: formatRequestTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(proxy !== undefined ? { pathParameters: { proxy } } : {}),
    ...(request.body.length > 0 ? encodeBody(request.body, headers) : {}),
    isBase64Encoded: request.body.length > 0 && !isTextBody(headers['content-type'], headers['content-encoding']),
  };
  return event;
}

function encodeBody(body: Buffer, headers: Record<string, string>): { body: string } {
  const text = isTextBody(headers['content-type'], headers['content-encoding']);
  return { body: text ? body.toString('utf8') : body.toString('base64') };
}

/**
 * The HTTP response HTTP API makes of a payload 2.0 result: `{statusCode, headers, cookies, body,
 * isBase64Encoded}` as given, or any other JSON value as a 200 `application/json` body (the format's inference rule).
 */
export function httpResponseFromResult(result: unknown): HttpResponse {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = Buffer.from(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return { statusCode: 200, headers: [['content-type', 'application/json']], body };
  }
  const response = result as Record<string, unknown>;
  const statusCode = Number(response.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new InvalidResponseError(`statusCode must be an integer from 100 to 599, got ${JSON.stringify(response.statusCode)}`);
  }
  const headers: Array<[string, string]> = [];
  if (response.headers !== undefined) {
    if (typeof response.headers !== 'object' || response.headers === null || Array.isArray(response.headers)) {
      throw new InvalidResponseError('headers must be an object of strings');
    }
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || value === null) continue;
      headers.push([name.toLowerCase(), String(value)]);
    }
  }
  if (response.cookies !== undefined) {
    if (!Array.isArray(response.cookies)) throw new InvalidResponseError('cookies must be an array of strings');
    for (const cookie of response.cookies) headers.push(['set-cookie', String(cookie)]);
  }
  const body = response.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new InvalidResponseError(`body must be a string, got ${typeof body}`);
  }
  const text = body ?? '';
  return { statusCode, headers, body: Buffer.from(text, response.isBase64Encoded === true ? 'base64' : 'utf8') };
}
