/**
 * Base and Drive for a Space app's own frontend: with no key in a browser the JS SDK calls
 * `https://<page host>/__space/v0/base/v1/dummy/<base>/...` (and `/__space/v0/drive/...`) with the key `dummy`.
 * As Space's proxy did, the request is rewritten to `/v1/<projectId>/...`, given the app's project key, and served
 * by the same data handler, but only for the signed-in owner and only from the app's own pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserDataTarget } from '../../data/browser-path';
import type { DataHandler } from '../../data/http';
import { serveData } from './node-http';

export { isBrowserDataPath } from '../../data/browser-path';

export interface BrowserDataOptions {
  readonly handler: DataHandler;
  readonly projectKey: string;
  /** Whether the request carries the owner's session; undefined when auth is off (every route open). */
  readonly isOwner?: (request: IncomingMessage) => Promise<boolean>;
}

/** Serves a browser data request (the caller checked `isBrowserDataPath`). */
export async function serveBrowserData(options: BrowserDataOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0]!;
  if (options.isOwner !== undefined && !(await options.isOwner(request))) {
    return refuse(response, 401, ['Unauthorized', "sign in as the app's owner to use its Base and Drive from the browser"]);
  }
  const target = browserDataTarget(path, { origin: request.headers.origin, host: request.headers.host }, options.projectKey);
  if ('status' in target) return refuse(response, target.status, target.errors);
  request.headers['x-api-key'] = options.projectKey;
  await serveData(options.handler, request, response, target.path);
}

function refuse(response: ServerResponse, status: number, errors: readonly string[]): void {
  const body = JSON.stringify({ errors });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}
