/** The one log line every HTTP request gets under spaceport dev, whoever answered it. */

/**
 * How the request was served: `cold` / `warm` by an environment that had to start or was running, `denied` by the
 * auth rules before any micro saw it, `refused` without reaching an environment (too large, micro unavailable).
 */
export type RequestLabel = 'cold' | 'warm' | 'denied' | 'refused';

/** `GET /api/items 200 12 ms cold`; `startedAt` is a `performance.now()` reading from when the request arrived. */
export function requestLogLine(method: string, path: string, statusCode: number, startedAt: number, label: RequestLabel): string {
  return `${method} ${path} ${statusCode} ${(performance.now() - startedAt).toFixed(0)} ms ${label}`;
}
