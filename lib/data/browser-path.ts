/**
 * The browser path: the JS SDK in a page without a key (key `dummy`) calls `/__space/v0/base/v1/dummy/<base>/...`
 * and `/__space/v0/drive/v1/dummy/<drive>/...` on the app's own host. Space's proxy served these to the signed-in
 * owner by rewriting the path to the app's project and adding its project key; the cloud data function and the
 * local router do the same with this one rewrite, after checking the owner's session.
 */
import { projectIdOf } from './service';

const BROWSER_PATH = /^\/__space\/v0\/(?:base|drive)\/v1\/[^/]+(\/.*)$/;

/** The data API path a browser-path request stands for, or undefined when `rawPath` is not one. */
export function browserDataPath(rawPath: string, projectKey: string): string | undefined {
  const match = BROWSER_PATH.exec(rawPath);
  return match ? `/v1/${projectIdOf(projectKey)}${match[1]}` : undefined;
}
