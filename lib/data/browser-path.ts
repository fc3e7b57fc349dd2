/**
 * The browser's way to an app's data: with no key in a browser the JS SDK calls
 * `https://<page host>/__space/v0/base/v1/dummy/<base>/...` (and `/__space/v0/drive/...`) with the key `dummy`.
 * Space's proxy rewrote such a path to `/v1/<projectId>/...` and added the project key; this is that rewrite, for
 * the dev router and the cloud alike (each checks the owner's session its own way first).
 */

const BROWSER_PATH = /^\/__space\/v0\/(base|drive)\/v1\/[^/]+\/([^/]+)\/([^/?]+)(\/[^?]*)?$/;
/** Which endpoints each prefix may reach: a Base path never serves Drive files, nor the reverse. */
const ENDPOINTS: Readonly<Record<string, readonly string[]>> = { base: ['items', 'query'], drive: ['files', 'uploads'] };

/** Whether `path` (without query) is under the browser's Base or Drive prefix. */
export function isBrowserDataPath(path: string): boolean {
  return path.startsWith('/__space/v0/base/') || path.startsWith('/__space/v0/drive/');
}

/** The data API path a browser data path stands for, or undefined when it names no endpoint of its service. */
export function browserDataTarget(path: string, projectId: string): string | undefined {
  const match = BROWSER_PATH.exec(path);
  if (match === null || !ENDPOINTS[match[1]!]!.includes(match[3]!)) return undefined;
  const [, , name, endpoint, rest = ''] = match;
  return `/v1/${projectId}/${name}/${endpoint}${rest}`;
}

/** Whether a request's `Origin` (when it sends one) is the app's own page on `host`. */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  return origin === undefined || origin === `http://${host}` || origin === `https://${host}`;
}
