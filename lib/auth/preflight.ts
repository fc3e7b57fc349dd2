/**
 * A browser's CORS preflight, answered by Spaceport and never by a micro. A preflight carries no credentials by
 * design (the browser asks whether it may send `X-Space-App-Key` from another origin), so letting it reach the
 * micro would run the micro's handler for an anonymous caller and hand back whatever it answered. The answer
 * allows what was asked, from any origin, and never credentials (`*` rules them out): the request that follows
 * is judged by the access rules as usual, and the micro's own `Access-Control-Allow-Origin` on that response
 * still decides whether the page may read it. The dev router and the cloud runtime function both answer with it.
 */
import type { AuthRequest } from './rules';
import type { AuthResponse } from './responses';

/** How long a browser may reuse the answer (seconds). */
const MAX_AGE_SECONDS = 600;

/** An OPTIONS request with `Origin` and `Access-Control-Request-Method`: what browsers send before a cross-origin request. */
export function isCorsPreflight(request: Pick<AuthRequest, 'method' | 'headers'>): boolean {
  return request.method === 'OPTIONS' && request.headers['origin'] !== undefined && request.headers['access-control-request-method'] !== undefined;
}

/** The answer to a preflight (`isCorsPreflight`): 204, no body, what it asked for allowed without credentials. */
export function preflightResponse(request: Pick<AuthRequest, 'headers'>): AuthResponse {
  const headers: Record<string, string> = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': request.headers['access-control-request-method'] ?? '',
    'access-control-max-age': String(MAX_AGE_SECONDS),
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  const requested = request.headers['access-control-request-headers'];
  if (requested) headers['access-control-allow-headers'] = requested;
  return { status: 204, headers, cookies: [], body: '' };
}
