/**
 * The dev router's side of the browser's Base and Drive path (`lib/data/browser-path.ts`): only the signed-in
 * owner, only from the app's own pages, then the same data handler as the micros' SDKs, streamed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserDataTarget, isSameOrigin } from '../../data/browser-path';
import type { DataHandler } from '../../data/http';
import { projectIdOf } from '../../data/service';
import { serveData } from './node-http';

export interface BrowserDataOptions {
  readonly handler: DataHandler;
  readonly projectKey: string;
  /** Whether the request carries the owner's session; undefined when auth is off (every route open). */
  readonly isOwner?: (request: IncomingMessage) => boolean;
}

/** Serves a browser data request (the caller checked `isBrowserDataPath`). */
export async function serveBrowserData(options: BrowserDataOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0]!;
  const target = browserDataTarget(path, projectIdOf(options.projectKey));
  if (target === undefined) return refuse(response, 404, 'Not found', `${path} is no Base or Drive endpoint`);
  if (options.isOwner !== undefined && !options.isOwner(request)) {
    return refuse(response, 401, 'Unauthorized', "sign in as the app's owner to use its Base and Drive from the browser");
  }
  // The session cookie is SameSite=Lax; an Origin naming another site is still refused, whatever it sends.
  if (!isSameOrigin(request.headers.origin, request.headers.host)) {
    return refuse(response, 403, 'Forbidden', `requests from ${request.headers.origin} may not use this app's data`);
  }
  request.headers['x-api-key'] = options.projectKey;
  await serveData(options.handler, request, response, target);
}

function refuse(response: ServerResponse, status: number, message: string, detail: string): void {
  const body = JSON.stringify({ errors: [message, detail] });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}
