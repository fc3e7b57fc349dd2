/**
 * The browser path: the JS SDK in a page without a key (key `dummy`) calls `/__space/v0/base/v1/dummy/<base>/...`
 * and `/__space/v0/drive/v1/dummy/<drive>/...` on the app's own host. Space's proxy served these to the signed-in
 * owner by rewriting the path to the app's project and adding its project key. The cloud data function and the
 * local router both check the owner's session, then apply these rules, written once here.
 */
import { projectIdOf } from './service';

const BROWSER_PATH = /^\/__space\/v0\/(base|drive)\/v1\/[^/]+\/([^/]+)\/([^/?]+)(\/[^?]*)?$/;
/** Which endpoints each prefix may reach: a Base path never serves Drive files, nor the reverse. */
const ENDPOINTS: Readonly<Record<string, readonly string[]>> = { base: ['items', 'query'], drive: ['files', 'uploads'] };

/** Whether `path` (without query) is the browser's Base or Drive path. */
export function isBrowserDataPath(path: string): boolean {
  return path.startsWith('/__space/v0/base/') || path.startsWith('/__space/v0/drive/');
}

export type BrowserDataTarget = { readonly path: string } | { readonly status: number; readonly errors: readonly [string, string] };

/**
 * Where a browser data request of the signed-in owner goes (`/v1/<projectId>/<name>/<endpoint>...`, to be served
 * with the project key), or the error to answer: 404 for a path that is no endpoint of its prefix, 403 for a
 * request from a page of another site (the session cookie is SameSite=Lax; an Origin naming another host is still
 * refused, whatever it sends).
 */
export function browserDataTarget(
  rawPath: string,
  headers: { readonly origin?: string; readonly host?: string },
  projectKey: string,
): BrowserDataTarget {
  const match = BROWSER_PATH.exec(rawPath);
  if (match === null || !ENDPOINTS[match[1]!]!.includes(match[3]!)) {
    return { status: 404, errors: ['Not found', `${rawPath} is not a ${match?.[1] ?? 'Base or Drive'} endpoint`] };
  }
  const { origin, host } = headers;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    return { status: 403, errors: ['Forbidden', `requests from ${origin} may not use this app's data`] };
  }
  const [, , name, endpoint, rest = ''] = match;
  return { path: `/v1/${projectIdOf(projectKey)}/${name}/${endpoint}${rest}` };
}
