/**
 * A Node request line and headers in the plain shape the framework-free handlers take (the data API's, the
 * console's, auth's): the target's path and raw query apart, as sent, and each header's values joined into one.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface PlainRequest {
  readonly method: string;
  /** The path as the client sent it, without the query string. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** Lower-case header names (as Node gives them), repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
}

export function plainRequest(request: { readonly method?: string; readonly url?: string; readonly headers: IncomingHttpHeaders }): PlainRequest {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: request.method ?? 'GET', path: mark < 0 ? url : url.slice(0, mark), query: mark < 0 ? '' : url.slice(mark + 1), headers };
}
