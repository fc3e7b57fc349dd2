/**
 * The invocation result each front door expects for an HTTP response: payload 2.0 moves `set-cookie` to
 * `cookies[]` and joins other repeated headers; payload 1.0 uses `multiValueHeaders`; ALB gets both header forms
 * and a status description. Bodies travel base64 unless they are text (`isTextBody`).
 */
import { isTextBody } from '../../lib/core/text-body';
import type { EventFormat, Refusal } from './events';

export interface AppResponse {
  readonly status: number;
  /** The reason phrase of the status line (ALB's `statusDescription`). */
  readonly reason: string;
  /** Lower-cased header names, each with its values in order. */
  readonly headers: Map<string, string[]>;
  readonly body: Buffer;
}

/** Connection-level headers that mean nothing once the body is buffered into a result. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'trailer', 'proxy-connection']);
/** Reason phrases of the responses the adapter writes itself. */
const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 413: 'Payload Too Large', 502: 'Bad Gateway' };

function isTextResponse(headers: Map<string, string[]>): boolean {
  return isTextBody(headers.get('content-type')?.[0], headers.get('content-encoding')?.[0]);
}

/** Header pairs (Node's `rawHeaders`) as a map of lower-cased names, hop-by-hop headers left out. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const values = headers.get(name);
    if (values === undefined) headers.set(name, [rawHeaders[i + 1]]);
    else values.push(rawHeaders[i + 1]);
  }
  return headers;
}

/** The adapter's own JSON error response. */
export function refusalResponse(refusal: Refusal): AppResponse {
  return {
    status: refusal.status,
    reason: REASONS[refusal.status] ?? '',
    headers: new Map([['content-type', ['application/json']]]),
    body: Buffer.from(JSON.stringify({ message: refusal.message }), 'utf8'),
  };
}

export function toResult(format: EventFormat, response: AppResponse): Record<string, unknown> {
  const text = response.body.length === 0 || isTextResponse(response.headers);
  const body = response.body.toString(text ? 'utf8' : 'base64');
  if (format === 'v2') {
    const headers: Record<string, string> = {};
    let cookies: string[] = [];
    for (const [name, values] of response.headers) {
      if (name === 'set-cookie') cookies = values;
      else headers[name] = values.join(',');
    }
    return { statusCode: response.status, headers, cookies, body, isBase64Encoded: !text };
  }
  const multiValueHeaders = Object.fromEntries(response.headers);
  if (format === 'v1') return { statusCode: response.status, multiValueHeaders, body, isBase64Encoded: !text };
  const headers: Record<string, string> = {};
  // Single-value headers can carry one cookie only: the last, as a browser would keep.
  for (const [name, values] of response.headers) headers[name] = name === 'set-cookie' ? values[values.length - 1] : values.join(',');
  return {
    statusCode: response.status,
    statusDescription: `${response.status} ${response.reason}`.trim(),
    headers,
    multiValueHeaders,
    body,
    isBase64Encoded: !text,
  };
}
