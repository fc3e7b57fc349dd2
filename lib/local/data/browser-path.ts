/**
 * Base and Drive for a Space app's own frontend: with no key in a browser the JS SDK calls
 * `https://<page host>/__space/v0/base/v1/dummy/<base>/...` (and `/__space/v0/drive/...`) with the key `dummy`.
 * As Space's proxy did, the request is rewritten to `/v1/<projectId>/...`, given the app's project key, and served
 * by the same data handler, but only for the signed-in owner and only from the app's own pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataHandler } from '../../data/http';
import { projectIdOf } from '../../data/service';
import { serveData } from './node-http';

const BROWSER_PATH = /^\/__space\/v0\/(base|drive)\/v1\/[^/]+\/([^/]+)\/([^/?]+)(\/[^?]*)?$/;
/** Which endpoints each prefix may reach: a Base path never serves Drive files, nor the reverse. */
const ENDPOINTS: Readonly<Record<string, readonly string[]>> = { base: ['items', 'query'], drive: ['files', 'uploads'] };

export interface BrowserDataOptions {
  readonly handler: DataHandler;
  readonly projectKey: string;
  /** Whether the request carries the owner's session; undefined when auth is off (every route open). */
  readonly isOwner?: (request: IncomingMessage) => boolean;
}

/** Whether `path` (without query) is the browser's Base or Drive path. */
export function isBrowserDataPath(path: string): boolean {
  return path.startsWith('/__space/v0/base/') || path.startsWith('/__space/v0/drive/');
}

/** Serves a browser data request (the caller checked `isBrowserDataPath`). */
export async function serveBrowserData(options: BrowserDataOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  const path = url.split('?', 1)[0]!;
  const match = BROWSER_PATH.exec(path);
  if (match === null || !ENDPOINTS[match[1]!]!.includes(match[3]!)) {
    return refuse(response, 404, 'Not found', `${path} is not a ${match?.[1] ?? 'Base or Drive'} endpoint`);
  }
  if (options.isOwner !== undefined && !options.isOwner(request)) {
    return refuse(response, 401, 'Unauthorized', "sign in as the app's owner to use its Base and Drive from the browser");
  }
  // The session cookie is SameSite=Lax; an Origin naming another site is still refused, whatever it sends.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}` && origin !== `https://${request.headers.host}`) {
    return refuse(response, 403, 'Forbidden', `requests from ${origin} may not use this app's data`);
  }
  request.headers['x-api-key'] = options.projectKey;
  const [, , name, endpoint, rest = ''] = match;
  await serveData(options.handler, request, response, `/v1/${projectIdOf(options.projectKey)}/${name}/${endpoint}${rest}`);
}

function refuse(response: ServerResponse, status: number, message: string, detail: string): void {
  const body = JSON.stringify({ errors: [message, detail] });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}
